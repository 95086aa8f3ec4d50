from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "tisheng.progress"
    label = "progress"
    verbose_name = "我的进度"
