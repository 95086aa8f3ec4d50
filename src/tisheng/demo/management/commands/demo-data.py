"""tisheng demo-data --teachers N [--seed S] [--if-empty]: build the Xinyang-shaped demo city."""

import time

from django.core.management.base import BaseCommand, CommandError

from tisheng.demo.services import DEMO_PASSWORD, DemoCityExists, demo_city_build


class Command(BaseCommand):
    help = "生成信阳市演示数据（县区、学校、教研组、教师和每种角色的登录账号）。"

    def add_arguments(self, parser):
        parser.add_argument("--teachers", type=int, default=2000, help="教师人数（默认 2000）")
        parser.add_argument("--seed", type=int, default=2021, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--if-empty", action="store_true", help="演示城市已存在时跳过而不报错")

    def handle(self, *args, teachers, seed, if_empty, **options):
        if teachers < 1 or teachers > 2_000_000:
            raise CommandError("--teachers 应在 1 到 2000000 之间。")
        started = time.perf_counter()
        try:
            city, logins, counts = demo_city_build(teachers=teachers, seed=seed)
        except DemoCityExists as exc:
            if if_empty:
                self.stdout.write(f"演示城市“{exc}”已存在，跳过生成。")
                self._print_logins(None)
                return
            raise CommandError(
                f"演示城市“{exc}”已存在。如需重建，请先删除数据库文件 var/tisheng.sqlite3。"
            ) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"已生成 {city.name}：{counts['counties']} 个县区级单位，{counts['schools']} 所学校"
            f"（{counts['pilot_schools']} 所试点校），{counts['groups']} 个教研组，{counts['teachers']} 名教师，"
            f"用时 {elapsed:.1f} 秒。"
        )
        self.stdout.write(
            f"项目进行中：{counts['launched_schools']} 所学校已发布能力点菜单，{counts['plans']} 份方案与计划，"
            f"{counts['picks']} 条选点，{counts['hours_entries']} 条学时记录，{counts['evidence']} 份测评成果。"
        )
        self._print_logins(logins)

    def _print_logins(self, logins):
        if logins:
            self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
            for login in logins:
                self.stdout.write(f"  {login.username:<16} {login.role} · {login.unit}")
        else:
            self.stdout.write(
                f"演示账号见 README（密码均为 {DEMO_PASSWORD}）：cityadmin, cityguide, shihe-admin, "
                "pingqiao-admin, shihe-guide, principal, cio, evaluator, groupleader, teacher, admin"
            )
