"""Reads of acquisitions: funds with their figures, orders, late lines, what the county holds of a
title, offer lists with what the county holds and has on order of each line, wishes and readers'
suggestions, rotation sets, and the year's figures the statistics take."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog import selectors as catalog_selectors
from wenyun.catalog.models import Item, ItemStatus
from wenyun.core.errors import DomainError, NotFound
from wenyun.network.access import units_visible_to, user_can_manage_unit
from wenyun.network.models import Unit

from .access import user_can_acquire
from .lifecycle import COMMITTING, RECEIVING
from .models import (
    ZERO,
    Fund,
    Invoice,
    InvoiceLine,
    OfferLine,
    OfferList,
    Order,
    OrderLine,
    OrderStatus,
    Receipt,
    RotationMove,
    RotationSet,
    Stocktake,
    StocktakeOutcome,
    StocktakeResolution,
    StocktakeScan,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    Vendor,
    WeedingBatch,
)


@dataclass(frozen=True)
class FundFigures:
    allocated: Decimal
    committed: Decimal  # open orders' copies not billed yet, at the price paid
    spent: Decimal  # invoiced
    split: Decimal  # allocated to the funds split from this one

    @property
    def available(self) -> Decimal:
        return self.allocated - self.committed - self.spent - self.split


_MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)


def fund_figures(*, funds: Iterable[Fund]) -> dict[int, FundFigures]:
    funds = list(funds)
    ids = [fund.pk for fund in funds]
    outstanding = ExpressionWrapper(
        F("price") * (F("quantity") - F("cancelled") - F("invoiced")), output_field=_MONEY
    )
    committed = dict(
        OrderLine.objects.filter(order__fund_id__in=ids, order__status__in=sorted(COMMITTING))
        .values("order__fund_id")
        .annotate(total=Sum(outstanding))
        .values_list("order__fund_id", "total")
    )
    spent = dict(
        InvoiceLine.objects.filter(invoice__order__fund_id__in=ids)
        .values("invoice__order__fund_id")
        .annotate(total=Sum("amount"))
        .values_list("invoice__order__fund_id", "total")
    )
    split = dict(
        Fund.objects.filter(parent_id__in=ids)
        .values("parent_id")
        .annotate(total=Sum("allocated"))
        .values_list("parent_id", "total")
    )
    money = lambda value: (value or ZERO).quantize(Decimal("0.01"))  # noqa: E731
    return {
        fund.pk: FundFigures(
            allocated=money(fund.allocated),
            committed=money(committed.get(fund.pk)),
            spent=money(spent.get(fund.pk)),
            split=money(split.get(fund.pk)),
        )
        for fund in funds
    }


def funds_visible(*, user, year: int | None = None) -> QuerySet[Fund]:
    """Acquirers see every fund; a station or village manager those of units in his subtree."""
    funds = Fund.objects.select_related("unit", "parent")
    if year is not None:
        funds = funds.filter(year=year)
    if not user_can_acquire(user):
        unit = getattr(user, "unit", None)
        funds = funds.filter(unit__path__startswith=unit.path) if unit else funds.none()
    return funds.order_by("-year", "code")


def fund_get(*, code: str) -> Fund:
    fund = Fund.objects.select_related("unit", "parent").filter(code=(code or "").strip().upper()).first()
    if fund is None:
        raise NotFound(_("There is no fund with the code %(code)s.") % {"code": code}, code="fund_not_found")
    return fund


def vendor_get(*, code: str) -> Vendor:
    vendor = Vendor.objects.select_related("shop_unit").filter(code=(code or "").strip().upper()).first()
    if vendor is None:
        raise NotFound(
            _("There is no vendor with the code %(code)s.") % {"code": code}, code="vendor_not_found"
        )
    return vendor


def order_get(*, pk: int) -> Order:
    order = Order.objects.select_related("vendor", "fund", "unit").filter(pk=pk).first()
    if order is None:
        raise NotFound(_("There is no order number %(id)s.") % {"id": pk}, code="order_not_found")
    return order


def order_by_number(*, number: str) -> Order:
    order = (
        Order.objects.select_related("vendor", "fund", "unit")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if order is None:
        raise NotFound(_("There is no order %(number)s.") % {"number": number}, code="order_not_found")
    return order


def order_total(order: Order) -> Decimal:
    total = order.lines.aggregate(t=Sum(ExpressionWrapper(F("price") * F("quantity"), output_field=_MONEY)))[
        "t"
    ]
    return (total or ZERO).quantize(Decimal("0.01"))


def order_lines(*, order: Order) -> list[OrderLine]:
    return list(order.lines.prefetch_related("destinations__unit").order_by("position", "pk"))


def late_lines(*, today: dt.date, vendor: Vendor | None = None) -> list[OrderLine]:
    """Lines of sent orders still awaiting copies after the day they were expected: to claim from the vendor."""
    lines = OrderLine.objects.filter(
        order__status__in=sorted(RECEIVING),
        order__expected_by__lt=today,
        quantity__gt=F("received") + F("cancelled"),
    ).select_related("order", "order__vendor")
    if vendor is not None:
        lines = lines.filter(order__vendor=vendor)
    return list(lines.order_by("order__expected_by", "order__number", "position"))


def receipts_of(*, order: Order, unit: Unit | None = None) -> list[Receipt]:
    """The copies received on an order (for one destination unit), by unit, then as the order lists
    them: what the labels and the packing lists print."""
    receipts = Receipt.objects.filter(line__order=order).select_related(
        "line__order__unit", "line__order__vendor", "destination__unit"
    )
    if unit is not None:
        receipts = receipts.filter(destination__unit=unit)
    return list(receipts.order_by("destination__unit__code", "line__position", "line_id", "pk"))


@dataclass
class Held:
    total: int
    units: list[tuple[Unit, int]]  # units holding copies, most first

    def copies_within(self, unit: Unit) -> int:
        """Copies at the unit and the units under it (a station's with its villages')."""
        return sum(n for held_at, n in self.units if held_at.path.startswith(unit.path))


def _held(counts: dict) -> dict:
    unit_ids = {uid for per in counts.values() for uid in per}
    units = Unit.objects.in_bulk(unit_ids)
    return {
        isbn: Held(
            total=sum(per.values()),
            units=sorted(
                ((units[uid], n) for uid, n in per.items()), key=lambda pair: (-pair[1], pair[0].path)
            ),
        )
        for isbn, per in counts.items()
    }


def held_for(*, isbns: Iterable[str]) -> dict[str, Held]:
    """What the county holds of each ISBN, per unit (copies not withdrawn)."""
    return _held(catalog_selectors.holdings_by_isbn(isbns=isbns))


def held_for_lines(*, lines: Iterable[OrderLine]) -> dict[int, Held]:
    """What the county holds of each order line's title: by its record where it has one (a book
    without an ISBN too), else by its ISBN. {line id: Held}."""
    lines = list(lines)
    by_record = _held(
        catalog_selectors.holdings_by_record(record_ids=[line.record_id for line in lines if line.record_id])
    )
    by_isbn = held_for(isbns=[line.isbn for line in lines if not line.record_id and line.isbn])
    found = {}
    for line in lines:
        held = by_record.get(line.record_id) if line.record_id else by_isbn.get(line.isbn)
        if held is not None:
            found[line.pk] = held
    return found


def rotation_sets(*, user=None) -> list[RotationSet]:
    sets = RotationSet.objects.select_related("current_unit", "owner").prefetch_related(
        "stops__unit", "moves__from_unit", "moves__to_unit"
    )
    if user is not None and not user_can_acquire(user):
        unit = getattr(user, "unit", None)
        if unit is None:
            return []
        sets = sets.filter(
            Q(owner__path__startswith=unit.path) | Q(stops__unit__path__startswith=unit.path)
        ).distinct()
    return list(sets.order_by("code"))


def rotation_sets_at(*, unit: Unit) -> list[RotationSet]:
    """The rotation sets whose copies are at this unit now, with their next move."""
    return list(
        RotationSet.objects.filter(current_unit=unit, active=True)
        .prefetch_related("stops__unit")
        .order_by("next_move_on")
    )


def rotation_moves_arriving(*, unit: Unit) -> list[RotationMove]:
    """Sets on their way to this unit: the village manager confirms each when it comes."""
    return list(
        RotationMove.objects.filter(to_unit=unit, status=RotationMove.Status.SENT)
        .select_related("rotation", "from_unit")
        .order_by("sent_at")
    )


def invoices_of(*, order: Order) -> QuerySet[Invoice]:
    return order.invoices.prefetch_related("lines").order_by("issued_on", "pk")


def spending_by_fund(*, year: int) -> list[tuple[Fund, Decimal]]:
    totals = dict(
        InvoiceLine.objects.filter(invoice__issued_on__year=year)
        .values("invoice__order__fund_id")
        .annotate(total=Coalesce(Sum("amount"), ZERO))
        .values_list("invoice__order__fund_id", "total")
    )
    funds = Fund.objects.in_bulk(totals)
    return sorted(((funds[pk], total) for pk, total in totals.items()), key=lambda pair: pair[0].code)


# -- selection: offer lists, wishes, readers' suggestions ---------------------------------------------

# Orders whose copies are still to come: drafts too, so that no one orders a title twice.
AWAITING = frozenset({OrderStatus.DRAFT, *RECEIVING})
_CHUNK = 500


def on_order_by_isbn(*, isbns: Iterable[str]) -> dict[str, int]:
    """Copies of each ISBN-13 on orders still to come (drafts and sent orders), not yet received."""
    wanted = sorted({i for i in isbns if i})
    awaited = ExpressionWrapper(F("quantity") - F("received") - F("cancelled"), output_field=IntegerField())
    counts: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = (
            OrderLine.objects.filter(
                isbn__in=wanted[start : start + _CHUNK], order__status__in=sorted(AWAITING)
            )
            .filter(quantity__gt=F("received") + F("cancelled"))
            .values("isbn")
            .annotate(n=Sum(awaited))
            .values_list("isbn", "n")
            .order_by()
        )
        counts.update(rows)
    return counts


def offer_lists(*, vendor: Vendor | None = None) -> QuerySet[OfferList]:
    """Offer lists, newest first: every staff member may choose from them (villages wish from them)."""
    lists = OfferList.objects.select_related("vendor", "unit")
    if vendor is not None:
        lists = lists.filter(vendor=vendor)
    return lists.order_by("-imported_at", "-pk")


def offer_list_get(*, pk: int) -> OfferList:
    offer = OfferList.objects.select_related("vendor", "unit").filter(pk=pk).first()
    if offer is None:
        raise NotFound(_("There is no offer list number %(id)s.") % {"id": pk}, code="offer_not_found")
    return offer


def offer_line_get(*, pk: int) -> OfferLine:
    line = OfferLine.objects.select_related("offer", "offer__vendor").filter(pk=pk).first()
    if line is None:
        raise NotFound(_("There is no offer line number %(id)s.") % {"id": pk}, code="offer_line_not_found")
    return line


def offer_lines(*, offer_list: OfferList, q: str = "") -> QuerySet[OfferLine]:
    """The list's lines in the vendor's order; `q` finds an ISBN, or words of the title or author."""
    lines = OfferLine.objects.filter(offer=offer_list)
    q = (q or "").strip()
    if q:
        from wenyun.catalog.isbn import isbn_query

        isbn = isbn_query(q)
        lines = (
            lines.filter(isbn=isbn) if isbn else lines.filter(Q(title__icontains=q) | Q(author__icontains=q))
        )
    return lines.order_by("number")


@dataclass
class OfferLineHoldings:
    """An offer line with what the county already has of it, so no one buys a fifth copy for a village
    that has four."""

    line: OfferLine
    held: Held  # copies per unit, not withdrawn
    on_order: int  # copies on orders still to come
    wished: int  # copies the units' open wishes ask for
    unit_held: int | None = None  # with a unit: copies at it and the units under it
    unit_wish: Suggestion | None = None  # with a unit: its open wish for the line


def offer_lines_with_holdings(
    *,
    offer_list: OfferList,
    unit: Unit | None = None,
    q: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> list[OfferLineHoldings]:
    """The holdings check (查重) of an offer list, or of a page of it: each line with the county's
    copies per unit, the copies on order and the copies wished; with a unit, its own copies and wish."""
    lines_qs = offer_lines(offer_list=offer_list, q=q)
    if limit is not None:
        lines_qs = lines_qs[offset : offset + limit]
    elif offset:
        lines_qs = lines_qs[offset:]
    lines = list(lines_qs)
    isbns = [line.isbn for line in lines if line.isbn]
    held = held_for(isbns=isbns)
    on_order = on_order_by_isbn(isbns=isbns)
    wishes = Suggestion.objects.filter(kind=SuggestionKind.WISH, status=SuggestionStatus.OPEN)
    wishes = (
        wishes.filter(offer_line_id__in=[line.pk for line in lines])
        if limit is not None
        else wishes.filter(offer_line__offer=offer_list)
    )
    wished = dict(
        wishes.values("offer_line_id").annotate(n=Sum("copies")).values_list("offer_line_id", "n").order_by()
    )
    own = {w.offer_line_id: w for w in wishes.filter(unit=unit)} if unit is not None else {}
    nothing: list[tuple[Unit, int]] = []
    result = []
    for line in lines:
        line_held = held.get(line.isbn) if line.isbn else None
        if line_held is None:
            line_held = Held(total=0, units=nothing)
        result.append(
            OfferLineHoldings(
                line=line,
                held=line_held,
                on_order=on_order.get(line.isbn, 0) if line.isbn else 0,
                wished=wished.get(line.pk, 0),
                unit_held=line_held.copies_within(unit) if unit is not None else None,
                unit_wish=own.get(line.pk),
            )
        )
    return result


def suggestions_visible(
    *,
    user,
    status: str | None = SuggestionStatus.OPEN,
    kind: str | None = None,
    offer_list: OfferList | None = None,
) -> QuerySet[Suggestion]:
    """Wishes and readers' suggestions: acquirers see all; a station or village manager those for units in
    his subtree; anyone else none. Oldest first, the order they are answered in."""
    found = Suggestion.objects.select_related("unit", "offer_line", "order_line__order")
    if not user_can_acquire(user):
        unit = getattr(user, "unit", None)
        if unit is None or not getattr(user, "is_staff_member", False):
            return found.none()
        found = found.filter(unit__path__startswith=unit.path)
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    if offer_list is not None:
        found = found.filter(offer_line__offer=offer_list)
    return found.order_by("created_at", "pk")


def suggestion_get(*, user, pk: int) -> Suggestion:
    found = suggestions_visible(user=user, status=None).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no suggestion number %(id)s.") % {"id": pk}, code="suggestion_not_found")
    return found


def suggestions_of_reader(*, reader) -> QuerySet[Suggestion]:
    """A reader's own suggestions, newest first, with the library's answer (the portal shows them)."""
    return (
        Suggestion.objects.filter(kind=SuggestionKind.READER, reader=reader)
        .select_related("order_line__order")
        .order_by("-created_at", "-pk")
    )


# -- stocktaking and weeding -------------------------------------------------------------------------

# Copies circulation has in hand: not on the shelf, and not missing for that.
AWAY = frozenset({ItemStatus.ON_LOAN, ItemStatus.IN_TRANSIT, ItemStatus.ON_HOLD_SHELF})
# What a copy on the shelf may be recorded as.
ON_SHELF = frozenset({ItemStatus.AVAILABLE, ItemStatus.DAMAGED, ItemStatus.PROCESSING})


@dataclass
class StocktakeComparison:
    """A stocktake's scans beside the unit's holdings. Copies resolved in it appear only in `resolved`."""

    expected: list[Item]  # the unit's copies (home or current), within the stocktake's shelf
    here: list[Item]  # scanned, and recorded on the shelf here
    missing: list[Item]  # expected, not scanned, not in circulation's hands
    elsewhere: list[Item]  # scanned, but recorded at another unit or as not on the shelf
    away: list[Item]  # expected, not scanned, on loan / in transit / on the hold shelf: fine
    unknown: list[StocktakeScan]  # scanned barcodes no copy has
    resolved: list[StocktakeResolution]
    items: dict[int, Item]  # every copy named above, by id
    expected_ids: set[int]
    scanned_ids: set[int]

    def counts(self) -> dict[str, int]:
        outcomes = Counter(r.outcome for r in self.resolved)
        return {
            "expected": len(self.expected),
            "scanned": len(self.scanned_ids) + len(self.unknown),
            "here": len(self.here),
            "missing": len(self.missing),
            "elsewhere": len(self.elsewhere),
            "away": len(self.away),
            "unknown": len(self.unknown),
            **{f"resolved_{o}": outcomes.get(o, 0) for o in StocktakeOutcome.values},
        }


def stocktake_compare(*, stocktake: Stocktake) -> StocktakeComparison:
    unit = stocktake.unit
    expected = catalog_selectors.unit_copies(
        unit=unit, location=stocktake.location, call_prefix=stocktake.call_prefix
    )
    items = {item.pk: item for item in expected}
    scans = list(StocktakeScan.objects.filter(stocktake=stocktake).order_by("pk"))
    scanned_ids = {scan.item_id for scan in scans if scan.item_id}
    outside = scanned_ids - set(items)
    if outside:
        items.update((item.pk, item) for item in catalog_selectors.items_by_pk(pks=outside))
    resolved = list(
        StocktakeResolution.objects.filter(stocktake=stocktake).select_related("item__record").order_by("pk")
    )
    done = {r.item_id for r in resolved}
    here: list = []
    missing: list = []
    elsewhere: list = []
    away: list = []
    for item in expected:
        if item.pk in done or item.pk in scanned_ids:
            continue
        (away if item.status in AWAY else missing).append(item)
    for scan in scans:
        found = items.get(scan.item_id) if scan.item_id else None
        if found is None or found.pk in done:
            continue
        item = found
        if item.current_unit_id == unit.pk and item.status in ON_SHELF:
            here.append(item)
        else:
            elsewhere.append(item)
    return StocktakeComparison(
        expected=expected,
        here=here,
        missing=missing,
        elsewhere=elsewhere,
        away=away,
        unknown=[scan for scan in scans if scan.item_id is None],
        resolved=resolved,
        items=items,
        expected_ids={item.pk for item in expected},
        scanned_ids=scanned_ids,
    )


def stocktake_resolutions(*, stocktake: Stocktake) -> QuerySet[StocktakeResolution]:
    return (
        StocktakeResolution.objects.filter(stocktake=stocktake).select_related("item__record").order_by("pk")
    )


def stocktakes_visible(*, user, limit: int = 50) -> list[Stocktake]:
    """The stocktakes of the units the user works for, the latest first."""
    visible = units_visible_to(user)
    return list(
        Stocktake.objects.filter(unit__in=visible)
        .select_related("unit")
        .order_by("-started_at", "-pk")[:limit]
    )


def access_stocktake(user, pk: int) -> Stocktake:
    """The stocktake if the user works for its unit; another unit's looks absent."""
    stocktake = Stocktake.objects.select_related("unit").filter(pk=pk).first()
    if stocktake is None or not user_can_manage_unit(user, stocktake.unit):
        raise NotFound(_("There is no such stocktake."), code="stocktake_not_found")
    return stocktake


@dataclass
class WeedingCandidate:
    item: Item
    last_loan: dt.date | None  # the day it was last lent, if ever
    reasons: list[str]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def weeding_candidates(
    *,
    unit: Unit,
    older_than: int | None = None,
    idle_for: int | None = None,
    condition: bool = False,
    today: dt.date | None = None,
) -> list[WeedingCandidate]:
    """The copies of a unit (its home) that meet every criterion chosen: acquired more than
    `older_than` years ago (a copy with no acquisition day is not old by this), in poor condition
    (recorded damaged, or with a note), not lent for `idle_for` years (or never). Copies in
    circulation's hands are left out: they cannot be withdrawn now."""
    from wenyun.circulation.selectors import last_loan_dates

    if older_than is None and idle_for is None and not condition:
        raise DomainError(
            _("Choose at least one criterion: age, condition or years without a loan."),
            code="weeding_no_criterion",
        )
    today = today or timezone.localdate()
    copies = [
        item
        for item in catalog_selectors.unit_copies(
            unit=unit,
            home_only=True,
            acquired_before=_years_before(today, older_than) if older_than is not None else None,
        )
        if item.status not in AWAY
    ]
    if condition:
        copies = [item for item in copies if item.status == ItemStatus.DAMAGED or item.notes.strip()]
    last = last_loan_dates(item_ids=[item.pk for item in copies])
    since = _years_before(today, idle_for) if idle_for is not None else None
    found = []
    for item in copies:
        lent = last.get(item.pk)
        if since is not None and lent is not None and lent >= since:
            continue
        reasons = []
        if older_than is not None:
            reasons.append(
                _("acquired %(day)s") % {"day": item.acquired_on.isoformat() if item.acquired_on else "-"}
            )
        if condition:
            reasons.append(
                str(ItemStatus(item.status).label) if item.status == ItemStatus.DAMAGED else item.notes
            )
        if since is not None:
            reasons.append(_("last lent %(day)s") % {"day": lent.isoformat()} if lent else _("never lent"))
        found.append(WeedingCandidate(item=item, last_loan=lent, reasons=reasons))
    return found


def weeding_batches(*, user, unit: Unit | None = None, limit: int = 50) -> list[WeedingBatch]:
    batches = WeedingBatch.objects.filter(unit__in=units_visible_to(user))
    if unit is not None:
        batches = batches.filter(unit=unit)
    return list(
        batches.select_related("unit").annotate(copies=Count("items")).order_by("-day", "-pk")[:limit]
    )


def access_weeding_batch(user, pk: int) -> WeedingBatch:
    batch = WeedingBatch.objects.select_related("unit").filter(pk=pk).first()
    if batch is None or not user_can_manage_unit(user, batch.unit):
        raise NotFound(_("There is no such weeding batch."), code="weeding_batch_not_found")
    return batch


def book_for_isbn(*, isbn: str) -> dict[str, str]:
    """What Wenyun knows of a book from its ISBN, to fill a form: the newest offer line that lists it,
    else the catalogue's record; empty when neither does (or the ISBN is not one)."""
    from wenyun.catalog.isbn import isbn_parse
    from wenyun.core.normalise import plain

    parsed = isbn_parse(plain(isbn))
    if parsed is None or not parsed.valid:
        return {}
    line = OfferLine.objects.filter(isbn=parsed.isbn13).order_by("-offer__imported_at", "-pk").first()
    if line is not None:
        return {
            "isbn": line.isbn,
            "title": line.title,
            "author": line.author,
            "publisher": line.publisher,
            "year": str(line.year or ""),
            "clc": line.clc,
            "price": str(line.price or ""),
        }
    record = catalog_selectors.records_by_isbn(isbns=[parsed.isbn13]).get(parsed.isbn13)
    if record is None:
        return {}
    return {
        "isbn": record.isbn,
        "title": record.title,
        "author": record.responsibility,
        "publisher": record.publisher,
        "year": str(record.year or ""),
        "clc": record.clc,
    }
