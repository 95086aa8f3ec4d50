"""tisheng import-roles FILE --by LOGIN [--city NAME] [--dry-run] [--valid-only] [--report OUT.xlsx] [--json]"""

from django.core.management.base import CommandError

from tisheng.exchange.cli import ImportCommand
from tisheng.exchange.roles import RolesImporter
from tisheng.exchange.targets import ImportTarget
from tisheng.organisation.models import City
from tisheng.people.models import User


class Command(ImportCommand):
    help = (
        "导入人员角色（任命）：姓名、手机号或身份证号、角色、市/县区/学校名称/教研组、是否校长、是否CIO。"
        "按 --by 指定的管理员的权限任命，并记入审计。"
    )
    title = "人员角色"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--by", required=True, metavar="LOGIN", help="以哪位管理员的身份任命（其管理范围与任命规则适用）"
        )
        parser.add_argument("--city", metavar="NAME", help="只在该市范围内查找单位（县区名称只在市内唯一）")

    def importer(self, options):
        actor = User.objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(f"找不到账号：{options['by']}")
        city = None
        if options.get("city"):
            city = City.objects.filter(name=options["city"]).first()
            if city is None:
                raise CommandError(f"找不到城市：{options['city']}")
        # The rules are the appointing person's (people/rules.py); the target only narrows where
        # units are looked up.
        return RolesImporter(target=ImportTarget(city=city, system=city is None), actor=actor)
