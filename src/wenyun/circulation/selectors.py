"""Reads of readers, loans, holds and transits."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import Item
from wenyun.core.errors import Forbidden, NotFound
from wenyun.network.models import Unit

from .models import CirculationEvent, CirculationRule, Fee, Hold, Loan, Reader, ReaderCategory, Transit


def reader_get(*, card: str) -> Reader:
    try:
        return Reader.objects.select_related("category", "home_unit").get(card=card.strip())
    except Reader.DoesNotExist:
        raise NotFound(
            _("There is no reader with the card %(card)s.") % {"card": card}, code="reader_not_found"
        ) from None


def reader_search(*, q: str, limit: int = 50) -> QuerySet[Reader]:
    """Readers by card number, name or phone, as a desk types them."""
    q = q.strip()
    if not q:
        return Reader.objects.none()
    return (
        Reader.objects.select_related("category", "home_unit")
        .filter(Q(card=q) | Q(phone=q) | Q(name__startswith=q))
        .order_by("name", "card")[:limit]
    )


# ---------------------------------------------------------------- loans, holds, fees of a reader


def access_reader(user, card: str) -> Reader:
    """A reader by card, for staff: one card works county-wide, so any staff member may look a reader up."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        raise Forbidden(_("Only staff may look readers up."), code="staff_only")
    return reader_get(card=card)


def reader_for_account(*, user) -> Reader | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Reader.objects.select_related("category", "home_unit").filter(account=user).first()


def reader_loans(*, reader: Reader) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=True)
        .select_related("item", "item__record", "lending_unit")
        .order_by("due_on", "pk")
    )


def reader_history(*, reader: Reader, limit: int = 100) -> QuerySet[Loan]:
    """Past loans, only for a reader who opted in to keeping his history."""
    if not reader.keep_history:
        return Loan.objects.none()
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=False)
        .select_related("item__record", "lending_unit", "return_unit")
        .order_by("-returned_at")[:limit]
    )


def reader_holds(*, reader: Reader) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(reader=reader, status__in=Hold.ACTIVE)
        .select_related("record", "pickup_unit", "target")
        .order_by("placed_at")
    )


def reader_fees(*, reader: Reader, open_only: bool = True) -> QuerySet[Fee]:
    fees = Fee.objects.filter(reader=reader).select_related("loan__item__record", "unit")
    if open_only:
        fees = fees.filter(status=Fee.Status.OPEN)
    return fees.order_by("-created_at")


def hold_position(*, hold: Hold) -> int:
    """1 for the first in the queue for the title (or copy), counting only holds still waiting or on their way."""
    ahead = Hold.objects.filter(
        record_id=hold.record_id, status__in=Hold.ACTIVE, placed_at__lt=hold.placed_at
    ).count()
    return ahead + 1


def loan_get(*, pk: int, reader: Reader | None = None) -> Loan:
    loans = Loan.objects.select_related("item", "item__record", "reader", "lending_unit")
    if reader is not None:
        loans = loans.filter(reader=reader)
    loan = loans.filter(pk=pk).first()
    if loan is None:
        raise NotFound(_("There is no such loan."), code="loan_not_found")
    return loan


def hold_get(*, pk: int, reader: Reader | None = None) -> Hold:
    holds = Hold.objects.select_related("record", "reader", "pickup_unit", "target")
    if reader is not None:
        holds = holds.filter(reader=reader)
    hold = holds.filter(pk=pk).first()
    if hold is None:
        raise NotFound(_("There is no such hold."), code="hold_not_found")
    return hold


def fee_get(*, pk: int) -> Fee:
    fee = Fee.objects.select_related("reader").filter(pk=pk).first()
    if fee is None:
        raise NotFound(_("There is no such fee."), code="fee_not_found")
    return fee


def fee_payment_last(*, fee: Fee) -> CirculationEvent:
    """The latest payment on a fee (each payment is one fee_paid event with its amount)."""
    return (
        CirculationEvent.objects.filter(type=CirculationEvent.Type.FEE_PAID, reader_id=fee.reader_id)
        .filter(details__fee=fee.pk)
        .latest("pk")
    )


def fee_payment_get(*, pk: int) -> CirculationEvent:
    payment = (
        CirculationEvent.objects.filter(pk=pk, type=CirculationEvent.Type.FEE_PAID)
        .select_related("unit", "reader", "actor")
        .first()
    )
    if payment is None:
        raise NotFound(_("There is no such payment."), code="payment_not_found")
    return payment


# ---------------------------------------------------------------- lists a unit works from


def pull_list(*, unit: Unit) -> list[Hold]:
    """Copies sitting on this unit's shelves that the holds pass chose for a hold: fetch and check them in."""
    return list(
        Hold.objects.filter(status=Hold.Status.WAITING, target__current_unit=unit, target__status="available")
        .select_related("record", "target", "pickup_unit", "reader")
        .order_by("target__call_number", "placed_at")
    )


def hold_shelf(*, unit: Unit) -> list[Hold]:
    return list(
        Hold.objects.filter(status=Hold.Status.READY, pickup_unit=unit)
        .select_related("record", "target", "reader")
        .order_by("shelf_until", "reader__name")
    )


def transits_outgoing(*, unit: Unit) -> list[Transit]:
    return list(
        Transit.objects.filter(
            from_unit=unit, sent_at__isnull=True, received_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("item__record", "to_unit", "run__route")
        .order_by("to_unit__code", "created_at")
    )


def transits_incoming(*, unit: Unit) -> list[Transit]:
    return list(
        Transit.objects.filter(to_unit=unit, received_at__isnull=True, cancelled_at__isnull=True)
        .select_related("item__record", "from_unit")
        .order_by("created_at")
    )


def transits_overdue(*, within: Unit | None = None, today: dt.date | None = None) -> list[Transit]:
    """Transits still not received after the county's allowed days: a copy may be lost on the way."""
    from .services import circ_settings

    today = today or timezone.localdate()
    limit = timezone.make_aware(dt.datetime.combine(today, dt.time.min)) - dt.timedelta(
        days=circ_settings().transit_overdue_days
    )
    transits = Transit.objects.filter(
        received_at__isnull=True, cancelled_at__isnull=True, created_at__lt=limit
    )
    if within is not None:
        transits = transits.filter(
            Q(from_unit__path__startswith=within.path) | Q(to_unit__path__startswith=within.path)
        )
    return list(transits.select_related("item__record", "from_unit", "to_unit").order_by("created_at"))


def item_history(*, item: Item, limit: int = 50) -> QuerySet[CirculationEvent]:
    return (
        CirculationEvent.objects.filter(item=item)
        .select_related("unit", "reader", "actor")
        .order_by("-at", "-pk")[:limit]
    )


def rule_list() -> QuerySet[CirculationRule]:
    return CirculationRule.objects.select_related("unit", "category", "item_type").order_by(
        "unit__depth", "unit__code", "category__code", "item_type__code"
    )


def category_list() -> QuerySet[ReaderCategory]:
    return ReaderCategory.objects.order_by("code")


def category_get(*, code: str) -> ReaderCategory:
    category = ReaderCategory.objects.filter(code=code).first()
    if category is None:
        raise NotFound(_("There is no reader category %(code)s.") % {"code": code}, code="category_not_found")
    return category
