from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "tisheng.progress"
    label = "progress"
    verbose_name = "我的进度"

    def ready(self):
        # The apps below tell core.changes what changed; the kept totals listen here.
        from tisheng.core import changes

        from . import totals

        changes.listen("schools", totals.schools_changed)
        changes.listen("teachers", totals.teachers_changed)
        changes.listen("city_later", totals.city_changed_later)
