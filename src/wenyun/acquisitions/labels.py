"""The labels central processing prints (书标 and barcode labels), as a PDF laid out for a label paper.

A spine label carries the call number with its class above a rule and its running number (种次号) or
author number below, and a short name of the copy's unit; a barcode label the copy's barcode as
Code 128 with its text under the bars and the library's name above. The papers are held as data
below: a county that buys another paper adds a row.

Chinese is set in reportlab's CID font STSong-Light, which needs no font file on the server: the
reader's PDF viewer supplies the glyphs (SimSun on a county PC).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyun.core.errors import DomainError

# reportlab is imported inside the functions that draw: a page that never prints does not load it.

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK = "STSong-Light"

MM = 72 / 25.4  # PDF points in a millimetre


@cache
def cjk_font() -> str:
    """The name of the Chinese font, registered once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return CJK


def font_for(text: str, *, bold: bool = False) -> str:
    """Helvetica for ASCII text (crisper on a small label), the Chinese font for anything else."""
    if text.isascii():
        return LATIN_BOLD if bold else LATIN
    return cjk_font()


# -- label papers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelPaper:
    """A label paper, in millimetres: the page, its grid of labels, the first label's corner from the
    page's top left, and the pitch from one label's corner to the next one's (label plus gap)."""

    code: str
    name: str | Promise  # lazy: the page's language
    page: tuple[float, float]
    columns: int
    rows: int
    label: tuple[float, float]
    margin: tuple[float, float]  # left, top
    pitch: tuple[float, float]  # across, down
    padding: float = 1.5  # kept clear inside each label: sheets feed a little off true

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def roll(self) -> bool:
        return self.per_sheet == 1


PAPERS: dict[str, LabelPaper] = {
    paper.code: paper
    for paper in (
        LabelPaper(
            code="a4-3x8",
            name=gettext_lazy("A4 sheet, 24 labels of 70 × 37 mm (3 × 8)"),
            page=(210, 297),
            columns=3,
            rows=8,
            label=(70, 37),
            margin=(0, 0.5),
            pitch=(70, 37),
        ),
        LabelPaper(
            code="a4-4x10",
            name=gettext_lazy("A4 sheet, 40 labels of 48.5 × 25.4 mm (4 × 10)"),
            page=(210, 297),
            columns=4,
            rows=10,
            label=(48.5, 25.4),
            margin=(8, 21.5),
            pitch=(48.5, 25.4),
        ),
        LabelPaper(
            code="a4-5x13",
            name=gettext_lazy("A4 sheet, 65 labels of 38.1 × 21.2 mm (5 × 13)"),
            page=(210, 297),
            columns=5,
            rows=13,
            label=(38.1, 21.2),
            margin=(4.75, 10.7),
            pitch=(40.6, 21.2),
            padding=1.2,
        ),
        LabelPaper(
            code="roll-40x30",
            name=gettext_lazy("Thermal roll, one label of 40 × 30 mm"),
            page=(40, 30),
            columns=1,
            rows=1,
            label=(40, 30),
            margin=(0, 0),
            pitch=(40, 30),
            padding=2,
        ),
    )
}


def label_papers() -> list[LabelPaper]:
    return list(PAPERS.values())


def label_paper(code: str) -> LabelPaper:
    paper = PAPERS.get((code or "").strip().lower())
    if paper is None:
        raise DomainError(
            _("There is no label paper %(code)s; the papers are %(papers)s.")
            % {"code": code, "papers": ", ".join(PAPERS)},
            code="label_paper_unknown",
        )
    return paper


class LabelKind(models.TextChoices):
    SPINE = "spine", gettext_lazy("Spine labels")
    BARCODE = "barcode", gettext_lazy("Barcode labels")
    BOTH = "both", gettext_lazy("Spine and barcode labels")


# -- what goes on a label -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelCopy:
    barcode: str
    call_number: str
    unit: str  # the copy's unit, shortened for the spine
    library: str  # the name over the barcode: the library that owns the county's books


# A unit's name without the words every unit of its kind has: 东坝镇综合文化站 → 东坝镇文化站,
# 石桥村综合文化服务中心 → 石桥村. The spine has room for five or six characters.
_NAME_TRIMS = (
    ("综合文化服务中心", ""),
    ("文化活动中心", ""),
    ("综合文化站", "文化站"),
    ("农家书屋", ""),
)


def unit_short_name(name: str) -> str:
    name = (name or "").strip()
    for suffix, replacement in _NAME_TRIMS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def label_copies(*, receipts: Iterable) -> list[LabelCopy]:
    """Labels for received copies (acquisitions.Receipt), in the order given: each with its
    destination unit and the buying hub's name."""
    return [
        LabelCopy(
            barcode=receipt.barcode,
            call_number=receipt.call_number,
            unit=unit_short_name(receipt.destination.unit.name),
            library=receipt.line.order.unit.name,
        )
        for receipt in receipts
    ]


def label_copies_of_items(*, items: Iterable, library: str) -> list[LabelCopy]:
    """Labels for copies already on the shelves (catalog.Item), e.g. a worn label printed again."""
    return [
        LabelCopy(
            barcode=item.barcode,
            call_number=item.call_number,
            unit=unit_short_name(item.home_unit.name),
            library=library,
        )
        for item in items
    ]


def call_number_lines(call_number: str) -> list[str]:
    """The lines of a spine label: the class, then the running or author number, then any further
    part (a volume: I247.57/12:2 stays on the number's line; "I247.57/12/2" gives a third line)."""
    return [part.strip() for part in re.split(r"\s*/\s*", (call_number or "").strip()) if part.strip()]


# -- layout ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    page: int  # from 0
    column: int  # from 0, left to right
    row: int  # from 0, top to bottom


def label_slots(*, paper: LabelPaper, count: int, start_at: int = 1) -> list[Slot]:
    """Where each of count labels goes, filling each sheet row by row from the start_at-th label of the
    first (counted as people count: left to right, top to bottom, from 1), the used ones left blank."""
    if not 1 <= start_at <= paper.per_sheet:
        raise DomainError(
            _("The first label must be between 1 and %(last)s on this paper, not %(start)s.")
            % {"last": paper.per_sheet, "start": start_at},
            code="label_start_invalid",
        )
    slots = []
    for index in range(start_at - 1, start_at - 1 + count):
        page, place = divmod(index, paper.per_sheet)
        row, column = divmod(place, paper.columns)
        slots.append(Slot(page=page, column=column, row=row))
    return slots


def _fit(text: str, font: str, *, size: float, width: float, smallest: float = 4.0) -> tuple[str, float]:
    """The text and the size it is set at to fit the width: smaller down to `smallest`, then cut."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = stringWidth(text, font, 1) or 1
    size = min(size, width / natural)
    if size >= smallest:
        return text, size
    while len(text) > 1 and stringWidth(text + "…", font, smallest) > width:
        text = text[:-1]
    return (text + "…" if text else text), smallest


def _line(
    canvas, text: str, *, font: str, size: float, centre_x: float, bottom: float, height: float
) -> None:
    """Centre one line of text in a band: capitals and figures by their height, Chinese by its body."""
    from reportlab.pdfbase.pdfmetrics import getAscentDescent

    if font == CJK:
        ascent, descent = getAscentDescent(font, size)
        baseline = bottom + (height - (ascent - descent)) / 2 - descent
    else:
        baseline = bottom + (height - 0.72 * size) / 2
    canvas.setFont(font, size)
    canvas.drawCentredString(centre_x, baseline, text)


def _draw_spine(canvas, copy: LabelCopy, *, x: float, y: float, width: float, height: float) -> None:
    lines = call_number_lines(copy.call_number)
    unit_band = height * 0.2 if copy.unit else 0
    call_band = (height - unit_band) / len(lines)
    centre = x + width / 2
    if copy.unit:
        font = font_for(copy.unit)
        text, size = _fit(copy.unit, font, size=unit_band * 0.8, width=width)
        _line(
            canvas,
            text,
            font=font,
            size=size,
            centre_x=centre,
            bottom=y + height - unit_band,
            height=unit_band,
        )
    # One size for every line of the call number, the largest at which the widest fits.
    size = call_band * 0.62 / 0.72
    for part in lines:
        size = min(size, _fit(part, font_for(part, bold=True), size=size, width=width)[1])
    for index, part in enumerate(lines):
        bottom = y + height - unit_band - (index + 1) * call_band
        font = font_for(part, bold=True)
        text, _size = _fit(part, font, size=size, width=width, smallest=size)
        _line(canvas, text, font=font, size=size, centre_x=centre, bottom=bottom, height=call_band)
    if len(lines) > 1:  # the rule between the class and its number, as on a 书标
        rule_y = y + height - unit_band - call_band
        canvas.setLineWidth(0.6)
        canvas.line(x + width * 0.1, rule_y, x + width * 0.9, rule_y)


def _draw_barcode(canvas, copy: LabelCopy, *, x: float, y: float, width: float, height: float) -> None:
    from reportlab.graphics.barcode.code128 import Code128

    name_band = height * 0.22 if copy.library else 0
    text_band = height * 0.2
    bars_band = height - name_band - text_band
    centre = x + width / 2
    if copy.library:
        font = font_for(copy.library)
        text, size = _fit(copy.library, font, size=name_band * 0.8, width=width)
        _line(
            canvas,
            text,
            font=font,
            size=size,
            centre_x=centre,
            bottom=y + height - name_band,
            height=name_band,
        )
    # The narrowest bar as wide as the label allows, up to 0.4 mm, with ten of them clear each side.
    modules = Code128(copy.barcode, barWidth=1, quiet=0).width
    bar = min(0.4 * MM, width / (modules + 20))
    symbol = Code128(
        copy.barcode, barWidth=bar, barHeight=bars_band * 0.9, quiet=1, lquiet=10 * bar, rquiet=10 * bar
    )
    symbol.drawOn(canvas, centre - symbol.width / 2, y + text_band + bars_band * 0.05)
    text, size = _fit(copy.barcode, LATIN, size=text_band * 0.85 / 0.72, width=width)
    _line(canvas, text, font=LATIN, size=size, centre_x=centre, bottom=y, height=text_band)


_DRAW: dict[str, Callable[..., None]] = {LabelKind.SPINE: _draw_spine, LabelKind.BARCODE: _draw_barcode}


def _check(copies: Sequence[LabelCopy], kind: str) -> list[tuple[str, LabelCopy]]:
    """The labels to print in order, a copy's spine label before its barcode label; refused whole,
    before anything is drawn, when a copy cannot have the label asked for."""
    if kind not in LabelKind.values:
        raise DomainError(
            _("There is no kind of label %(kind)s; the kinds are %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(LabelKind.values)},
            code="label_kind_unknown",
        )
    if not copies:
        raise DomainError(_("There are no copies to print labels for."), code="labels_empty")
    kinds = [LabelKind.SPINE, LabelKind.BARCODE] if kind == LabelKind.BOTH else [LabelKind(kind)]
    for copy in copies:
        barcode = copy.barcode or ""
        if LabelKind.BARCODE in kinds and (not barcode.strip() or not barcode.isascii()):
            raise DomainError(
                _(
                    "The barcode %(barcode)s cannot be printed in Code 128: it takes letters, figures and signs only."
                )
                % {"barcode": barcode or "—"},
                code="label_barcode_invalid",
            )
        if LabelKind.SPINE in kinds and not call_number_lines(copy.call_number):
            raise DomainError(
                _("%(barcode)s has no call number: give it one before printing its spine label.")
                % {"barcode": barcode},
                code="label_call_number_missing",
            )
    return [(each, copy) for copy in copies for each in kinds]


def labels_pdf(
    *,
    copies: Sequence[LabelCopy],
    paper: str,
    kind: str = LabelKind.BOTH,
    start_at: int = 1,
    compress: bool = True,
) -> bytes:
    """The labels of the copies as a PDF for the paper (a code of PAPERS), at its actual size: print it
    at 100 %, not "fit to page". start_at skips the labels already used on a partly used sheet.
    compress=False leaves the page streams readable (tests look for the text in them)."""
    from reportlab.pdfgen.canvas import Canvas

    sheet = label_paper(paper)
    labels = _check(copies, kind)
    slots = label_slots(paper=sheet, count=len(labels), start_at=start_at)
    page_width, page_height = (sheet.page[0] * MM, sheet.page[1] * MM)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(page_width, page_height), pageCompression=1 if compress else 0)
    canvas.setTitle(str(LabelKind(kind).label))
    canvas.setCreator("Wenyun")
    page = 0
    pad = sheet.padding * MM
    for (each, copy), slot in zip(labels, slots, strict=True):
        while slot.page > page:
            canvas.showPage()
            page += 1
        left = (sheet.margin[0] + slot.column * sheet.pitch[0]) * MM
        top = page_height - (sheet.margin[1] + slot.row * sheet.pitch[1]) * MM
        _DRAW[each](
            canvas,
            copy,
            x=left + pad,
            y=top - sheet.label[1] * MM + pad,
            width=sheet.label[0] * MM - 2 * pad,
            height=sheet.label[1] * MM - 2 * pad,
        )
    canvas.showPage()
    canvas.save()
    return out.getvalue()
