"""The error report a clerk downloads: every problem next to the row it is on."""

from pathlib import Path

import xlsxwriter

from .importing import ImportResult
from .readers import Table


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:32767]


def write_report(path: Path, *, result: ImportResult, table: Table | None, title: str) -> None:
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    red = workbook.add_format({"font_color": "#b42318"})
    summary = workbook.add_worksheet("汇总")
    rows = [
        ("导入", title),
        ("数据行", result.rows),
        ("无误行", result.valid),
        ("新增", result.created),
        ("更新", result.updated),
        ("未变", result.unchanged),
        # What the good rows would do: the numbers of the check, whether or not anything was written.
        ("无误的行将新增", result.would_create),
        ("无误的行将更新", result.would_update),
        ("问题", len(result.errors)),
        ("是否已写入", "是" if result.written else "否（未写入任何数据）"),
    ]
    for r, (k, v) in enumerate(rows):
        summary.write(r, 0, k, bold)
        summary.write(r, 1, v)
    sheet = workbook.add_worksheet("问题清单")
    by_row = {number: cells for number, cells in table.rows} if table is not None else {}
    width = max((len(c) for c in by_row.values()), default=0)
    header = ["行号", "列", "问题"] + [f"原第{i + 1}列" for i in range(width)]
    if table is not None:
        # The clerk's own header row, so the copied cells line up with what they know.
        originals = table.header_cells
        if originals:
            header = ["行号", "列", "问题"] + [_cell(c) for c in originals] + [""] * (width - len(originals))
    for c, name in enumerate(header):
        sheet.write(0, c, name, bold)
    for r, error in enumerate(result.errors, start=1):
        sheet.write_number(r, 0, error.row)
        sheet.write(r, 1, error.column)
        sheet.write(r, 2, error.message, red)
        for c, value in enumerate(by_row.get(error.row, [])):
            sheet.write_string(r, 3 + c, _cell(value))
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 48)
    workbook.close()
