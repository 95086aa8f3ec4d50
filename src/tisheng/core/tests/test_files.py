"""Files are judged by content, not by name (R-OUTCOME), with real minimal files built in the tests."""

import io

import pytest

from tisheng.core import files as filetypes
from tisheng.core.files import ContentRefused
from tisheng.core.tests import files


@pytest.mark.parametrize(
    ("name", "make", "detected", "kind"),
    [
        ("教学设计.docx", files.docx, "docx", "document"),
        ("教学设计.doc", files.doc, "doc", "document"),
        ("学情统计.xlsx", files.xlsx, "xlsx", "document"),
        ("学情统计.xls", files.xls, "xls", "document"),
        ("课件.pptx", files.pptx, "pptx", "slides"),
        ("课件.ppt", files.ppt, "ppt", "slides"),
        ("说明.pdf", files.pdf, "pdf", "pdf"),
        ("照片.png", files.png, "png", "image"),
        ("照片.JPG", files.jpeg, "jpeg", "image"),
        ("照片.jpeg", files.jpeg, "jpeg", "image"),
        ("动图.gif", files.gif, "gif", "image"),
        ("照片.webp", files.webp, "webp", "image"),
        ("课堂实录.mp4", files.mp4, "mp4", "video"),
        ("课堂实录.mov", files.mov, "mov", "video"),
        ("课堂实录.webm", files.webm, "webm", "video"),
        ("课堂实录.avi", files.avi, "avi", "video"),
    ],
)
def test_real_files_are_recognised_by_content(name, make, detected, kind):
    found = filetypes.check(io.BytesIO(make()), name)

    assert (found.name, found.kind) == (detected, kind)


def test_a_docx_saved_as_doc_is_still_a_word_document():
    assert filetypes.check(io.BytesIO(files.docx()), "旧名字.doc").name == "docx"


def test_an_image_with_the_wrong_image_extension_is_an_image():
    assert filetypes.check(io.BytesIO(files.png()), "照片.jpg").name == "png"


def test_phone_video_brands_are_videos():
    assert filetypes.check(io.BytesIO(files.mp4(brand=b"3gp5")), "a.3gp").kind == "video"
    assert filetypes.check(io.BytesIO(files.mp4(brand=b"mp42")), "a.mp4").kind == "video"
    bare_3gp = b"\x00\x00\x00\x14ftyp3gp5\x00\x00\x00\x003gp5" + b"\x00" * 64
    assert filetypes.check(io.BytesIO(bare_3gp), "a.3gp").name == "3gp"


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("教学设计.docx", files.exe, "文件内容不是Word文档"),
        ("教学设计.doc", files.exe, "文件内容不是Word文档"),
        ("课件.pptx", files.docx, "文件内容不是PowerPoint演示文稿"),
        ("说明.pdf", files.png, "文件内容不是PDF文件"),
        ("照片.png", files.pdf, "文件内容不是图片"),
        ("课堂实录.mp4", files.exe, "文件内容不是视频"),
        ("课堂实录.mp4", files.png, "文件内容不是视频"),
        ("教学设计.doc", files.msi, "文件内容不是Word文档"),  # an installer is an OLE file too
        ("学情统计.xls", files.doc, "文件内容不是Excel表格"),
        ("压缩包.docx", lambda: files.ooxml("word", main_type="application/zip"), "文件内容不是Word文档"),
        ("空.docx", lambda: b"", "文件内容不是Word文档"),
        ("截断.docx", lambda: files.docx()[:100], "文件内容不是Word文档"),
        ("文本.pdf", lambda: b"hello %PDF-1.4", "文件内容不是PDF文件"),
    ],
)
def test_content_that_does_not_match_the_name_is_refused(name, make, message):
    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(make()), name)

    assert message in str(refused.value.message)
    assert refused.value.code == "content_refused"


@pytest.mark.parametrize(
    "name", ["病毒.exe", "脚本.js", "网页.html", "矢量图.svg", "无扩展名", "压缩包.zip", ".docx"]
)
def test_names_of_kinds_we_do_not_take_are_refused_before_reading(name):
    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(files.docx()), name)

    assert "不支持" in str(refused.value.message)


def test_zip_bomb_by_ratio_is_refused():
    data = files.zip_bomb_ratio(20)  # 20 MB of zeros packed into a few kB

    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(data), "教学设计.docx")

    assert "压缩炸弹" in str(refused.value.message)


def test_zip_bomb_by_total_size_is_refused():
    data = files.zip_bomb_total(210)

    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(data), "教学设计.docx")

    assert "压缩炸弹" in str(refused.value.message)


def test_a_member_larger_than_its_declared_size_is_refused():
    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(files.zip_forged_size()), "教学设计.docx")

    assert "已损坏" in str(refused.value.message)


@pytest.mark.parametrize(
    "member", ["../../etc/cron.d/x", "/etc/passwd", "word/../../x.xml", "C:/Windows/x.dll", "..\\x"]
)
def test_unsafe_member_names_are_refused(member):
    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(files.zip_with_names(member)), "教学设计.docx")

    assert "不安全的路径" in str(refused.value.message)


def test_too_many_members_are_refused():
    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(files.zip_many_members(2001)), "教学设计.docx")

    assert "超过2000个" in str(refused.value.message)


def test_two_thousand_members_are_fine():
    assert filetypes.check(io.BytesIO(files.zip_many_members(1990)), "教学设计.docx").name == "docx"


def test_macros_are_refused():
    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(files.ooxml("docm")), "教学设计.docx")
    assert "宏" in str(refused.value.message)

    with pytest.raises(ContentRefused):
        filetypes.check(io.BytesIO(files.docx(extra={"word/vbaProject.bin": b"x"})), "教学设计.docx")


def test_password_protected_office_files_are_refused_with_their_own_message():
    with pytest.raises(ContentRefused) as refused:
        filetypes.check(io.BytesIO(files.encrypted_office()), "教学设计.docx")

    assert "密码" in str(refused.value.message)


def test_clean_name_keeps_the_last_part_and_the_extension():
    assert filetypes.clean_name("C:\\Users\\李\\教学设计.docx") == "教学设计.docx"
    assert filetypes.clean_name("../../etc/passwd") == "passwd"
    assert filetypes.clean_name("a\x00b\x07.png") == "ab.png"
    long = filetypes.clean_name("长" * 300 + ".docx")
    assert len(long) == 200 and long.endswith(".docx")


def test_sha256_is_streamed_and_rewinds():
    data = files.mp4(3 * 1024 * 1024)
    fh = io.BytesIO(data)
    import hashlib

    assert filetypes.sha256_of(fh) == hashlib.sha256(data).hexdigest()
    assert fh.tell() == 0
