"""What `tisheng import-units` and `tisheng import-roster` share: options, output, exit codes.

Exit codes: 0 imported (or, with --dry-run, nothing wrong); 1 some rows are wrong (nothing written,
or with --valid-only the good rows were); 2 the file cannot be read at all (one clear line).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from .readers import FileProblem
from .report import write_report


class ImportCommand(BaseCommand):
    title = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--valid-only", action="store_true", help="只导入无误的行（默认任何一行有误就全部不导入）"
        )
        parser.add_argument("--report", metavar="OUT.xlsx", help="把问题清单写入 Excel 文件")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def importer(self, options):
        """The importer this command runs; each command gives its own."""
        raise TypeError(f"{type(self).__name__} must define importer()")

    def fail(self, message: str, options) -> None:
        if options["json"]:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        else:
            self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            self.fail(f"找不到文件：{path}", options)
        try:
            importer = self.importer(options)
            result = importer.run(
                path, dry_run=options["dry_run"], valid_only=options["valid_only"], source=f"cli:{path.name}"
            )
        except FileProblem as exc:
            self.fail(f"{path.name}：{exc}", options)
        except CommandError as exc:
            self.fail(str(exc), options)
        if options["report"]:
            write_report(
                Path(options["report"]),
                result=result,
                table=getattr(importer, "table", None),
                title=self.title,
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self._print(result, options)
        if result.errors:
            sys.exit(1)

    def _print(self, result, options):
        out = self.stdout
        out.write(
            f"{self.title}：共 {result.rows} 行数据，{result.valid} 行无误，{len(result.errors)} 个问题。"
        )
        for error in result.errors[:50]:
            out.write(f"  第{error.row}行 [{error.column}] {error.message}")
        if len(result.errors) > 50:
            out.write(f"  …… 另有 {len(result.errors) - 50} 个问题（用 --report 导出全部）。")
        if options["dry_run"]:
            out.write(
                f"检查完成（未写入）：将新增 {result.would_create}，更新 {result.would_update}，"
                f"未变 {result.would_keep}。"
            )
        elif result.written:
            out.write(f"已导入：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。")
        else:
            out.write(
                "有问题的行，未写入任何数据（新增 0）。无误的行本可新增 "
                f"{result.would_create}，更新 {result.would_update}。"
                "改正后重新导入，或用 --valid-only 只导入无误的行。"
            )
