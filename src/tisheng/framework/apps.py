from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "tisheng.framework"
    label = "framework"
    verbose_name = "能力点框架"
