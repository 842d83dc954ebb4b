"""Selection: a vendor's offer list (征订目录) read from its spreadsheet or MARC, what stations and
villages wish from it (百姓点单), readers' purchase suggestions (荐购), and the hub's answer to each:
accepted into an order, where it becomes copies for its unit, or declined with a reason."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyun.catalog.extract import NEEDED_TAGS, extract
from wenyun.catalog.marc import MarcError, detect_flavour, read_file
from wenyun.core import uploads
from wenyun.core.errors import DomainError, Forbidden, NotFound, Refused
from wenyun.core.normalise import plain, price_parse
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit, UnitKind

from ..access import require_acquirer
from ..lifecycle import SUGGESTION_LIFECYCLE
from ..models import (
    Fund,
    OfferLine,
    OfferList,
    Order,
    OrderLine,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    Vendor,
)
from ._common import Type, _now, _record, isbn13, quantity, text
from .orders import LineIn, order_create

# -- offer lists ------------------------------------------------------------------------------------

# Each column's names as vendors' lists write them, compared without case, spaces or a unit in brackets
# ("定价（元）" is 定价).
OFFER_HEADERS: dict[str, tuple[str, ...]] = {
    "isbn": ("isbn", "isbn号", "书号", "标准书号", "国际标准书号", "isbn/issn"),
    "title": ("title", "题名", "书名", "正题名", "图书名称", "品名"),
    "author": ("author", "责任者", "作者", "著者", "编著者", "责任者/作者"),
    "publisher": ("publisher", "出版社", "出版者", "出版单位"),
    "price": ("price", "listprice", "定价", "价格", "单价"),
    "year": ("year", "出版年", "出版年份", "出版日期", "出版时间"),
    "clc": ("clc", "clcclass", "class", "中图分类号", "中图法分类号", "中图分类", "分类号"),
}
HEADER_SEARCH_ROWS = 10  # a vendor's sheet often has a title row or two above its header
MARC_SUFFIXES = (".mrc", ".marc", ".iso", ".iso2709", ".xml")
MAX_PROBLEMS = 1000  # sentences kept on the list; the count is always complete
_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")
_BRACKETED = re.compile(r"[(（【\[].*?[)）】\]]")
_HEADER_NOISE = re.compile(r"[\s_\-:：*]")


@dataclass
class OfferReport:
    offer: OfferList | None
    file: str
    lines: int = 0  # lines (or MARC records) read, blank lines left out
    added: int = 0
    problems: list[dict] = field(default_factory=list)  # {"line": n, "message": one sentence naming it}
    problem_count: int = 0

    def as_dict(self) -> dict:
        return {
            "offer": self.offer.pk if self.offer else None,
            "file": self.file,
            "lines": self.lines,
            "added": self.added,
            "problems": self.problems,
            "problem_count": self.problem_count,
        }


def _header_key(value: str) -> str:
    return _HEADER_NOISE.sub("", _BRACKETED.sub("", plain(value).lower()))


_HEADER_OF = {_header_key(alias): name for name, aliases in OFFER_HEADERS.items() for alias in aliases}


def _columns(row: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = _HEADER_OF.get(_header_key(cell))
        if name and name not in columns:
            columns[name] = index
    return columns


def _year(value: str, *, today: dt.date) -> int | None:
    written = plain(value)
    if not written:
        return None
    match = _YEAR.search(written)
    if match is None or int(match.group(1)) > today.year + 1:
        raise DomainError(
            _("%(value)s is not a year of publication.") % {"value": value}, code="year_invalid"
        )
    return int(match.group(1))


def _offer_line(number: int, values: dict[str, str], *, today: dt.date) -> OfferLine:
    """One line as the vendor wrote it, or DomainError with the sentence saying what is wrong."""
    price = price_parse(values.get("price"))
    if price is not None and price <= 0:
        raise DomainError(
            _("%(price)s is not a price.") % {"price": values.get("price")}, code="price_invalid"
        )
    return OfferLine(
        number=number,
        title=text(values.get("title"), label=_("The book's title"), max_length=500, required=True),
        isbn=isbn13(values.get("isbn", "")),
        author=text(values.get("author"), label=_("The author"), max_length=255),
        publisher=text(values.get("publisher"), label=_("The publisher"), max_length=255),
        year=_year(values.get("year", ""), today=today),
        clc=text(values.get("clc"), label=_("The CLC class"), max_length=40).upper(),
        price=price,
    )


def _table_lines(data: bytes, *, filename: str, today: dt.date):
    """(number, OfferLine or the sentence saying why the line is bad) for each non-blank line under the header."""
    rows = uploads.table_rows(data=data, filename=filename)
    header_at = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if "title" in _columns(row):
            header_at = index
            break
    if header_at is None:
        raise DomainError(
            _("%(file)s has no title column (题名, 书名 or title) in its header row.") % {"file": filename},
            code="header_missing",
        )
    columns = _columns(rows[header_at])
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(row):
            continue
        values = {name: (row[i] if i < len(row) else "") for name, i in columns.items()}
        try:
            yield number, _offer_line(number, values, today=today)
        except DomainError as error:
            yield number, _("Line %(n)s: %(reason)s") % {"n": number, "reason": error.message}


def _marc_price(record, flavour: str) -> Decimal | None:
    """The price a record gives (MARC 21 020$c, CNMARC 010$d). One not in yuan (USD25.00) is no price."""
    tag, code = ("010", "d") if flavour == "unimarc" else ("020", "c")
    for f in record.get_fields(tag):
        try:
            price = price_parse(f.get(code))
        except DomainError:
            continue
        if price:
            return price
    return None


def _marc_lines(data: bytes, *, filename: str, today: dt.date):
    uploads.marc_check(data=data, filename=filename)
    for pos, record in read_file(io.BytesIO(data), tags=NEEDED_TAGS):
        where = _("Record %(n)s") % {"n": pos.number}
        if isinstance(record, MarcError):
            yield pos.number, f"{where}: {record}"
            continue
        flavour = detect_flavour(record)
        found = extract(record, flavour=flavour, holdings_map={})
        if found.isbn is not None and not found.isbn.valid:
            yield (
                pos.number,
                f"{where}: "
                + _("%(isbn)s is not a valid ISBN: check the digits and the check digit.")
                % {"isbn": found.isbn.raw},
            )
            continue
        values = {
            "title": found.title,
            "isbn": found.isbn.isbn13 if found.isbn else "",
            "author": (found.authors[0] if found.authors else found.responsibility)[:255],
            "publisher": found.publisher,
            "year": str(found.year or ""),
            "clc": found.clc,
        }
        try:
            line = _offer_line(pos.number, values, today=today)
        except DomainError as error:
            yield pos.number, f"{where}: {error.message}"
            continue
        line.price = _marc_price(record, flavour)
        yield pos.number, line


def _is_marc(data: bytes, filename: str) -> bool:
    name = filename.lower()
    if name.endswith(MARC_SUFFIXES):
        return True
    if name.endswith((".xlsx", ".csv", ".txt", ".tsv")):
        return False
    head = data[:24]
    return len(head) == 24 and head[:5].isdigit() and b"\x1e" in data[:100_000]


@transaction.atomic
def offer_list_import(
    *, actor, vendor: Vendor, name: str, content: bytes, filename: str, at: dt.datetime | None = None
) -> OfferReport:
    """Read a vendor's offer list from XLSX or CSV (UTF-8 or GB18030; Chinese or English headers) or
    from MARC 21 / CNMARC. Every good line is kept with its number; each bad one is reported in one
    sentence with its number, and the rest imports. A list without one good line is refused."""
    require_acquirer(actor)
    now = _now(at)
    filename = os.path.basename(filename or "") or "offer.csv"
    if filename.lower().endswith(".xls"):
        raise DomainError(
            _("%(file)s is an old Excel workbook (XLS): save it as XLSX or CSV and import that.")
            % {"file": filename},
            code="file_format",
        )
    if not vendor.active:
        raise Refused(
            _("%(vendor)s is no longer an active vendor.") % {"vendor": vendor.name}, code="vendor_inactive"
        )
    title = text(name, label=_("The list's name"), max_length=200) or os.path.splitext(filename)[0][:200]
    marc = _is_marc(content, filename)
    report = OfferReport(offer=None, file=filename)
    reader = _marc_lines if marc else _table_lines
    good: list[OfferLine] = []
    first_of: dict[str, int] = {}
    for number, line in reader(content, filename=filename, today=now.date()):
        report.lines += 1
        if isinstance(line, OfferLine) and line.isbn and line.isbn in first_of:
            again = {"n": number, "isbn": line.isbn, "first": first_of[line.isbn]}
            line = (
                _("Record %(n)s: %(isbn)s is already in record %(first)s.") % again
                if marc
                else _("Line %(n)s: %(isbn)s is already on line %(first)s.") % again
            )
        if isinstance(line, str):
            report.problem_count += 1
            if len(report.problems) < MAX_PROBLEMS:
                report.problems.append({"line": number, "message": line})
            continue
        if line.isbn:
            first_of[line.isbn] = number
        good.append(line)
    if not good:
        first = " ".join(p["message"] for p in report.problems[:3])
        raise DomainError(
            _("%(file)s has no line that could be read. %(first)s") % {"file": filename, "first": first},
            code="offer_empty",
        )
    offer = OfferList.objects.create(
        vendor=vendor,
        name=title,
        unit=getattr(actor, "unit", None) or _county(),
        filename=filename[:255],
        format=OfferList.Format.MARC if marc else OfferList.Format.TABLE,
        imported_at=now,
        imported_by=actor if getattr(actor, "pk", None) else None,
        lines_read=report.lines,
        problems=report.problems,
    )
    for line in good:
        line.offer = offer
    OfferLine.objects.bulk_create(good, batch_size=1000)
    report.offer = offer
    report.added = len(good)
    _record(
        type=Type.OFFER_IMPORTED,
        unit=offer.unit,
        actor=actor,
        at=now,
        offer=offer.pk,
        vendor=vendor.code,
        file=filename[:100],
        lines=report.lines,
        added=report.added,
        problems=report.problem_count,
    )
    return report


def _county() -> Unit:
    from wenyun.network.selectors import unit_root

    root = unit_root()
    assert root is not None, "the network has no county yet"
    return root


# -- wishes and readers' suggestions ---------------------------------------------------------------------

WISHING_KINDS = frozenset({UnitKind.LIBRARY, UnitKind.STATION, UnitKind.VILLAGE})
MAX_WISH_COPIES = 20  # copies of one title a unit may wish for
MAX_OPEN_PER_READER = 5  # a reader's suggestions awaiting the library's answer


@transaction.atomic
def wish_add(
    *,
    actor,
    unit: Unit,
    offer_line: OfferLine,
    copies: int | str,
    note: str = "",
    at: dt.datetime | None = None,
) -> Suggestion:
    """A unit's wish for copies of a title of an offer list (百姓点单: its readers chose it), made by the
    manager of the unit or of a unit above it. A second wish of the unit for the line changes its copies."""
    require_staff_for(actor, unit)
    now = _now(at)
    if unit.kind not in WISHING_KINDS:
        raise DomainError(
            _("%(unit)s has no shelves of its own: wish for books for a library, station or village.")
            % {"unit": unit.name},
            code="unit_not_lending",
        )
    n = quantity(copies, label=_("The copies wanted"))
    if n > MAX_WISH_COPIES:
        raise DomainError(
            _("A unit may wish for at most %(max)s copies of a title, not %(n)s.")
            % {"max": MAX_WISH_COPIES, "n": n},
            code="wish_too_many",
        )
    note = text(note, label=_("The note"), max_length=500)
    wish = (
        Suggestion.objects.select_for_update()
        .filter(kind=SuggestionKind.WISH, status=SuggestionStatus.OPEN, unit=unit, offer_line=offer_line)
        .first()
    )
    if wish is not None:
        before = wish.copies
        wish.copies, wish.note = n, note or wish.note
        wish.save(update_fields=["copies", "note"])
    else:
        before = 0
        wish = Suggestion.objects.create(
            kind=SuggestionKind.WISH,
            unit=unit,
            offer_line=offer_line,
            copies=n,
            isbn=offer_line.isbn,
            title=offer_line.title,
            author=offer_line.author,
            note=note,
            created_at=now,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    _record(
        type=Type.WISH_ADDED,
        unit=unit,
        actor=actor,
        at=now,
        suggestion=wish.pk,
        offer=offer_line.offer_id,
        line=offer_line.number,
        isbn=offer_line.isbn,
        copies=n,
        before=before,
    )
    return wish


def _offer_line_for(isbn: str) -> OfferLine | None:
    """The newest offer list's line for the ISBN, if a vendor offers it."""
    if not isbn:
        return None
    return OfferLine.objects.filter(isbn=isbn).order_by("-offer__imported_at", "-pk").first()


@transaction.atomic
def suggestion_add(
    *,
    reader,
    isbn: str = "",
    title: str = "",
    author: str = "",
    note: str = "",
    actor=None,
    at: dt.datetime | None = None,
) -> Suggestion:
    """A reader's purchase suggestion (荐购), for a copy at his home unit: made by himself on the portal
    (actor None, or his own account) or written down for him by staff. An ISBN a vendor offers takes its
    title from the offer list; a title the county holds or has on order is refused with what it has."""
    from ..selectors import held_for, on_order_by_isbn

    now = _now(at)
    if (
        getattr(actor, "is_authenticated", False)
        and not actor.is_staff_member
        and reader.account_id != actor.pk
    ):
        raise Forbidden(_("A reader may suggest books only for himself."), code="reader_forbidden")
    isbn = isbn13(isbn)
    title = text(title, label=_("The book's title"), max_length=500)
    author = text(author, label=_("The author"), max_length=255)
    note = text(note, label=_("The note"), max_length=500)
    line = _offer_line_for(isbn)
    if line is not None:
        title, author = title or line.title, author or line.author
    if not title:
        raise DomainError(
            _("Give the book's title: no vendor's offer list has the ISBN %(isbn)s.") % {"isbn": isbn}
            if isbn
            else _("Give the book's title or its ISBN."),
            code="title_missing",
        )
    if isbn:
        held = held_for(isbns=[isbn]).get(isbn)
        if held is not None and held.total:
            raise Refused(
                ngettext(
                    "The county already has %(n)s copy of %(title)s: place a hold on it instead.",
                    "The county already has %(n)s copies of %(title)s: place a hold on it instead.",
                    held.total,
                )
                % {"n": held.total, "title": title},
                code="already_held",
            )
        if on_order_by_isbn(isbns=[isbn]).get(isbn):
            raise Refused(
                _("%(title)s is already on order: place a hold on it when it comes.") % {"title": title},
                code="already_ordered",
            )
    mine = Suggestion.objects.filter(kind=SuggestionKind.READER, status=SuggestionStatus.OPEN, reader=reader)
    if isbn and mine.filter(isbn=isbn).exists():
        raise Refused(
            _("You have suggested %(title)s already: the library has not answered yet.") % {"title": title},
            code="suggestion_duplicate",
        )
    if mine.count() >= MAX_OPEN_PER_READER:
        raise Refused(
            _(
                "You have %(n)s suggestions awaiting the library's answer, the most at a time: suggest "
                "more once it has answered."
            )
            % {"n": MAX_OPEN_PER_READER},
            code="suggestions_too_many",
        )
    suggestion = Suggestion.objects.create(
        kind=SuggestionKind.READER,
        unit_id=reader.home_unit_id,
        offer_line=line,
        reader=reader,
        copies=1,
        isbn=isbn,
        title=title,
        author=author,
        note=note,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _record(
        type=Type.SUGGESTION_ADDED,
        unit=reader.home_unit_id,
        actor=actor,
        at=now,
        suggestion=suggestion.pk,
        reader=reader.pk,
        isbn=isbn,
    )
    return suggestion


def _suggestions_locked(ids: Iterable[int]) -> list[Suggestion]:
    # of=self: PostgreSQL locks no row of the offer line's outer join.
    return list(
        Suggestion.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(set(ids)))
        .select_related("unit", "offer_line")
        .order_by("pk")
    )


def _refuse_unless_open(suggestion: Suggestion) -> None:
    if not SUGGESTION_LIFECYCLE.allows(suggestion, "accept"):
        raise Refused(
            _("%(title)s has been answered already: the suggestion is %(status)s.")
            % {"title": suggestion.title, "status": SuggestionStatus(suggestion.status).label.lower()},
            code="suggestion_decided",
        )


@transaction.atomic
def suggestion_decline(
    *, actor, suggestion: Suggestion, reason: str, at: dt.datetime | None = None
) -> Suggestion:
    """The hub declines a wish or a suggestion, saying why (the reader or the village sees the reason)."""
    require_acquirer(actor)
    now = _now(at)
    reason = text(reason, label=_("The reason"), max_length=500, required=True)
    (suggestion,) = _suggestions_locked([suggestion.pk])
    _refuse_unless_open(suggestion)
    moved = SUGGESTION_LIFECYCLE.move(suggestion, "decline", at=now)
    suggestion.decided_at, suggestion.decided_by, suggestion.reason = now, actor, reason
    suggestion.save(update_fields=[*moved, "decided_at", "decided_by", "reason"])
    _record(
        type=Type.SUGGESTION_DECLINED,
        unit=suggestion.unit,
        actor=actor,
        at=now,
        suggestion=suggestion.pk,
        kind=suggestion.kind,
        reason=reason[:200],
    )
    return suggestion


def _group_key(s: Suggestion) -> tuple:
    if s.isbn:
        return ("isbn", s.isbn)
    if s.offer_line_id:
        return ("line", s.offer_line_id)
    return ("title", s.title.casefold(), s.author.casefold())


def _price_of(group: list[Suggestion], *, prices: dict, vendor: Vendor) -> Decimal | str | None:
    """The list price a group's order line takes: given by the acquirer, from the wish's offer line, or
    from the newest offer line of the ISBN (this vendor's lists first)."""
    for s in group:
        if prices.get(s.pk) not in (None, ""):
            return prices[s.pk]
    for s in group:
        if s.offer_line is not None and s.offer_line.price is not None:
            return s.offer_line.price
    isbn = group[0].isbn
    if isbn:
        offered = OfferLine.objects.filter(isbn=isbn, price__isnull=False).order_by(
            "-offer__imported_at", "-pk"
        )
        line = offered.filter(offer__vendor=vendor).first() or offered.first()
        if line is not None:
            return line.price
    return None


@transaction.atomic
def suggestions_accept(
    *,
    actor,
    suggestions: Iterable[Suggestion],
    vendor: Vendor,
    fund: Fund,
    prices: dict[int, Decimal | str] | None = None,
    note: str = "",
    expected_by: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Order:
    """A draft order (through `order_create`, with its fund check) of the open wishes and suggestions
    given: one line per title, its copies going to each wishing unit and to each suggesting reader's
    home unit. Each becomes accepted with the order line it became. `prices` gives a list price by
    suggestion id where no offer list has one."""
    require_acquirer(actor)
    now = _now(at)
    prices = {int(pk): price for pk, price in (prices or {}).items()}  # ids from a form or JSON are text
    wanted = [s.pk for s in suggestions]
    if not wanted:
        raise DomainError(_("Choose at least one wish or suggestion to accept."), code="suggestions_empty")
    locked = _suggestions_locked(wanted)
    if len(locked) < len(set(wanted)):
        raise NotFound(_("One of the suggestions chosen no longer exists."), code="suggestion_not_found")
    for suggestion in locked:
        _refuse_unless_open(suggestion)
    groups: dict[tuple, list[Suggestion]] = {}
    for suggestion in locked:
        groups.setdefault(_group_key(suggestion), []).append(suggestion)
    lines: list[LineIn] = []
    for group in groups.values():
        price = _price_of(group, prices=prices, vendor=vendor)
        first = group[0]
        if price is None:
            raise Refused(
                _("%(title)s has no price: give its list price, or import an offer list that has it.")
                % {"title": first.title},
                code="price_missing",
            )
        offered = next((s.offer_line for s in group if s.offer_line is not None), None)
        destinations: dict[int, list] = {}
        for s in group:
            destinations.setdefault(s.unit_id, [s.unit, 0])[1] += s.copies
        lines.append(
            LineIn(
                title=first.title,
                price=price,
                quantity=sum(s.copies for s in group),
                isbn=first.isbn,
                author=first.author,
                publisher=offered.publisher if offered else "",
                year=offered.year if offered else None,
                clc=offered.clc if offered else "",
                destinations=[(unit, n) for unit, n in destinations.values()],
            )
        )
    order = order_create(
        actor=actor, vendor=vendor, fund=fund, lines=lines, note=note, expected_by=expected_by, at=now
    )
    made = list(OrderLine.objects.filter(order=order).order_by("position"))
    moved: list[str] = []
    for group, line in zip(groups.values(), made, strict=True):
        for s in group:
            moved = SUGGESTION_LIFECYCLE.move(s, "accept", at=now)
            s.decided_at, s.decided_by, s.order_line = now, actor, line
    Suggestion.objects.bulk_update(locked, [*moved, "decided_at", "decided_by", "order_line"])
    _record(
        type=Type.SUGGESTIONS_ACCEPTED,
        unit=order.unit,
        actor=actor,
        at=now,
        order=order.number,
        wishes=sum(1 for s in locked if s.kind == SuggestionKind.WISH),
        readers=sum(1 for s in locked if s.kind == SuggestionKind.READER),
        lines=len(made),
    )
    return order


__all__ = [
    "MAX_OPEN_PER_READER",
    "MAX_WISH_COPIES",
    "OfferReport",
    "offer_list_import",
    "suggestion_add",
    "suggestion_decline",
    "suggestions_accept",
    "wish_add",
]
