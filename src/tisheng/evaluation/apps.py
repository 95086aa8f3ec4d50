from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tisheng.evaluation"
    label = "evaluation"
    verbose_name = "评价"
