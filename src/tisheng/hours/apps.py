from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "tisheng.hours"
    label = "hours"
    verbose_name = "学时与研修活动"
