"""tisheng import-recover [--older-than MINUTES]: run when a worker starts (make demo does, before
`db_worker`; under systemd as the worker's ExecStartPre)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from tisheng.exchange.services import import_jobs_recover


class Command(BaseCommand):
    help = (
        "把工作进程退出时遗留的导入任务（检查中、导入中，或其后台任务已不在队列中的排队任务）标记为失败，"
        "页面上可重试。在启动工作进程之前运行；有多个工作进程时用 --older-than 跳过可能仍在运行的任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=0,
            metavar="MINUTES",
            help="只处理这么多分钟没有进展的任务（默认0：没有其他工作进程在运行时使用）",
        )

    def handle(self, *args, older_than: int, **options):
        marked = import_jobs_recover(older_than=timedelta(minutes=max(0, older_than)))
        for job in marked:
            self.stdout.write(f"interrupted: {job.pk} {job.original_name}")
        self.stdout.write(f"{len(marked)} interrupted import(s) marked failed")
