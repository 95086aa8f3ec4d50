from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "tisheng.home"
    label = "home"
    verbose_name = "首页"
