"""Reading the spreadsheets clerks hand in: .xlsx/.xls (python-calamine) and .csv (UTF-8 or GBK).

The file type is told by content, not by name. The header is the first row (within the first ten
non-blank rows) that names the required columns, so a title row above it does no harm; row numbers
are the ones Excel shows (first row = 1). Blank rows and a 序号 column are ignored.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tisheng.core.cleaning import compact

HEADER_SEARCH_ROWS = 10
IGNORED_COLUMNS = {"序号", "编号", "No", "NO", "no", "序"}


class FileProblem(Exception):
    """The file as a whole cannot be read: not a spreadsheet, empty, a required column missing."""


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.label, *self.aliases)}


@dataclass
class Table:
    header_row: int
    columns: dict[str, int]  # field → index in the row
    header_cells: list = field(default_factory=list)
    rows: list[tuple[int, list]] = field(default_factory=list)  # (Excel row number, cells)

    def value(self, cells: list, name: str):
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]


def normalise_header(value) -> str:
    s = compact(value)
    s = re.sub(r"[（(【\[].*?[）)】\]]", "", s)  # "身份证号（必填）" → "身份证号"
    return s.strip("*＊:：")


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    return "csv"


# calamine holds the sheet's whole used range in memory, 24–32 bytes a cell, blank or not: a tiny
# file with one stray cell at XFD1048576 would need tens of GB. The range is measured first.
MAX_CELLS = 15_000_000
MAX_SHEET_XML = 1024 * 1024 * 1024
_CELL_REF = re.compile(rb'<(?:[a-z]+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:[a-z]+:)?row\b[^>]*?\br="([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _xlsx_extent(path: Path) -> tuple[int, int]:
    """(rows, columns) of the used range of every worksheet, read by streaming the sheet XML."""
    max_row = max_col = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                if info.file_size > MAX_SHEET_XML:
                    raise FileProblem("表格内容过大，请删除多余的行列或拆分后分批导入。")
                tail = b""
                with archive.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        data = tail + chunk
                        for letters, digits in _CELL_REF.findall(data):
                            max_row = max(max_row, int(digits))
                            max_col = max(max_col, _column_number(letters))
                        for digits in _ROW_REF.findall(data):
                            max_row = max(max_row, int(digits))
                        tail = data[-256:]
    except zipfile.BadZipFile:
        raise FileProblem(
            "文件不是有效的 Excel 表格（.xlsx）：可能已损坏，或只是改了扩展名的压缩包。"
        ) from None
    return max_row, max_col


def _excel_rows(path: Path, kind: str) -> Iterator[tuple[int, list]]:
    import python_calamine

    if kind == "xlsx":
        rows_used, cols_used = _xlsx_extent(path)
        if rows_used * cols_used > MAX_CELLS:
            raise FileProblem(
                f"表格的使用范围过大（{rows_used} 行 × {cols_used} 列，可能有远处的空白格被填过内容）。"
                "请删除数据以外多余的行和列后重新保存。"
            )
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:  # calamine raises several error types for broken or foreign zips
        if kind == "xlsx":
            raise FileProblem(
                "文件不是有效的 Excel 表格（.xlsx）：可能已损坏，或只是改了扩展名的压缩包。"
            ) from None
        raise FileProblem("文件不是有效的 Excel 表格（.xls），请另存为 .xlsx 后重试。") from None
    # iter_rows() starts at the sheet's first row even when it is empty (leading empty rows come as
    # rows of ""), so the position is already the Excel row; adding sheet.start would count them twice.
    for offset, cells in enumerate(rows):
        yield offset + 1, list(cells)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" (UTF-16 with a byte-order mark, tab-separated).
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileProblem("无法识别文件的编码，请另存为 .xlsx 或 UTF-8 编码的 CSV。") from None
    if b"\x00" in data[:4096]:
        raise FileProblem("文件不是表格：请上传 .xlsx 或 .csv 文件。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。")


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    text = _decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error:
        raise FileProblem("CSV 文件格式有误（引号不成对等），请用 Excel 另存后重试。") from None


def iter_rows(path: Path) -> Iterator[tuple[int, list]]:
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        raise FileProblem("无法打开文件。") from None
    if size == 0:
        raise FileProblem("文件是空的。")
    kind = _sniff(head)
    if kind == "csv":
        yield from _csv_rows(path)
    else:
        yield from _excel_rows(path, kind)


def read_table(path, columns: list[Column], *, max_rows: int) -> Table:
    """Read the whole sheet into memory (it is checked as a whole before anything is written)."""
    rows = iter_rows(path)
    wanted = {c.field: c.names() for c in columns}
    required = [c for c in columns if c.required]
    table = None
    best_missing: list[str] | None = None
    seen = 0
    for number, cells in rows:
        if _blank(cells):
            continue
        seen += 1
        headers = [normalise_header(c) for c in cells]
        mapping: dict[str, int] = {}
        for index, name in enumerate(headers):
            if not name or name in IGNORED_COLUMNS:
                continue
            for fld, names in wanted.items():
                if name in names and fld not in mapping:
                    mapping[fld] = index
                    break
        missing = [c.label for c in required if c.field not in mapping]
        if not missing:
            table = Table(header_row=number, columns=mapping, header_cells=list(cells))
            break
        if best_missing is None or len(missing) < len(best_missing):
            best_missing = missing
        if seen >= HEADER_SEARCH_ROWS:
            break
    if table is None:
        if best_missing is None:
            raise FileProblem("文件中没有任何数据。")
        raise FileProblem("缺少必需的列：" + "、".join(best_missing) + "。请检查表头（第一行）的列名。")
    for number, cells in rows:
        if _blank(cells):
            continue
        if len(table.rows) >= max_rows:
            raise FileProblem(f"文件的数据行超过 {max_rows} 行的上限，请拆分后分批导入。")
        table.rows.append((number, cells))
    if not table.rows:
        raise FileProblem("文件只有表头，没有数据行。")
    return table
