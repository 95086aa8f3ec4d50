"""tisheng recompute-sheets [--county ID]: rebuild every teacher's sheet 3.3 and the rates above it."""

import time

from django.core.management.base import BaseCommand, CommandError

from tisheng.organisation.models import County
from tisheng.scoring.keeping import recompute


class Command(BaseCommand):
    help = "按记录重新计算教师考核表（表3.3）与教研组、学校、县区的达成率。"

    def add_arguments(self, parser):
        parser.add_argument("--county", type=int, default=None, help="只计算这个县区（编号）；默认全部")

    def handle(self, *args, county, **options):
        if county is not None and not County.objects.filter(pk=county).exists():
            raise CommandError(f"没有编号为 {county} 的县区。")
        started = time.perf_counter()
        n = recompute(county_id=county)
        self.stdout.write(f"已重新计算 {n} 位教师的考核表，用时 {time.perf_counter() - started:.1f} 秒。")
