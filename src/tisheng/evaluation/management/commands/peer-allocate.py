import json

from django.core.management.base import BaseCommand, CommandError

from tisheng.core.errors import AppError
from tisheng.evaluation import peer
from tisheng.evaluation.peer_selectors import plan_rows, plan_summary
from tisheng.organisation.models import School


class Command(BaseCommand):
    help = "为一所学校进行同伴互评分配（R-PEER）；--dry-run 只预览，不写入。"

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, required=True, help="学校编号")
        parser.add_argument("--dry-run", action="store_true", help="只预览分配，不写入任何内容")
        parser.add_argument("--seed", type=int, default=None, help="随机种子（重现某次分配）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出分配方案")

    def handle(self, *args, school: int, dry_run: bool, seed, json: bool, **options):
        found = School.objects.filter(pk=school).first()
        if found is None:
            raise CommandError("没有这所学校。")
        try:
            plan = peer.peer_allocate_by_operator(school=found, dry_run=dry_run, seed=seed)
        except AppError as exc:
            raise CommandError(str(exc.message)) from None
        summary = plan_summary(plan)
        out = {
            "school": found.name,
            "dry_run": dry_run,
            "seed": summary["seed"],
            "made": summary["made"],
            "works": summary["works"],
            "reviewers": summary["reviewers"],
            "due_on": summary["due_on"].isoformat(),
            "notes": summary["notes"],
            "pairs": plan_rows(plan),
        }
        if json:
            self.stdout.write(_dumps(out))
            return
        verb = "预览" if dry_run else "已分配"
        self.stdout.write(
            f"{found.name}：{verb} {out['made']} 项互评任务（作品 {out['works']} 件，教师 {out['reviewers']} 位），"
            f"截止 {out['due_on']}，随机种子 {out['seed']}"
        )
        for line in out["notes"]:
            self.stdout.write(f"  · {line}")
        for row in out["pairs"]:
            self.stdout.write(f"  {row['reviewer']} → {row['author']} · {row['point']}（{row['tier']}）")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
