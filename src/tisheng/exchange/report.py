"""The error report a clerk downloads: every problem next to the row it is on.

The command line writes it at once, in its own language (`write_report`). An import job is checked
by a worker that does not know who will read the result, so the job keeps its problems, each with
its row's cells, as JSON lines (`problems_data`: codes and parameters, core/problems.py), and the
.xlsx is written when someone downloads it, in that person's language (`open_report`). A job
checked before that kept the .xlsx itself, which is served as it is.
"""

import gzip
import io
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tisheng.core.problems import Words

from .importing import ImportResult, column_label, shown
from .readers import Table

# (label, count) in the summary sheet, in this order.
SUMMARY = (
    (gettext_noop("数据行"), "rows"),
    (gettext_noop("无误行"), "valid"),
    (gettext_noop("新增"), "created"),
    (gettext_noop("更新"), "updated"),
    (gettext_noop("未变"), "unchanged"),
    # What the good rows would do: the numbers of the check, whether or not anything was written.
    (gettext_noop("无误的行将新增"), "would_create"),
    (gettext_noop("无误的行将更新"), "would_update"),
)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:32767]


def _counts(result: ImportResult) -> dict:
    return {key: getattr(result, key) for _label, key in SUMMARY} | {
        "errors": len(result.errors),
        "written": result.written,
    }


def _write(
    target,
    *,
    title: str,
    counts: dict,
    header_cells: list[str] | None,
    width: int,
    problems: Iterable[tuple[int, str, str, list[str]]],
) -> None:
    """The workbook, in the active language. `problems` gives (row, column, message, cells)."""
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    red = workbook.add_format({"font_color": "#b42318"})
    summary = workbook.add_worksheet(_("汇总")[:31])
    rows = [(_("导入"), title)]
    rows += [(_(label), counts.get(key, 0)) for label, key in SUMMARY]
    rows += [
        (_("问题"), counts.get("errors", 0)),
        (_("是否已写入"), _("是") if counts.get("written") else _("否（未写入任何数据）")),
    ]
    for r, (k, v) in enumerate(rows):
        summary.write(r, 0, k, bold)
        summary.write(r, 1, v)
    sheet = workbook.add_worksheet(_("问题清单")[:31])
    lead = [_("行号"), _("列"), _("问题")]
    header = lead + [_("原第%(n)s列") % {"n": i + 1} for i in range(width)]
    if header_cells:
        # The clerk's own header row, so the copied cells line up with what they know.
        header = lead + list(header_cells) + [""] * (width - len(header_cells))
    for c, name in enumerate(header):
        sheet.write(0, c, name, bold)
    for r, (row, column, message, cells) in enumerate(problems, start=1):
        sheet.write_number(r, 0, row)
        sheet.write(r, 1, column)
        sheet.write(r, 2, message, red)
        for c, value in enumerate(cells):
            sheet.write_string(r, 3 + c, value)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 48)
    workbook.close()


def _rows(table: Table | None) -> tuple[dict[int, list], int, list[str] | None]:
    by_row = {number: cells for number, cells in table.rows} if table is not None else {}
    width = max((len(c) for c in by_row.values()), default=0)
    header = [_cell(c) for c in table.header_cells] if table is not None and table.header_cells else None
    return by_row, width, header


def write_report(path: Path, *, result: ImportResult, table: Table | None, title: str) -> None:
    """The report at once, in the active language (the command line's --report)."""
    by_row, width, header = _rows(table)
    _write(
        str(path),
        title=title,
        counts=_counts(result),
        header_cells=header,
        width=width,
        problems=(
            (e.row, column_label(e.column), e.message, [_cell(v) for v in by_row.get(e.row, [])])
            for e in result.errors
        ),
    )


def problems_data(*, result: ImportResult, table: Table | None) -> bytes:
    """What a job keeps to write its report later: a first line with the counts and the clerk's
    header, then one line per problem (row, column label, message as code and parameters, cells)."""
    by_row, width, header = _rows(table)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        first = {"counts": _counts(result), "header": header, "width": width}
        gz.write(json.dumps(first, ensure_ascii=False).encode() + b"\n")
        for e in result.errors:
            line = {**e.stored(), "cells": [_cell(v) for v in by_row.get(e.row, [])]}
            gz.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
    return buf.getvalue()


def is_problems_data(name: str) -> bool:
    return name.endswith(".jsonl.gz")


def open_report(field_file, *, title: str):
    """The job's report as an open binary file, in the active language."""
    if not is_problems_data(field_file.name):
        return field_file.open("rb")  # an .xlsx written when the job ran (jobs before codes)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed (and so removed) by the response that sends it
    with field_file.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
        lines = (json.loads(line) for line in gz)
        first = next(lines, None) or {}

        def problems():
            words = Words()
            for entry in lines:
                said = shown(entry, words=words)
                yield entry.get("row", 0), said["column"], said["message"], entry.get("cells") or []

        _write(
            out,
            title=title,
            counts=first.get("counts") or {},
            header_cells=first.get("header"),
            width=first.get("width") or 0,
            problems=problems(),
        )
    out.seek(0)
    return out
