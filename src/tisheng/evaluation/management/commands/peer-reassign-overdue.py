from django.core.management.base import BaseCommand

from tisheng.evaluation import peer_tasks


class Command(BaseCommand):
    help = "把逾期未完成的互评任务改派给其他教师（R-PEER）；建议每天运行一次（例如 cron）。"

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, default=None, help="只处理这所学校（学校编号）")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行（tisheng db_worker）")

    def handle(self, *args, school, enqueue: bool, **options):
        if enqueue:
            result = peer_tasks.reassign_overdue_peer_reviews.enqueue(school_id=school)
            self.stdout.write(f"queued {result.id}")
            return
        n = peer_tasks.reassign_overdue_peer_reviews.call(school_id=school)
        self.stdout.write(f"reallocated {n} school(s)")
