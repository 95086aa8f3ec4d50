from django.core.management.base import BaseCommand

from tisheng.evidence.services import evidence_uploads_expire


class Command(BaseCommand):
    help = "清理长时间未继续的分片上传及其临时文件（建议每天运行一次，例如 cron）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=48, help="多少小时没有收到数据的上传视为过期（默认48）"
        )

    def handle(self, *args, hours: int, **options):
        n = evidence_uploads_expire(hours=max(1, hours))
        self.stdout.write(f"expired {n} upload(s)")
