from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "tisheng.hours"
    label = "hours"
    verbose_name = "继续教育学时"

    def ready(self):
        # The course-hours import runs through exchange's job flow; exchange finds it here.
        from tisheng.exchange.registry import register_import

        from .importing import CourseHoursImporter

        register_import(CourseHoursImporter.kind, CourseHoursImporter)
