"""tisheng import-units FILE [--city NAME] [--dry-run] [--valid-only] [--report OUT.xlsx] [--json]"""

from tisheng.exchange.cli import ImportCommand
from tisheng.exchange.targets import ImportTarget
from tisheng.exchange.units import UnitsImporter


class Command(ImportCommand):
    help = "导入学校名单：市、县区、片区、学校名称、学校标识码、城乡类型、办学类型、是否试点校、批次。"
    title = "学校名单"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--city", default="", help="城市名称（不存在则新建）；平台只有一个市时可省略")

    def importer(self, options):
        return UnitsImporter(target=ImportTarget(city=None, system=True), city_name=options["city"])
