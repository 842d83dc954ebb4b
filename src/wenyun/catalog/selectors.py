"""Reads from the catalogue: records, copies, and the search with live availability per unit.

Availability is counted from the Item table at query time, never stored in the search index, so a
checkout shows in the next search.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyun.core import rows
from wenyun.core.errors import DomainError, NotFound
from wenyun.network.models import Unit

from . import search, text
from .models import Item, ItemStatus, ItemType, Record

PER_PAGE = 20
LANGUAGE_LABELS = {
    "chi": gettext_lazy("Chinese"),
    "eng": gettext_lazy("English"),
    "jpn": gettext_lazy("Japanese"),
    "fre": gettext_lazy("French"),
    "ger": gettext_lazy("German"),
    "rus": gettext_lazy("Russian"),
}
FACET_DEPTH = 500  # facets count the best matches, as Koha's do
# The longest query searched: longer than any title a reader would type or paste, short enough that
# no query costs the server more than a few milliseconds (10,000 characters took 0.9 s).
MAX_QUERY_LENGTH = 200


def item_get(*, barcode: str) -> Item:
    item = (
        Item.objects.select_related("record", "home_unit", "current_unit", "item_type")
        .filter(barcode=(barcode or "").strip())
        .first()
    )
    if item is None:
        raise NotFound(
            _("There is no copy with the barcode %(barcode)s.") % {"barcode": barcode}, code="item_not_found"
        )
    return item


_ITEM_SQL = (
    "SELECT {item}, r.title, r.call_number, h.code, h.name, c.code, c.name, t.code, t.name "
    "FROM catalog_item JOIN catalog_record r ON r.id = catalog_item.record_id "
    "JOIN network_unit h ON h.id = catalog_item.home_unit_id "
    "JOIN network_unit c ON c.id = catalog_item.current_unit_id "
    "JOIN catalog_itemtype t ON t.id = catalog_item.item_type_id "
    "WHERE catalog_item.barcode = %s"
)


def item_by_barcode(*, barcode: str) -> Item:
    """The copy with this barcode, its record's title and call number, its home and current units and
    its type already attached (other fields of those load on use), or `item_get`'s NotFound.

    For the kiosk path (every SIP2 message about a copy reads one): one prepared statement built from
    the models' metadata through `core.rows`, since building it through the ORM's compiler cost
    0.5-1 ms, more than the rest of a kiosk message together."""
    shape = rows.shape(Item)
    with connection.cursor() as cursor:
        cursor.execute(_ITEM_SQL.format(item=shape.columns), [(barcode or "").strip()])
        row = cursor.fetchone()
    if row is None:
        return item_get(barcode=barcode)  # raises NotFound, worded once
    item = cast(Item, shape.build(row[: shape.width]))
    title, call_number, home_code, home_name, here_code, here_name, type_code, type_name = row[shape.width :]
    alias = connection.alias
    item.record = Record.from_db(alias, ["id", "title", "call_number"], [item.record_id, title, call_number])
    item.home_unit = Unit.from_db(alias, ["id", "code", "name"], [item.home_unit_id, home_code, home_name])
    item.current_unit = Unit.from_db(
        alias, ["id", "code", "name"], [item.current_unit_id, here_code, here_name]
    )
    item.item_type = ItemType.from_db(
        alias, ["id", "code", "name"], [item.item_type_id, type_code, type_name]
    )
    return item


def items_by_barcodes(*, barcodes: Iterable[str]) -> dict[str, Item]:
    """The copies with these barcodes (as stored), with their record and units: {barcode: copy}."""
    wanted = sorted({b for b in barcodes if b})
    found: dict[str, Item] = {}
    for start in range(0, len(wanted), 500):
        for item in Item.objects.filter(barcode__in=wanted[start : start + 500]).select_related(
            "record", "home_unit", "current_unit"
        ):
            found[item.barcode] = item
    return found


def items_by_pk(*, pks: Iterable[int]) -> list[Item]:
    """The copies with these ids, with their record and units, in barcode order."""
    return list(
        Item.objects.filter(pk__in=sorted({int(pk) for pk in pks}))
        .select_related("record", "home_unit", "current_unit")
        .order_by("barcode")
    )


def unit_copies(
    *,
    unit: Unit,
    location: str = "",
    call_prefix: str = "",
    home_only: bool = False,
    acquired_before: dt.date | None = None,
) -> list[Item]:
    """The copies a unit holds, withdrawn and lost ones aside: those whose home or current unit it is
    (its home only, with home_only), on one shelving location or under a call-number prefix when given,
    acquired before a day when given (a copy with no acquisition date is then left out). What a
    stocktake expects to find, and what weeding chooses from."""
    from django.db.models import Q

    copies = Item.objects.exclude(status__in=(ItemStatus.WITHDRAWN, ItemStatus.LOST))
    copies = (
        copies.filter(home_unit=unit)
        if home_only
        else copies.filter(Q(home_unit=unit) | Q(current_unit=unit))
    )
    if location:
        copies = copies.filter(location__iexact=location)
    if call_prefix:
        copies = copies.filter(call_number__istartswith=call_prefix)
    if acquired_before is not None:
        copies = copies.filter(acquired_on__lt=acquired_before)
    return list(
        copies.select_related("record", "home_unit", "current_unit").order_by("call_number", "barcode")
    )


def record_get(*, record_id: int) -> Record:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound(_("There is no record number %(id)s.") % {"id": record_id}, code="record_not_found")
    return record


def records_by_isbn(*, isbns: Iterable[str]) -> dict[str, Record]:
    """The first record (the oldest) of each ISBN-13 the catalogue holds, without its MARC."""
    wanted = sorted({i for i in isbns if i})
    found: dict[str, Record] = {}
    for start in range(0, len(wanted), 500):
        for record in (
            Record.objects.filter(isbn__in=wanted[start : start + 500]).defer("marc").order_by("pk")
        ):
            found.setdefault(record.isbn, record)
    return found


def holdings_by_isbn(*, isbns: Iterable[str]) -> dict[str, dict[int, int]]:
    """How many copies (not withdrawn) each unit holds of each ISBN-13: {isbn: {home unit id: copies}}.
    What an offer list or an order line shows, so no one buys a fifth copy for a village that has four."""
    wanted = sorted({i for i in isbns if i})
    held: dict[str, dict[int, int]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        counts = (
            Item.objects.filter(record__isbn__in=chunk)
            .exclude(status=ItemStatus.WITHDRAWN)
            .values_list("record__isbn", "home_unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for isbn, unit_id, n in counts:
            held.setdefault(isbn, {})[unit_id] = n
    return held


def holdings_by_record(*, record_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """How many copies (not withdrawn) each unit holds of each record: {record id: {home unit id: copies}}."""
    wanted = sorted({i for i in record_ids if i})
    held: dict[int, dict[int, int]] = {}
    for start in range(0, len(wanted), 500):
        counts = (
            Item.objects.filter(record_id__in=wanted[start : start + 500])
            .exclude(status=ItemStatus.WITHDRAWN)
            .values_list("record_id", "home_unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for record_id, unit_id, n in counts:
            held.setdefault(record_id, {})[unit_id] = n
    return held


def item_due_dates(*, item_ids: list[int]) -> dict[int, dt.date]:
    """The due date of each copy that is out on loan (from circulation's open loans)."""
    from wenyun.circulation.selectors import due_dates

    return due_dates(item_ids=item_ids)


@dataclass
class UnitAvailability:
    unit: Unit
    available: int = 0
    total: int = 0
    on_loan: int = 0
    other: int = 0  # in transit, on the hold shelf, missing...
    next_due: dt.date | None = None


def _availability(record_ids: list[int]) -> dict[int, list[UnitAvailability]]:
    """Per record, per unit: copies on the shelf, in all, on loan (with the first due date), other.

    One grouped query for all the records (the database counts, not Python), one for their units, and
    circulation's read of the first due dates where copies are out."""
    if not record_ids:
        return {}
    marks = ", ".join(["%s"] * len(record_ids))
    sql = (
        "SELECT i.record_id, i.current_unit_id,"
        " SUM(CASE WHEN i.status = %s THEN 1 ELSE 0 END), COUNT(*),"
        " SUM(CASE WHEN i.status = %s THEN 1 ELSE 0 END)"
        " FROM catalog_item i"
        f" WHERE i.record_id IN ({marks}) AND i.status <> %s"
        " GROUP BY i.record_id, i.current_unit_id"
    )
    params: list = [
        ItemStatus.AVAILABLE.value,
        ItemStatus.ON_LOAN.value,
        *record_ids,
        ItemStatus.WITHDRAWN.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return {}
    from wenyun.circulation.selectors import first_due_by_unit

    lent = [row[0] for row in rows if row[4]]
    due = first_due_by_unit(record_ids=lent) if lent else {}
    units = Unit.objects.in_bulk({row[1] for row in rows})
    table: dict[int, list[UnitAvailability]] = defaultdict(list)
    for record_id, unit_id, available, total, on_loan in rows:
        next_due = due.get((record_id, unit_id))
        table[record_id].append(
            UnitAvailability(
                unit=units[unit_id],
                available=available,
                total=total,
                on_loan=on_loan,
                other=total - available - on_loan,
                next_due=next_due,
            )
        )
    return {
        record_id: sorted(per_unit, key=lambda a: (-a.available, a.unit.path))
        for record_id, per_unit in table.items()
    }


def record_availability(*, record: Record) -> list[UnitAvailability]:
    """Per unit where the record's copies are: how many are on the shelf, how many in all."""
    return _availability([record.pk]).get(record.pk, [])


@dataclass
class Hit:
    record: Record
    availability: list[UnitAvailability]
    summary: AvailabilitySummary | None = None  # grouped for the page by availability_summaries

    @property
    def available(self) -> int:
        return sum(a.available for a in self.availability)


@dataclass
class SearchResult:
    q: str
    count: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)  # name -> (value, label, n)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))


def _unit_subtree_ids(unit: Unit) -> list[int]:
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def catalog_search(
    *,
    q: str,
    unit: Unit | str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    available_at: Unit | str | None = None,
    clc_class: str = "",
    year: int | None = None,
    language: str = "",
    facets: bool = False,
) -> SearchResult:
    """Search the catalogue. `unit` keeps records with copies in that unit (and its sub-units);
    `available_at` keeps those with a copy on the shelf there. Each hit carries live availability."""
    from wenyun.network.selectors import unit_get

    q = q or ""
    if len(q) > MAX_QUERY_LENGTH:
        raise DomainError(
            _("A search can be at most %(limit)s characters long; this one has %(length)s.")
            % {"limit": MAX_QUERY_LENGTH, "length": len(q)},
            code="query_too_long",
        )
    if isinstance(unit, str):
        unit = unit_get(code=unit) if unit else None
    if isinstance(available_at, str):
        available_at = unit_get(code=available_at) if available_at else None
    page = max(1, int(page or 1))
    per_page = max(1, min(100, int(per_page or PER_PAGE)))
    plan = text.query_plan(q)
    if not plan:
        return SearchResult(q=q, count=0, page=page, per_page=per_page, hits=[])
    filters = search.Filters(
        year=year,
        clc_class=clc_class,
        language=language,
        holding_unit_ids=_unit_subtree_ids(unit) if unit else None,
        available_unit_ids=_unit_subtree_ids(available_at) if available_at else None,
    )
    result = search.backend().search(
        plan, filters, offset=(page - 1) * per_page, limit=per_page, top=FACET_DEPTH if facets else 0
    )
    records = Record.objects.defer("marc").in_bulk(result.ids)
    availability = _availability(result.ids)
    hits = [Hit(records[pk], availability.get(pk, [])) for pk in result.ids if pk in records]
    found = SearchResult(q=q, count=result.count, page=page, per_page=per_page, hits=hits)
    if facets and result.top_ids:
        found.facets = _facets(result.top_ids)
    return found


def _facets(ids: list[int]) -> dict[str, list[tuple[str, str, int]]]:
    rows = Record.objects.filter(pk__in=ids).values_list("clc", "year", "language")
    classes = Counter((clc or "")[:1].upper() for clc, _y, _l in rows if clc)
    years = Counter(y for _c, y, _l in rows if y)
    languages = Counter(lang for _c, _y, lang in rows if lang)
    unit_rows = (
        Item.objects.filter(record_id__in=ids, status=ItemStatus.AVAILABLE)
        .values_list("current_unit_id", "record_id")
        .distinct()
    )
    per_unit = Counter(unit_id for unit_id, _r in unit_rows)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=per_unit)}
    return {
        "unit": [(units[pk].code, units[pk].display_name, n) for pk, n in per_unit.most_common(12)],
        "clc": [(c, c, n) for c, n in sorted(classes.items())],
        "year": [(str(y), str(y), n) for y, n in sorted(years.items(), reverse=True)[:12]],
        "language": [(lang, str(LANGUAGE_LABELS.get(lang, lang)), n) for lang, n in languages.most_common(8)],
    }


def record_items(*, record: Record):
    return (
        Item.objects.filter(record=record)
        .select_related("home_unit", "current_unit", "item_type")
        .order_by("home_unit__path", "barcode")
    )


@dataclass
class TownshipAvailability:
    """A township station and the village points under it that hold copies, read as one line."""

    station: Unit
    points: list[UnitAvailability]

    @property
    def available(self) -> int:
        return sum(a.available for a in self.points)

    @property
    def on_shelf(self) -> list[UnitAvailability]:
        return [a for a in self.points if a.available]

    @property
    def next_due(self) -> dt.date | None:
        return min((a.next_due for a in self.points if a.next_due), default=None)


@dataclass
class AvailabilitySummary:
    """Availability short enough for a phone: the reader's own unit, the county's hubs one by one,
    then one line per township (the reader's own first); `units` keeps the full per-unit list."""

    units: list[UnitAvailability]
    near: UnitAvailability | None = None
    hubs: list[UnitAvailability] = field(default_factory=list)
    townships: list[TownshipAvailability] = field(default_factory=list)

    @property
    def townships_on_shelf(self) -> list[TownshipAvailability]:
        return [t for t in self.townships if t.available]

    @property
    def townships_out(self) -> list[TownshipAvailability]:
        return [t for t in self.townships if not t.available]


def availability_summaries(
    *, availabilities: list[list[UnitAvailability]], near: Unit | None = None
) -> list[AvailabilitySummary]:
    """Group each record's per-unit availability as AvailabilitySummary says (one query for the stations)."""
    from wenyun.network.models import UnitKind

    station_ids = {
        a.unit.parent_id if a.unit.kind == UnitKind.VILLAGE else a.unit.pk
        for per_unit in availabilities
        for a in per_unit
        if a.unit.kind in (UnitKind.VILLAGE, UnitKind.STATION)
    }
    stations = Unit.objects.in_bulk(station_ids - {None})
    near_station = None
    if near is not None:
        near_station = near.parent_id if near.kind == UnitKind.VILLAGE else near.pk
    summaries = []
    for per_unit in availabilities:
        summary = AvailabilitySummary(units=per_unit)
        groups: dict[int, list[UnitAvailability]] = defaultdict(list)
        for a in per_unit:
            station_id = a.unit.parent_id if a.unit.kind == UnitKind.VILLAGE else a.unit.pk
            if near is not None and a.unit.pk == near.pk:
                summary.near = a
            elif station_id is not None and station_id in stations:
                groups[station_id].append(a)
            else:
                summary.hubs.append(a)
        summary.hubs.sort(key=lambda a: a.unit.path)
        summary.townships = sorted(
            (
                TownshipAvailability(stations[pk], sorted(points, key=lambda a: (-a.available, a.unit.path)))
                for pk, points in groups.items()
            ),
            key=lambda t: (t.station.pk != near_station, not t.available, t.station.path),
        )
        summaries.append(summary)
    return summaries


@dataclass
class ItemTypeRow:
    item_type: ItemType
    copies: int
    loanable: bool  # no county-wide matrix row for the type with a loan limit of 0
    matrix_rows: int  # rows of the circulation matrix that name the type


@dataclass
class ItemTypes:
    rows: list[ItemTypeRow]


def item_type_list() -> ItemTypes:
    from django.db.models import Count

    from wenyun.circulation.selectors import rule_list

    rules = list(rule_list())
    copies = dict(Item.objects.values("item_type").annotate(n=Count("id")).values_list("item_type", "n"))
    rows = []
    for item_type in ItemType.objects.order_by("retired", "code"):
        naming = [r for r in rules if r.item_type_id == item_type.pk]
        county = next((r for r in naming if r.unit_id is None and r.category_id is None), None)
        rows.append(
            ItemTypeRow(
                item_type=item_type,
                copies=copies.get(item_type.pk, 0),
                loanable=county is None or county.loan_limit > 0,
                matrix_rows=len(naming),
            )
        )
    return ItemTypes(rows=rows)


def item_type_get(*, code: str) -> ItemType:
    item_type = ItemType.objects.filter(code=(code or "").strip()).first()
    if item_type is None:
        raise NotFound(
            _("There is no item type with the code %(code)s.") % {"code": code}, code="item_type_not_found"
        )
    return item_type


def item_type_default() -> ItemType:
    """The type a new copy is given when nobody says: the county's "book" type, or its first type."""
    found = ItemType.objects.filter(code__iexact="book", retired=False).first()
    found = found or ItemType.objects.filter(retired=False).order_by("pk").first()
    if found is None:
        raise NotFound(
            _("No item type is set up yet: add one on the item types page."), code="item_type_missing"
        )
    return found
