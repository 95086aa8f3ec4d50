from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tisheng.people"
    label = "people"
    verbose_name = "人员与角色"
