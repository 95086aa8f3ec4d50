from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "tisheng.hours"
    label = "hours"
    verbose_name = "继续教育学时"
