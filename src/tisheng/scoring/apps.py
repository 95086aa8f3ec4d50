from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "tisheng.scoring"
    label = "scoring"
    verbose_name = "考核评分"
