from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "tisheng.programme"
    label = "programme"
    verbose_name = "项目设置"
