"""Reader choice at a partner bookstore (你选书我买单): the shop scans the reader's card and the book's
ISBN; the county's rules accept or refuse it, naming the rule; an accepted book is bought on the
reader-choice fund, catalogued from its ISBN, and lent to the reader on the spot. Returned, it goes to
the library that bought it (its home)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog import selectors as catalog_selectors
from wenyun.catalog import services as catalog
from wenyun.circulation import selectors as circulation_selectors
from wenyun.circulation import services as circulation
from wenyun.core.errors import DomainError, Refused
from wenyun.network.access import require_staff_for

from ..lifecycle import ORDER_LIFECYCLE, RECEIVING
from ..models import (
    AcquisitionSettings,
    ChoicePurchase,
    Fund,
    FundSource,
    LineDestination,
    Order,
    OrderLine,
    OrderStatus,
    Receipt,
    Vendor,
)
from ._common import Type, _now, _record, at_rate, isbn13, text, yuan
from .funds import _fund_locked, fund_refuse_beyond
from .orders import _next_number
from .receiving import _class_of, call_number_new, settings_get

# The shop's order of the month takes more books until its bill is entered.
MONTH_OPEN = sorted({*RECEIVING, OrderStatus.RECEIVED})


@dataclass
class ChoiceBook:
    isbn: str
    title: str
    price: Decimal | str
    year: int | str | None = None
    author: str = ""
    publisher: str = ""
    clc: str = ""


@dataclass
class Checked:
    isbn: str
    title: str
    price: Decimal
    year: int
    author: str
    publisher: str
    clc: str


def _book(book: ChoiceBook) -> Checked:
    year_text = str(book.year or "").strip()
    if not year_text.isdigit():
        raise DomainError(_("The year of publication is needed, as four digits."), code="year_missing")
    return Checked(
        isbn=isbn13(book.isbn, required=True),
        title=text(book.title, label=_("The book's title"), max_length=500, required=True),
        price=yuan(book.price, label=_("The price")),
        year=int(year_text),
        author=text(book.author, label=_("The author"), max_length=500),
        publisher=text(book.publisher, label=_("The publisher"), max_length=255),
        clc=text(book.clc, label=_("The CLC class"), max_length=40).upper(),
    )


def _month_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, 1))


def choice_rules_check(*, reader, book: Checked, rules: AcquisitionSettings, today: dt.date) -> None:
    """The county's rules for a chosen book, in order; the first it breaks refuses it, named."""
    if book.price > rules.choice_price_cap:
        raise Refused(
            _("Not bought: the price %(price)s yuan is over the cap of %(cap)s yuan.")
            % {"price": book.price, "cap": rules.choice_price_cap},
            code="choice_price_cap",
        )
    oldest = today.year - rules.choice_years + 1
    if book.year < oldest:
        raise Refused(
            _("Not bought: published in %(year)s; only books published since %(oldest)s are bought.")
            % {"year": book.year, "oldest": oldest},
            code="choice_too_old",
        )
    klass = _class_of(book.clc)
    for excluded in rules.choice_excluded_classes.split():
        if klass and klass.startswith(excluded.upper()):
            raise Refused(
                _("Not bought: books of class %(class)s (%(excluded)s) are not bought on reader choice.")
                % {"class": klass, "excluded": excluded},
                code="choice_excluded_class",
            )
    for word in rules.choice_excluded_words.split():
        if word and word in book.title:
            raise Refused(
                _(
                    "Not bought: %(word)s in the title — textbooks and exam books are not bought on reader choice."
                )
                % {"word": word},
                code="choice_excluded_kind",
            )
    held = sum(catalog_selectors.holdings_by_isbn(isbns=[book.isbn]).get(book.isbn, {}).values())
    if held >= rules.choice_copies_per_title:
        raise Refused(
            _(
                "Not bought: the county already holds %(n)s copies of this title (at most %(max)s); the reader may place a hold."
            )
            % {"n": held, "max": rules.choice_copies_per_title},
            code="choice_enough_copies",
        )
    this_month = ChoicePurchase.objects.filter(reader_id=reader.pk, at__gte=_month_start(today)).count()
    if this_month >= rules.choice_per_reader_month:
        raise Refused(
            _("Not bought: this reader has chosen %(n)s books this month, the most a month allows.")
            % {"n": this_month},
            code="choice_reader_month",
        )


def _fund_for(price: Decimal, *, year: int) -> Fund:
    funds = list(Fund.objects.filter(source=FundSource.READER_CHOICE, year=year).order_by("pk"))
    if not funds:
        raise Refused(
            _("Not bought: there is no reader-choice fund for %(year)s.") % {"year": year},
            code="choice_no_fund",
        )
    from ..selectors import fund_figures

    figures = fund_figures(funds=funds)
    for fund in funds:
        if figures[fund.pk].available >= price:
            return fund
    fund_refuse_beyond(funds[0], price)  # raises, with the figures
    raise AssertionError("unreachable")


def _order_of_month(shop: Vendor, fund: Fund, *, now: dt.datetime) -> Order:
    day = timezone.localtime(now).date()
    order = (
        Order.objects.select_for_update()
        .filter(
            vendor=shop,
            fund=fund,
            reader_choice=True,
            status__in=MONTH_OPEN,
            created_at__gte=_month_start(day),
        )
        .order_by("pk")
        .first()
    )
    if order is not None:
        return order
    order = Order.objects.create(
        number=_next_number(f"RC{day.year}-"),
        vendor=shop,
        fund=fund,
        unit=fund.unit,
        note=_("Reader choice at %(shop)s, %(month)s") % {"shop": shop.name, "month": day.strftime("%Y-%m")},
        created_at=now,
        reader_choice=True,
    )
    order.save(update_fields=ORDER_LIFECYCLE.move(order, "send", at=now))
    order.sent_at = now
    order.save(update_fields=["sent_at"])
    return order


@dataclass
class ChoiceResult:
    purchase: ChoicePurchase
    loan_due: dt.date


@transaction.atomic
def choice_lend(
    *, actor, shop: Vendor, card: str, book: ChoiceBook, barcode: str, at: dt.datetime | None = None
) -> ChoiceResult:
    """Buy the book the reader chose and lend it to him, or refuse naming the rule it breaks."""
    now = _now(at)
    if not (shop.partner_shop and shop.active and shop.shop_unit_id):
        raise Refused(
            _("%(shop)s is not a partner bookstore for reader choice.") % {"shop": shop.name},
            code="not_partner_shop",
        )
    shop_unit = shop.shop_unit
    if shop_unit is None:  # a partner shop always has one (vendor_save): for the type checker
        raise Refused(
            _("%(shop)s is not a partner bookstore for reader choice.") % {"shop": shop.name},
            code="not_partner_shop",
        )
    require_staff_for(actor, shop_unit)
    reader = circulation_selectors.reader_by_card(card=card)
    checked = _book(book)
    rules = settings_get()
    today = timezone.localtime(now).date()
    choice_rules_check(reader=reader, book=checked, rules=rules, today=today)
    paid = at_rate(checked.price, shop.rate)
    fund = _fund_locked(_fund_for(paid, year=today.year))
    fund_refuse_beyond(fund, paid)
    order = _order_of_month(shop, fund, now=now)
    line = OrderLine.objects.create(
        order=order,
        position=order.lines.count() + 1,
        isbn=checked.isbn,
        title=checked.title,
        author=checked.author,
        publisher=checked.publisher,
        year=checked.year,
        clc=checked.clc,
        list_price=checked.price,
        price=paid,
        quantity=1,
        received=1,
    )
    destination = LineDestination.objects.create(line=line, unit=fund.unit, quantity=1, received=1)
    if order.status != OrderStatus.RECEIVED:
        order.save(update_fields=ORDER_LIFECYCLE.move(order, "receive_all", at=now))
    record = catalog.record_fast_add(
        actor=actor,
        isbn=checked.isbn,
        title=checked.title,
        responsibility=checked.author,
        publisher=checked.publisher,
        year=checked.year,
        clc=checked.clc,
        source=f"choice:{shop.code}",
    )
    line.record = record
    line.save(update_fields=["record"])
    call_number = (
        record.call_number
        if "/" in (record.call_number or "")
        else call_number_new(
            clc=record.clc or checked.clc, author=record.responsibility, scheme=rules.call_numbers
        )
    )
    item = catalog.item_create(
        actor=actor,
        record=record,
        barcode=barcode,
        home_unit=fund.unit,
        current_unit=shop_unit,
        item_type=catalog_selectors.item_type_default(),
        call_number=call_number,
        price=checked.price,
        acquired_on=today,
        notes=_("Reader choice at %(shop)s") % {"shop": shop.name},
    )
    Receipt.objects.create(
        line=line,
        destination=destination,
        item=item,
        barcode=item.barcode,
        call_number=call_number,
        received_at=now,
        received_by=actor if getattr(actor, "pk", None) else None,
    )
    loan = circulation.loan_checkout(
        reader=reader, item=item, at_unit=shop_unit, actor=actor, via=f"choice:{shop.code}", at=now
    )
    purchase = ChoicePurchase.objects.create(
        shop=shop,
        fund=fund,
        order=order,
        line=line,
        reader_id=reader.pk,
        item=item,
        isbn=checked.isbn,
        price=paid,
        at=now,
    )
    _record(
        type=Type.CHOICE_LENT,
        unit=shop_unit,
        actor=actor,
        at=now,
        shop=shop.code,
        barcode=item.barcode,
        isbn=checked.isbn,
        price=str(paid),
        fund=fund.code,
        order=order.number,
    )
    return ChoiceResult(purchase=purchase, loan_due=loan.due_on)
