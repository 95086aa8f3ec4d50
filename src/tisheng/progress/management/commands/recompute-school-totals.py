"""tisheng recompute-school-totals [--city ID]: rebuild the per-school and per-county totals of 我的进度."""

import time

from django.core.management.base import BaseCommand, CommandError

from tisheng.organisation.models import City
from tisheng.progress.totals import recompute


class Command(BaseCommand):
    help = "按各校教师的记录重新统计学校与县区的进度汇总（选点、学时、测评成果、计划）。"

    def add_arguments(self, parser):
        parser.add_argument("--city", type=int, default=None, help="只统计这个市（编号）；默认全部")

    def handle(self, *args, city, **options):
        if city is not None and not City.objects.filter(pk=city).exists():
            raise CommandError(f"没有编号为 {city} 的市。")
        started = time.perf_counter()
        n = recompute(city_id=city)
        self.stdout.write(f"已重新统计 {n} 所学校的进度汇总，用时 {time.perf_counter() - started:.1f} 秒。")
