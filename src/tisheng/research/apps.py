from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "tisheng.research"
    label = "research"
    verbose_name = "校本研修活动"
