from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tisheng.core"
    label = "core"
    verbose_name = "核心"
