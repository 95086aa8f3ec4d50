from django.core.management.base import BaseCommand

from tisheng.evaluation import peer_tasks


class Command(BaseCommand):
    help = (
        "把逾期未完成的互评任务改派给其他教师，并为尚未分配的新提交作品补分配（R-PEER）；"
        "建议每天运行一次（例如 cron）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, default=None, help="只改派这所学校的逾期任务（学校编号）")
        parser.add_argument("--no-pending", action="store_true", help="不为新提交的作品补分配")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行（tisheng db_worker）")

    def handle(self, *args, school, no_pending: bool, enqueue: bool, **options):
        tasks = [(peer_tasks.reassign_overdue_peer_reviews, {"school_id": school}, "reallocated")]
        if not no_pending and school is None:
            tasks.append((peer_tasks.allocate_pending_peer_reviews, {}, "allocated new submissions at"))
        for task, kwargs, verb in tasks:
            if enqueue:
                self.stdout.write(f"queued {task.enqueue(**kwargs).id}")
            else:
                self.stdout.write(f"{verb} {task.call(**kwargs)} school(s)")
