from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tisheng.access"
    label = "access"
    verbose_name = "可见范围"

    def ready(self):
        # The apps below this one (organisation, people, framework, programme) ask core's seam for
        # a scope; this is where the seam learns how to build one.
        from tisheng.core import scoping as seam

        from .scoping import scope_for

        seam.install(scope_for)
