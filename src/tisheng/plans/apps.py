from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "tisheng.plans"
    label = "plans"
    verbose_name = "启动、方案与选点"
