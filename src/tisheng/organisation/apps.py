from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "tisheng.organisation"
    label = "organisation"
    verbose_name = "组织机构"
