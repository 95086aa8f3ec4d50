"""tisheng import-course-hours FILE [--dry-run] [--valid-only] [--report OUT.xlsx] [--json]"""

from tisheng.exchange.cli import ImportCommand
from tisheng.exchange.targets import ImportTarget
from tisheng.hours.importing import CourseHoursImporter


class Command(ImportCommand):
    help = "导入网络研修学时（课程平台的完成记录）：身份证号（或平台账号）、姓名、课程名称、学时、完成时间。"
    title = "网络研修学时"

    def importer(self, options):
        # The command line is the operator's: every teacher of the platform is in reach.
        return CourseHoursImporter(target=ImportTarget(city=None, system=True))
