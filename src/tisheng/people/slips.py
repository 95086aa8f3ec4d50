"""The printed sign-in slips (PDF, A4, eight to a page) and the list (.xlsx) of a code batch.

The PDF embeds a subset of Noto Sans SC (only the glyphs used), so it prints the same on any office
PC whatever fonts it has. `pdf.text()` places each line directly: fpdf2's cell and multi_cell layout
costs ~3 ms a slip, text() a tenth of that, which keeps a county of 20,000 within the minute.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.errors import AppError

from .codes import display

PER_PAGE = 8  # 2 columns x 4 rows on A4 (210 x 297 mm)
SLIP_W, SLIP_H = 95.0, 70.0
MARGIN_X, MARGIN_Y = 10.0, 8.5


@dataclass(frozen=True)
class Slip:
    name: str
    school: str
    county: str
    login: str
    code: str


class FontMissing(AppError):
    code = "font_missing"
    status = 500


def _font_path() -> Path:
    path = Path(settings.TISHENG_SLIP_FONT)
    if not path.is_file():
        raise FontMissing(_("缺少登录单使用的中文字体文件（%(p)s），请运行 make setup。") % {"p": path.name})
    return path


def write_pdf(
    slips: list[Slip], path: Path, *, expires_at, site: str, progress: Callable[[int], None]
) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("tisheng")
    pdf.set_title(_("教师登录单"))
    pdf.add_font("cjk", fname=str(_font_path()))
    until = timezone.localtime(expires_at).strftime("%Y年%m月%d日 %H:%M")
    title = _("提升工程2.0 教师登录单")
    how = [
        _("首次登录：打开 %(site)s，输入上面的账号，") % {"site": site},
        _("在“密码”栏输入激活码，再设置您自己的密码。"),
        _("激活码只能使用一次，请勿转交他人。"),
    ]
    pdf.set_draw_color(150, 150, 150)
    fitted: dict[str, float] = {}
    for i, slip in enumerate(slips):
        spot = i % PER_PAGE
        if spot == 0:
            pdf.add_page()
            pdf.set_dash_pattern(dash=1.5, gap=1.5)
            for row in range(1, 4):  # cut lines between the rows and down the middle
                pdf.line(5, MARGIN_Y + row * SLIP_H, 205, MARGIN_Y + row * SLIP_H)
            pdf.line(105, 5, 105, 292)
            pdf.set_dash_pattern()
        x = MARGIN_X + (spot % 2) * (SLIP_W + 5)
        y = MARGIN_Y + (spot // 2) * SLIP_H
        pdf.set_font("cjk", size=13)
        pdf.text(x, y + 9, title)
        pdf.set_font("cjk", size=11)
        pdf.text(x, y + 18, _("姓名：%(v)s") % {"v": slip.name})
        school_line = _("学校：%(v)s") % {"v": f"{slip.county} {slip.school}"}
        if school_line not in fitted:  # a long name is set smaller to stay within the slip
            size = 11.0
            while size > 6 and pdf.get_string_width(school_line) > SLIP_W - 8:
                size -= 0.5
                pdf.set_font_size(size)
            fitted[school_line] = size
        pdf.set_font_size(fitted[school_line])
        pdf.text(x, y + 25, school_line)
        pdf.set_font_size(11)
        pdf.text(x, y + 32, _("账号：%(v)s") % {"v": slip.login})
        pdf.set_font("cjk", size=14)
        pdf.text(x, y + 40, _("激活码：%(v)s") % {"v": display(slip.code)})
        pdf.set_font("cjk", size=9)
        pdf.text(x, y + 47, _("有效期至 %(v)s") % {"v": until})
        for n, line in enumerate(how):
            pdf.text(x, y + 53 + n * 4.5, line)
        if (i + 1) % 400 == 0:
            progress(i + 1)
    if not slips:
        pdf.add_page()
    pdf.output(str(path))
    progress(len(slips))


def write_xlsx(slips: Iterable[Slip], path: Path, *, expires_at) -> None:
    import xlsxwriter

    until = timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(_("登录码"))
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    headers = [_("县区"), _("学校"), _("姓名"), _("账号"), _("激活码"), _("有效期至")]
    for col, (text, width) in enumerate(zip(headers, (12, 28, 10, 14, 14, 18), strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, text, head)
    for row, s in enumerate(slips, start=1):
        for col, value in enumerate((s.county, s.school, s.name, s.login, display(s.code), until)):
            sheet.write_string(row, col, value)
    book.close()
