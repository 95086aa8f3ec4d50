"""What an uploaded file is, judged by its content, never by its name (R-OUTCOME): the checks shared by
evidence files and plan attachments, so that both apps use one module below them.

The name's extension says what the teacher meant to hand in (a Word document, slides, a PDF, an
image, a video); the bytes must then be that. An .exe renamed .docx is refused ("文件内容不是Word文档"),
and so is an Office file that is not what an Office file should be: a zip with too many members,
members that unpack to more than 200 MB or at a ratio above 100 (a zip bomb), absolute or ../ member
names, members whose data does not match their declared size (checked by unpacking with a bound), or
macros. Encrypted Office files are refused with their own message (reviewers could not open them).

Images, videos and PDFs are recognised by their magic bytes through the `filetype` library; the OOXML
zip inspection is ours (the library only peeks at the first member names); legacy OLE files
(.doc/.ppt/.xls) are told apart by their stream names through `olefile` (an .msi installer is OLE too).

Every function takes a seekable binary file object and reads it in bounded pieces: nothing is ever
read whole into memory.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
import olefile
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tisheng.core.errors import ValidationFailed

HEAD_BYTES = 8192
READ_BLOCK = 1024 * 1024

# Zip-bomb and path checks of Office (OOXML) files.
MAX_ZIP_MEMBERS = 2000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # below 1 MB unpacked nothing can be a bomb; tiny XML parts compress oddly
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class FileKind(models.TextChoices):
    """What a file is for a reader (and for the city's size limits); stored on evidence files."""

    DOCUMENT = "document", gettext_lazy("文档")
    SLIDES = "slides", gettext_lazy("演示文稿")
    PDF = "pdf", "PDF"
    IMAGE = "image", gettext_lazy("图片")
    VIDEO = "video", gettext_lazy("视频")


class ContentRefused(ValidationFailed):
    """The file is not what its name says, or is hostile. The message says which, in plain words."""

    code = "content_refused"


@dataclass(frozen=True)
class FileType:
    name: str  # "docx", "png", ...
    kind: str  # FileKind value
    mime: str
    extension: str  # used for the storage name and downloads


_T = FileType
TYPES = {
    t.name: t
    for t in [
        _T(
            "docx",
            FileKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        _T("doc", FileKind.DOCUMENT, "application/msword", ".doc"),
        _T(
            "xlsx",
            FileKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        _T("xls", FileKind.DOCUMENT, "application/vnd.ms-excel", ".xls"),
        _T(
            "pptx",
            FileKind.SLIDES,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx",
        ),
        _T("ppt", FileKind.SLIDES, "application/vnd.ms-powerpoint", ".ppt"),
        _T("pdf", FileKind.PDF, "application/pdf", ".pdf"),
        _T("png", FileKind.IMAGE, "image/png", ".png"),
        _T("jpeg", FileKind.IMAGE, "image/jpeg", ".jpg"),
        _T("gif", FileKind.IMAGE, "image/gif", ".gif"),
        _T("webp", FileKind.IMAGE, "image/webp", ".webp"),
        _T("heic", FileKind.IMAGE, "image/heic", ".heic"),
        _T("avif", FileKind.IMAGE, "image/avif", ".avif"),
        _T("mp4", FileKind.VIDEO, "video/mp4", ".mp4"),
        _T("m4v", FileKind.VIDEO, "video/x-m4v", ".m4v"),
        _T("mov", FileKind.VIDEO, "video/quicktime", ".mov"),
        _T("3gp", FileKind.VIDEO, "video/3gpp", ".3gp"),
        _T("webm", FileKind.VIDEO, "video/webm", ".webm"),
        _T("mkv", FileKind.VIDEO, "video/x-matroska", ".mkv"),
        _T("avi", FileKind.VIDEO, "video/x-msvideo", ".avi"),
    ]
}


@dataclass(frozen=True)
class Family:
    """What a name's extension promises: its label in messages and the content types that keep it."""

    label: str
    kind: str
    types: frozenset[str]


WORD = Family(gettext_lazy("Word文档"), FileKind.DOCUMENT, frozenset({"docx", "doc"}))
EXCEL = Family(gettext_lazy("Excel表格"), FileKind.DOCUMENT, frozenset({"xlsx", "xls"}))
SLIDES = Family(gettext_lazy("PowerPoint演示文稿"), FileKind.SLIDES, frozenset({"pptx", "ppt"}))
PDF = Family(gettext_lazy("PDF文件"), FileKind.PDF, frozenset({"pdf"}))
IMAGE = Family(
    gettext_lazy("图片（JPG、PNG、GIF、WebP、HEIC）"),
    FileKind.IMAGE,
    frozenset({"png", "jpeg", "gif", "webp", "heic", "avif"}),
)
VIDEO = Family(
    gettext_lazy("视频（MP4、MOV、WebM、MKV、AVI）"),
    FileKind.VIDEO,
    frozenset({"mp4", "m4v", "mov", "3gp", "webm", "mkv", "avi"}),
)
FAMILIES = {
    ".docx": WORD,
    ".doc": WORD,
    ".xlsx": EXCEL,
    ".xls": EXCEL,
    ".pptx": SLIDES,
    ".ppt": SLIDES,
    ".pdf": PDF,
    ".png": IMAGE,
    ".jpg": IMAGE,
    ".jpeg": IMAGE,
    ".gif": IMAGE,
    ".webp": IMAGE,
    ".heic": IMAGE,
    ".heif": IMAGE,
    ".avif": IMAGE,
    ".mp4": VIDEO,
    ".m4v": VIDEO,
    ".mov": VIDEO,
    ".3gp": VIDEO,
    ".webm": VIDEO,
    ".mkv": VIDEO,
    ".avi": VIDEO,
}
ACCEPT = ",".join(sorted(FAMILIES))  # for <input type="file" accept=...>

# ISO base media brands of video files that `filetype` does not list (phones, cameras, DASH).
VIDEO_BRANDS = {
    "isom": "mp4", "iso2": "mp4", "iso4": "mp4", "iso5": "mp4", "iso6": "mp4", "mp41": "mp4",
    "mp42": "mp4", "avc1": "mp4", "dash": "mp4", "mp71": "mp4", "MSNV": "mp4", "XAVC": "mp4",
    "M4V ": "m4v", "M4VH": "m4v", "M4VP": "m4v", "qt  ": "mov",
    "3gp4": "3gp", "3gp5": "3gp", "3gp6": "3gp", "3gp7": "3gp", "3g2a": "3gp",
}  # fmt: skip
IMAGE_NAMES = {
    "jpg": "jpeg",
    "png": "png",
    "apng": "png",
    "gif": "gif",
    "webp": "webp",
    "heic": "heic",
    "avif": "avif",
}
VIDEO_NAMES = {"mp4": "mp4", "m4v": "m4v", "mov": "mov", "webm": "webm", "mkv": "mkv", "avi": "avi"}


# ---- names ---------------------------------------------------------------------------------------
def clean_name(name: str) -> str:
    """The name shown and offered on download: the last path part, no control characters, ≤ 200 chars."""
    name = re.split(r"[/\\]", str(name or ""))[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def family_for(name: str) -> Family:
    suffix = PurePosixPath(clean_name(name).lower()).suffix
    family = FAMILIES.get(suffix)
    if family is None:
        shown = suffix or _("无扩展名")
        raise ContentRefused(
            _("不支持“%(ext)s”类型的文件。可上传：Word、Excel、PowerPoint、PDF、图片和视频。")
            % {"ext": shown},
            fields={"file": _("类型不支持")},
        )
    return family


# ---- content ---------------------------------------------------------------------------------------
def _head(fileobj) -> bytes:
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    return bytes(head)


def _iso_brand(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return VIDEO_BRANDS.get(head[8:12].decode("latin-1"))
    return None


def detect(fileobj) -> str | None:
    """The type name of a file's content (a key of TYPES), or None when it is none we accept.

    Raises ContentRefused for files that are hostile or unreadable in a way worth saying (zip bombs,
    unsafe member names, macros, encryption).
    """
    head = _head(fileobj)
    if head.startswith(b"%PDF-") or head.startswith(b"\xef\xbb\xbf%PDF-"):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return _ooxml(fileobj)
    if head.startswith(OLE_MAGIC):
        return _ole(fileobj)
    image = filetype.image_match(head)
    if image is not None:
        return IMAGE_NAMES.get(image.extension)
    video = filetype.video_match(head)
    if video is not None and video.extension in VIDEO_NAMES:
        return VIDEO_NAMES[video.extension]
    return _iso_brand(head)


def _unsafe_member(name: str) -> bool:
    parts = re.split(r"[/\\]", name)
    return (
        name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts or "\x00" in name
    )


def _ooxml(fileobj) -> str | None:
    """An Office Open XML file (docx/pptx/xlsx), inspected member by member with hard bounds."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ContentRefused(
                _("文件结构异常：压缩包内的文件超过%(n)s个，已拒绝。") % {"n": MAX_ZIP_MEMBERS},
                fields={"file": _("疑似压缩炸弹")},
            )
        for info in members:
            if _unsafe_member(info.filename):
                raise ContentRefused(
                    _("文件结构异常：包含不安全的路径“%(name)s”，已拒绝。") % {"name": info.filename[:80]},
                    fields={"file": _("不安全的路径")},
                )
        unpacked = sum(i.file_size for i in members)
        packed = sum(i.compress_size for i in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _bomb()
        if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1):
            raise _bomb()
        for info in members:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _bomb()
        # Unpack every member with a bound: zipfile stops at the declared size and checks the CRC,
        # so a member whose data is larger than it claims (a forged size) fails here, and the work
        # is bounded by the declared total checked above.
        content_types = b""
        try:
            for info in members:
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    while block := member.read(READ_BLOCK):
                        if (
                            info.filename == "[Content_Types].xml"
                            and len(content_types) < MAX_CONTENT_TYPES_BYTES
                        ):
                            content_types += block[: MAX_CONTENT_TYPES_BYTES - len(content_types)]
        except RuntimeError:  # an encrypted member
            raise ContentRefused(
                _("文件设置了密码，请取消密码后再上传。"), fields={"file": _("已加密")}
            ) from None
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError):
            raise ContentRefused(
                _("文件已损坏，无法读取，请重新保存后再上传。"), fields={"file": _("已损坏")}
            ) from None
        names = {i.filename for i in members}
    if "[Content_Types].xml" not in names:
        return None
    types = content_types.decode("utf-8", "replace")
    if "macroenabled" in types.lower() or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macros()

    def has(prefix: str) -> bool:
        return any(n.startswith(prefix) for n in names)

    if ("wordprocessingml.document.main" in types or "wordprocessingml.template.main" in types) and has(
        "word/"
    ):
        return "docx"
    if (
        "presentationml.presentation.main" in types
        or "presentationml.slideshow.main" in types
        or "presentationml.template.main" in types
    ) and has("ppt/"):
        return "pptx"
    if ("spreadsheetml.sheet.main" in types or "spreadsheetml.template.main" in types) and has("xl/"):
        return "xlsx"
    return None


def _bomb() -> ContentRefused:
    return ContentRefused(
        _("文件解压后过大或压缩比异常（疑似压缩炸弹），已拒绝。"), fields={"file": _("疑似压缩炸弹")}
    )


def _macros() -> ContentRefused:
    return ContentRefused(
        _("不接受包含宏的Office文件，请另存为不含宏的格式（.docx、.pptx、.xlsx）后上传。"),
        fields={"file": _("含宏")},
    )


def _ole(fileobj) -> str | None:
    """A legacy Office file (.doc/.ppt/.xls): an OLE compound file told apart by its streams."""
    try:
        ole = olefile.OleFileIO(fileobj)
    except Exception:  # olefile raises OSError and a handful of its own for malformed files
        return None
    try:
        entries = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=True)}
    except Exception:
        return None
    finally:
        ole.close()
        fileobj.seek(0)
    if "encryptedpackage" in entries:  # a password-protected docx/pptx/xlsx is wrapped in OLE
        raise ContentRefused(_("文件设置了密码，请取消密码后再上传。"), fields={"file": _("已加密")})
    if "worddocument" in entries:
        if "macros" in entries or any(e.startswith("macros/") for e in entries):
            raise _macros()
        return "doc"
    if "powerpoint document" in entries:
        return "ppt"
    if "workbook" in entries or "book" in entries:
        if any(e.startswith("_vba_project_cur") for e in entries):
            raise _macros()
        return "xls"
    return None


def check(fileobj, name: str) -> FileType:
    """The file's type if its content is what its name promises; ContentRefused otherwise."""
    family = family_for(name)
    found = detect(fileobj)
    if found not in family.types:
        raise ContentRefused(
            _("“%(name)s”的文件内容不是%(what)s，请检查后重新上传。")
            % {"name": clean_name(name)[:60], "what": family.label},
            fields={"file": _("文件内容与类型不符")},
        )
    return TYPES[found]


def sha256_of(fileobj) -> str:
    fileobj.seek(0)
    digest = hashlib.sha256()
    while block := fileobj.read(READ_BLOCK):
        digest.update(block)
    fileobj.seek(0)
    return digest.hexdigest()
