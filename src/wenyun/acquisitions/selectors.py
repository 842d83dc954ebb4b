"""Reads of acquisitions: funds with their figures, orders, late lines, what the county holds of a
title, offer lists with what the county holds and has on order of each line, wishes and readers'
suggestions, rotation sets, and the year's figures the statistics take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from wenyun.catalog import selectors as catalog_selectors
from wenyun.core.errors import NotFound
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
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    Vendor,
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


_MONEY = DecimalField(max_digits=14, decimal_places=2)


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
    sets = RotationSet.objects.select_related("current_unit", "owner").prefetch_related("stops__unit")
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
