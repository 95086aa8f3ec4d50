"""Real, minimal files built byte by byte for the content checks (no fixtures on disk, no libraries
that write Office files): PNG via zlib, PDF by hand, OOXML zips with zipfile, OLE compound files
with a small writer below, MP4/WebM/AVI headers, a Windows executable, zip bombs."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
    )


def gif() -> bytes:
    return b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def webp() -> bytes:
    body = b"WEBPVP8 " + struct.pack("<I", 10) + b"\x00" * 10
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def mp4(size: int = 4096, brand: bytes = b"isom") -> bytes:
    ftyp = struct.pack(">I", 24) + b"ftyp" + brand + struct.pack(">I", 0x200) + b"isomiso2"
    mdat_len = max(8, size - len(ftyp))
    return ftyp + struct.pack(">I", mdat_len) + b"mdat" + b"\x00" * (mdat_len - 8)


def mov() -> bytes:
    return struct.pack(">I", 20) + b"ftypqt  " + struct.pack(">I", 0) + b"qt  " + b"\x00" * 64


def webm() -> bytes:
    return (
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
        + b"\x00" * 64
    )


def avi() -> bytes:
    return b"RIFF" + struct.pack("<I", 100) + b"AVI LIST" + b"\x00" * 96


def exe() -> bytes:
    stub = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + struct.pack("<I", 64)
    )
    return stub + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 200 + b"PE\x00\x00"


MAIN_TYPES = {
    "word": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "ppt": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "xl": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
}
MAIN_PART = {
    "word": "word/document.xml",
    "ppt": "ppt/presentation.xml",
    "xl": "xl/workbook.xml",
    "docm": "word/document.xml",
}


def ooxml(
    kind: str = "word", extra: dict[str, bytes] | None = None, *, main_type: str | None = None
) -> bytes:
    """A minimal Office Open XML package: [Content_Types].xml, _rels/.rels and the main part."""
    part = MAIN_PART[kind]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type or MAIN_TYPES[kind]}"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{part}"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_member("[Content_Types].xml"), content_types)
        zf.writestr(_member("_rels/.rels"), rels)
        zf.writestr(_member(part), "<?xml version='1.0'?><document>教学设计</document>")
        for name, data in (extra or {}).items():
            zf.writestr(_member(name), data)
    return buf.getvalue()


def _member(name: str) -> zipfile.ZipInfo:
    # A fixed time stamp: two calls give the same bytes even when a second passes between them.
    info = zipfile.ZipInfo(name, date_time=(2022, 3, 5, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def docx(**kwargs) -> bytes:
    return ooxml("word", **kwargs)


def pptx() -> bytes:
    return ooxml("ppt")


def xlsx() -> bytes:
    return ooxml("xl")


def zip_bomb_ratio(megabytes: int = 20) -> bytes:
    """A docx with a member of zeros: under 200 MB unpacked but at a ratio of about 1000."""
    buf = io.BytesIO(docx())
    with (
        zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("word/media/image1.bin", "w") as member,
    ):
        block = b"\x00" * (1024 * 1024)
        for _ in range(megabytes):
            member.write(block)
    return buf.getvalue()


def zip_bomb_total(megabytes: int = 210) -> bytes:
    """A docx whose members unpack to more than 200 MB (written in pieces, never held whole)."""
    return zip_bomb_ratio(megabytes)


def zip_forged_size() -> bytes:
    """A docx whose document part holds more data than its declared size (a forged header)."""
    data = bytearray(docx(extra={"word/styles.xml": b"a" * 5000}))
    # Patch the declared uncompressed size of word/styles.xml in the local and central headers.
    name = b"word/styles.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while True:
            pos = data.find(sig, pos)
            if pos < 0:
                break
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[pos + size_at : pos + size_at + 4] = struct.pack("<I", 100)
            pos += 4
    return bytes(data)


def zip_with_names(*names: str) -> bytes:
    buf = io.BytesIO(docx())
    with zipfile.ZipFile(buf, "a") as zf:
        for name in names:
            zf.writestr(zipfile.ZipInfo(name), b"x")
    return buf.getvalue()


def zip_many_members(n: int = 2001) -> bytes:
    buf = io.BytesIO(docx())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"word/media/m{i}.bin", b"")
    return buf.getvalue()


# ---- OLE compound files (legacy .doc/.ppt/.xls, and an .msi for contrast) ---------------------------
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _direntry(name: str, kind: int, *, child=NOSTREAM, right=NOSTREAM, start=END, size=0) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)  # length, type, colour (black)
        + struct.pack("<III", NOSTREAM, right, child)  # left, right, child
        + b"\x00" * 16  # CLSID
        + b"\x00" * 4  # state bits
        + b"\x00" * 16  # created, modified
        + struct.pack("<IIi", start, size, 0)
    )


def ole(*streams: str) -> bytes:
    """A version-3 compound file with the given streams of 4096 bytes each (no mini stream needed)."""
    sector = 512
    per_stream = 4096 // sector
    entries = [_direntry("Root Entry", 5, child=1 if streams else NOSTREAM)]
    data = b""
    next_sector = 2  # 0: FAT, 1: directory
    for i, name in enumerate(streams):
        right = i + 2 if i + 1 < len(streams) else NOSTREAM
        entries.append(_direntry(name, 2, right=right, start=next_sector, size=4096))
        data += (name.encode() * 4096)[:4096]
        next_sector += per_stream
    while len(entries) % 4:
        entries.append(
            b"\x00" * 64
            + struct.pack("<HBB", 0, 0, 0)
            + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
            + b"\x00" * 48
        )
    directory = b"".join(entries)
    assert len(directory) == sector
    fat = [FATSECT, END]
    s = 2
    for _ in streams:
        fat += [s + k + 1 for k in range(per_stream - 1)] + [END]
        s += per_stream
    fat += [FREE] * (128 - len(fat))
    header = (
        OLE_MAGIC
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", FREE) * 108
    )
    assert len(header) == sector, len(header)
    return header + struct.pack("<128I", *fat) + directory + data


def doc() -> bytes:
    return ole("WordDocument", "1Table")


def ppt() -> bytes:
    return ole("PowerPoint Document", "Current User")


def xls() -> bytes:
    return ole("Workbook")


def msi() -> bytes:
    return ole("\u4840\u3b3f\u4577\u446c", "SummaryInformation")


def encrypted_office() -> bytes:
    return ole("EncryptionInfo", "EncryptedPackage")


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
