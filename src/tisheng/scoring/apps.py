from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "tisheng.scoring"
    label = "scoring"
    verbose_name = "考核评分"

    def ready(self):
        # The apps below tell core.changes what changed; the kept sheets and rates listen here.
        from tisheng.core import changes

        from . import keeping

        changes.listen("schools", keeping.schools_changed)
        changes.listen("teachers", keeping.teachers_changed)
        changes.listen("city_later", keeping.city_changed_later)
