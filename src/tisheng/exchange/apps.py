from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tisheng.exchange"
    label = "exchange"
    verbose_name = "数据导入导出"

    def ready(self):
        from .registry import register_import
        from .roles import RolesImporter
        from .roster import RosterImporter
        from .units import UnitsImporter

        register_import(UnitsImporter.kind, UnitsImporter)
        register_import(RosterImporter.kind, RosterImporter)
        register_import(RolesImporter.kind, RolesImporter)
