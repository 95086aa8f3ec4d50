"""Reading the spreadsheets clerks hand in: .xlsx/.xls (python-calamine) and .csv (UTF-8 or GBK).

The file type is told by content, not by name. The header is the first row (within the first ten
non-blank rows) that names the required columns, so a title row above it does no harm; row numbers
are the ones Excel shows (first row = 1). Blank rows and a 序号 column are ignored.
"""

import csv
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_noop as _

from tisheng.core.cleaning import compact
from tisheng.core.problems import ProblemError, define

HEADER_SEARCH_ROWS = 10
IGNORED_COLUMNS = {"序号", "编号", "No", "NO", "no", "序"}


class FileProblem(ProblemError):
    """The file as a whole cannot be read: not a spreadsheet, empty, a required column missing.
    `FileProblem(code, **params)` with a code defined below; `str()` is the clerk's message."""


define(
    "file_part_too_big",
    _(
        "表格文件中的“%(name)s”解压后约 %(size)s MB，超过 %(limit)s MB 的上限（疑似压缩炸弹），"
        "已拒绝，未读取任何数据。请用 Excel 打开后另存为新的 .xlsx，或拆分后分批导入。"
    ),
    labels=("name",),
)
define(
    "file_bomb",
    _(
        "表格文件中的“%(name)s”压缩比异常或实际内容与声明的大小不符（疑似压缩炸弹），"
        "已拒绝，未读取任何数据。请用 Excel 打开后另存为新的 .xlsx。"
    ),
)
define("file_xlsx_broken", _("文件不是有效的 Excel 表格（.xlsx）：可能已损坏，或只是改了扩展名的压缩包。"))
define("file_xls_broken", _("文件不是有效的 Excel 表格（.xls），请另存为 .xlsx 后重试。"))
define("file_too_many_parts", _("表格文件结构异常：压缩包内的文件超过 %(n)s 个，已拒绝。"))
define("file_password", _("表格文件设置了密码，请取消密码后再导入。"))
define(
    "file_range_too_big",
    _(
        "表格的使用范围过大（%(rows)s 行 × %(cols)s 列，可能有远处的空白格被填过内容）。"
        "请删除数据以外多余的行和列后重新保存。"
    ),
)
define("file_encoding", _("无法识别文件的编码，请另存为 .xlsx 或 UTF-8 编码的 CSV。"))
define("file_not_a_table", _("文件不是表格：请上传 .xlsx 或 .csv 文件。"))
define("file_csv_encoding", _("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。"))
define("file_csv_broken", _("CSV 文件格式有误（引号不成对等），请用 Excel 另存后重试。"))
define("file_cannot_open", _("无法打开文件。"))
define("file_empty", _("文件是空的。"))
define("file_no_data", _("文件中没有任何数据。"))
# The columns are named as the header must name them (in Chinese, whatever the reader's language).
define("file_missing_columns", _("缺少必需的列：%(columns)s。请检查表头（第一行）的列名。"))
define("file_too_many_rows", _("文件的数据行超过 %(n)s 行的上限，请拆分后分批导入。"))
define("file_header_only", _("文件只有表头，没有数据行。"))


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
_CELL_REF = re.compile(rb'<(?:[a-z]+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:[a-z]+:)?row\b[^>]*?\br="([0-9]{1,7})"')

# Every part of an .xlsx is bounded before calamine reads any of it (a zip bomb: ~1 MB whose shared
# strings unpack to 1 GB would otherwise be read whole into memory). The sizes the zip declares are
# checked first, then every member is inflated here in 1 MB blocks and refused the moment it gives
# more than it declared (a forged size), so the work and the memory are bounded by these numbers.
# A roster of 300,000 rows written by openpyxl has about 170 MB of sheet XML, at a ratio near 12.
MAX_SHEET_XML = 256 * 1024 * 1024  # each worksheet
MAX_SHARED_STRINGS = 128 * 1024 * 1024  # xl/sharedStrings.xml
MAX_MEDIA = 64 * 1024 * 1024  # each picture under xl/media/ (stored, not read)
MAX_PART = 16 * 1024 * 1024  # every other part: styles, theme, drawings, comments, properties, …
MAX_UNPACKED = 512 * 1024 * 1024  # all members together
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # unpacked / packed, for members above RATIO_FLOOR; real sheets stay below 20
RATIO_FLOOR = 8 * 1024 * 1024
_INFLATE_BLOCK = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the fixed 30 bytes before a member's name and data


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _member_limit(name: str) -> int:
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return MAX_SHEET_XML
    if name == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS
    if name.startswith("xl/media/"):
        return MAX_MEDIA
    return MAX_PART


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _too_big(name: str, size: int, limit: int) -> FileProblem:
    return FileProblem("file_part_too_big", name=name[:80], size=_mb(size), limit=_mb(limit))


def _bomb(name: str) -> FileProblem:
    return FileProblem("file_bomb", name=name[:80])


def _broken() -> FileProblem:
    return FileProblem("file_xlsx_broken")


def _check_declared(members: list[zipfile.ZipInfo]) -> None:
    """Refuse by the sizes in the zip's directory alone, before a byte is inflated."""
    if len(members) > MAX_MEMBERS:
        raise FileProblem("file_too_many_parts", n=MAX_MEMBERS)
    for info in members:
        if info.flag_bits & 0x1:
            raise FileProblem("file_password")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _broken()
        limit = _member_limit(info.filename)
        if info.file_size > limit:
            raise _too_big(info.filename, info.file_size, limit)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb(info.filename)
    total = sum(info.file_size for info in members)
    if total > MAX_UNPACKED:
        raise _too_big(_("全部内容"), total, MAX_UNPACKED)


def _inflate(fh, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in blocks, never more than it declared: a member whose compressed data
    unpacks to more (a forged size, which calamine would follow) or fails its CRC is refused."""
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _broken()
    fields = _LOCAL_HEADER.unpack(header)
    fh.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
    packed_left, out, crc = info.compress_size, 0, 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    pending = b""
    while packed_left or pending:
        if not pending:
            pending = fh.read(min(_INFLATE_BLOCK, packed_left))
            if not pending:
                raise _broken()  # the archive ends inside the member
            packed_left -= len(pending)
        if inflater is None:
            block, pending = pending, b""
        else:
            try:
                # At most one byte beyond what is still declared: enough to see a forged size.
                block = inflater.decompress(pending, min(_INFLATE_BLOCK, info.file_size - out + 1))
            except zlib.error:
                raise _broken() from None
            pending = inflater.unconsumed_tail
            if not block and not pending:
                if inflater.eof:
                    break
                continue
        out += len(block)
        if out > info.file_size:
            raise _bomb(info.filename)
        crc = zlib.crc32(block, crc)
        yield block
        if inflater is not None and inflater.eof:
            break
    if out != info.file_size or crc != info.CRC:
        raise _broken()


def _xlsx_inspect(path: Path) -> tuple[int, int]:
    """Bound every part of the workbook, then give (rows, columns) of the used range of every
    worksheet, read by streaming the sheet XML."""
    max_row = max_col = 0
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _broken() from None
    _check_declared(members)
    with path.open("rb") as fh:
        for info in members:
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            tail = b""
            for chunk in _inflate(fh, info):
                if not is_sheet:
                    continue
                data = tail + chunk
                for letters, digits in _CELL_REF.findall(data):
                    max_row = max(max_row, int(digits))
                    max_col = max(max_col, _column_number(letters))
                for digits in _ROW_REF.findall(data):
                    max_row = max(max_row, int(digits))
                tail = data[-256:]
    return max_row, max_col


def _excel_rows(path: Path, kind: str) -> Iterator[tuple[int, list]]:
    import python_calamine

    if kind == "xlsx":
        rows_used, cols_used = _xlsx_inspect(path)
        if rows_used * cols_used > MAX_CELLS:
            raise FileProblem("file_range_too_big", rows=rows_used, cols=cols_used)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:  # calamine raises several error types for broken or foreign zips
        if kind == "xlsx":
            raise _broken() from None
        raise FileProblem("file_xls_broken") from None
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
            raise FileProblem("file_encoding") from None
    if b"\x00" in data[:4096]:
        raise FileProblem("file_not_a_table")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("file_csv_encoding")


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
        raise FileProblem("file_csv_broken") from None


def iter_rows(path: Path) -> Iterator[tuple[int, list]]:
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        raise FileProblem("file_cannot_open") from None
    if size == 0:
        raise FileProblem("file_empty")
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
            raise FileProblem("file_no_data")
        raise FileProblem("file_missing_columns", columns=best_missing)
    for number, cells in rows:
        if _blank(cells):
            continue
        if len(table.rows) >= max_rows:
            raise FileProblem("file_too_many_rows", n=max_rows)
        table.rows.append((number, cells))
    if not table.rows:
        raise FileProblem("file_header_only")
    return table
