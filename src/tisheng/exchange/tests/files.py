"""Spreadsheets as school offices hand them in, built inside the tests (never checked-in fixtures).

`write_xlsx` / `write_csv` take rows as lists; `None` as a whole row leaves that spreadsheet row
blank, `None` as a cell leaves the cell empty. `valid_id(n)` gives the n-th of a family of valid
resident ID numbers (GB 11643 check digit from `cleaning.id_check_char`).
"""

import csv
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from django.core.management import call_command

from tisheng.core.cleaning import id_check_char

ROSTER_HEADER = ["序号", "姓名", "性别", "身份证号", "手机号", "县区", "学校名称", "学科", "学段", "教研组"]
UNITS_HEADER = ["市", "县区", "片区", "学校名称", "学校标识码", "城乡类型", "办学类型", "是否试点校", "批次"]
EXCEL_MAX_ROW = 1_048_576


# ---- ID numbers and phones -------------------------------------------------------------------
def valid_id(n: int = 0, *, region: str = "410102") -> str:
    """A valid 18-character ID; different n give different IDs (birth date and sequence vary)."""
    birth = (date(1975, 1, 1) + timedelta(days=n // 1000)).strftime("%Y%m%d")
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def id_ending_in_x(start: int = 0) -> str:
    """A valid ID whose check character is X."""
    n = start
    while not valid_id(n).endswith("X"):
        n += 1
    return valid_id(n)


def phone(n: int = 0) -> str:
    return f"139{n:08d}"


def full_width(s: str) -> str:
    """ASCII digits and letters as a Chinese input method in full-width mode types them."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in s)


# ---- files -----------------------------------------------------------------------------------
def write_xlsx(path: Path, rows: list, *, start_row: int = 1, start_col: int = 1, extra=None) -> Path:
    """Rows from `start_row` on; `extra` maps (row, column) → value for single stray cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r, row in enumerate(rows):
        if row is None:
            continue
        for c, value in enumerate(row):
            if value is not None:
                ws.cell(row=start_row + r, column=start_col + c, value=value)
    for (r, c), value in (extra or {}).items():
        ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list, *, encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([] if row is None else ["" if v is None else v for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_file(path: Path, rows: list) -> Path:
    """By suffix: .csv as UTF-8 with BOM (what Excel saves), anything else as .xlsx."""
    if path.suffix == ".csv":
        return write_csv(path, rows)
    return write_xlsx(path, rows)


def zip_without_sheet(path: Path) -> Path:
    """A zip archive with a text member, named like a spreadsheet."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "这不是表格，只是一个压缩包。")
    return path


def docx_like(path: Path) -> Path:
    """A Word document's container: a zip with word/document.xml and no workbook."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document>花名册</w:document>')
    return path


def binary_junk(path: Path) -> Path:
    """A binary file that is neither zip nor OLE2 (contains NUL bytes)."""
    path.write_bytes(bytes(range(256)) * 16)
    return path


def ole2_not_excel(path: Path) -> Path:
    """The OLE2 signature of an old .doc/.xls with nothing behind it."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    return path


# ---- running the commands --------------------------------------------------------------------
@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run(command: str, *args) -> Outcome:
    """call_command with the exit code (SystemExit) and both output streams captured."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(command, *[str(a) for a in args], stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return Outcome(code, out.getvalue(), err.getvalue())


def report_rows(path: Path, sheet: str = "问题清单") -> list[list]:
    """The rows of one sheet of a written report, read back with python-calamine."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_name(sheet).to_python()


def written(*, rows, valid, created=0, updated=0, unchanged=0) -> dict:
    """The --json of an import that wrote: what it did, and the same numbers as the check's."""
    return {
        "rows": rows,
        "valid": valid,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "would_create": created,
        "would_update": updated,
        "would_keep": unchanged,
        "errors": [],
    }


# ---- spreadsheet bombs -----------------------------------------------------------------------
GIB = 1024 * 1024 * 1024
_BLOCK = 1024 * 1024


@dataclass
class RawMember:
    """A zip member given as its compressed bytes, so a test can write what no zip library would."""

    name: str
    packed: bytes
    crc: int
    size: int  # the unpacked size the zip declares
    method: int = zipfile.ZIP_DEFLATED


def _deflated(data: bytes, name: str) -> RawMember:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return RawMember(name, c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def _run_of(byte: bytes, size: int, *, head: bytes = b"", tail: bytes = b"") -> tuple[bytes, int]:
    """The raw deflate stream of head + `size` copies of byte + tail, built in milliseconds: one 1 MB
    block compressed once and repeated (a full flush makes every block's bytes the same), with its CRC."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = byte * _BLOCK
    packed = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(size // _BLOCK):
        packed.append(piece)
        crc = zlib.crc32(block, crc)
    packed.append(c.compress(tail) + c.flush())
    return b"".join(packed), zlib.crc32(tail, crc)


def write_raw_zip(path: Path, members: list[RawMember]) -> Path:
    """A zip archive (no zip64: every size below 4 GiB) from members given compressed."""
    local, central = io.BytesIO(), io.BytesIO()
    for m in members:
        name = m.name.encode()
        offset = local.tell()
        fixed = (20, 0, m.method, 0, 0x21, m.crc, len(m.packed), m.size, len(name))
        local.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fixed, 0) + name + m.packed)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fixed, 0, 0, 0, 0, 0, offset) + name)
    directory = central.getvalue()
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), local.tell(), 0
    )
    path.write_bytes(local.getvalue() + directory + end)
    return path


def roster_members(tmp: Path) -> list[RawMember]:
    """The members of a small valid roster .xlsx (openpyxl), as raw members to add a bomb to."""
    source = write_xlsx(tmp / "source.xlsx", [ROSTER_HEADER, [1, "张三", "男", valid_id(1), phone(1)]])
    with zipfile.ZipFile(source) as archive:
        return [_deflated(archive.read(i), i.filename) for i in archive.infolist()]


def xlsx_bomb(path: Path, *, member: str = "xl/sharedStrings.xml", unpacked: int = GIB) -> Path:
    """A valid roster .xlsx plus one member of about 1 MB whose content unpacks to `unpacked` bytes."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    packed, crc = _run_of(b"A", unpacked, head=head, tail=b"</t></si></sst>")
    bomb = RawMember(member, packed, crc, len(head) + unpacked // _BLOCK * _BLOCK + len(b"</t></si></sst>"))
    members = [m for m in roster_members(path.parent) if m.name != member]
    return write_raw_zip(path, [*members, bomb])


def xlsx_forged_size(path: Path, *, member: str = "xl/styles.xml", unpacked: int = 64 * _BLOCK) -> Path:
    """A roster .xlsx whose `member` declares 4 KB (with the CRC of its first 4 KB, so a reader that
    stops there is satisfied) while its data unpacks to `unpacked` bytes."""
    packed, _crc = _run_of(b"A", unpacked)
    declared = 4096
    bomb = RawMember(member, packed, zlib.crc32(b"A" * declared), declared)
    members = [m for m in roster_members(path.parent) if m.name != member]
    return write_raw_zip(path, [*members, bomb])
