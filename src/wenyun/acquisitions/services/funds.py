"""Funds and vendors: the money the county buys with, and whom it buys from."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError, Refused
from wenyun.core.normalise import phone_normalise
from wenyun.network.models import Unit

from ..access import require_acquirer
from ..models import Fund, FundSource, Vendor
from ._common import Type, _record, text, yuan

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,30}$")


def _code(value: str, *, max_length: int) -> str:
    code = text(value, label=_("Code"), max_length=max_length, required=True).upper()
    if not _CODE.match(code):
        raise DomainError(
            _("%(code)s is not a code: letters, digits, dots, dashes and underscores only.")
            % {"code": value},
            code="code_invalid",
        )
    return code


def _fund_locked(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().select_related("unit").get(pk=fund.pk)


def fund_refuse_beyond(fund: Fund, amount: Decimal) -> None:
    """Refuse, with the figures, to commit `amount` beyond what the fund has available."""
    from ..selectors import fund_figures

    figures = fund_figures(funds=[fund])[fund.pk]
    if amount > figures.available:
        raise Refused(
            _(
                "The fund %(fund)s has %(available)s yuan available (allocated %(allocated)s, committed "
                "%(committed)s, spent %(spent)s, split to units %(split)s): %(amount)s yuan is more."
            )
            % {
                "fund": fund.code,
                "available": figures.available,
                "allocated": figures.allocated,
                "committed": figures.committed,
                "spent": figures.spent,
                "split": figures.split,
                "amount": amount,
            },
            code="fund_exceeded",
        )


@transaction.atomic
def fund_create(
    *, actor, code: str, name: str, year: int, unit: Unit, source: str, allocated, parent: Fund | None = None
) -> Fund:
    require_acquirer(actor)
    code = _code(code, max_length=30)
    name = text(name, label=_("Name"), max_length=120, required=True)
    if source not in FundSource.values:
        raise DomainError(
            _("%(source)s is not a source of funds.") % {"source": source}, code="source_invalid"
        )
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("%(year)s is not a year.") % {"year": year}, code="year_invalid")
    amount = yuan(allocated, label=_("Allocated"))
    if parent is not None:
        parent = _fund_locked(parent)
        fund_refuse_beyond(parent, amount)
    try:
        with transaction.atomic():
            fund = Fund.objects.create(
                code=code, name=name, year=year, unit=unit, source=source, allocated=amount, parent=parent
            )
    except IntegrityError:
        raise Conflict(
            _("There is already a fund with the code %(code)s.") % {"code": code}, code="fund_code_taken"
        ) from None
    _record(
        type=Type.FUND_SPLIT if parent else Type.FUND_CREATED,
        unit=unit,
        actor=actor,
        fund=fund.code,
        allocated=str(amount),
        parent=parent.code if parent else None,
    )
    return fund


def fund_split(*, actor, fund: Fund, unit: Unit, amount, code: str = "", name: str = "") -> Fund:
    """Carve part of a fund out for a station or village: a child fund of the same year and source."""
    if unit.pk == fund.unit_id:
        raise DomainError(_("A fund is split to another unit than its own."), code="split_same_unit")
    return fund_create(
        actor=actor,
        code=code or f"{fund.code}-{unit.code}",
        name=name or f"{fund.name}（{unit.name}）",
        year=fund.year,
        unit=unit,
        source=fund.source,
        allocated=amount,
        parent=fund,
    )


@transaction.atomic
def fund_update(*, actor, fund: Fund, allocated) -> Fund:
    """Change what a fund was given; less than it already committed, spent and split is refused."""
    require_acquirer(actor)
    fund = _fund_locked(fund)
    amount = yuan(allocated, label=_("Allocated"))
    fund_refuse_beyond(fund, fund.allocated - amount)
    fund.allocated = amount
    fund.save(update_fields=["allocated"])
    _record(
        type=Type.FUND_CREATED,
        unit=fund.unit,
        actor=actor,
        fund=fund.code,
        allocated=str(amount),
        changed=True,
    )
    return fund


@transaction.atomic
def vendor_save(
    *,
    actor,
    code: str,
    name: str,
    contact: str = "",
    phone: str = "",
    email: str = "",
    rate=Decimal("100"),
    sends_xlsx: bool = True,
    sends_marc: bool = False,
    partner_shop: bool = False,
    shop_unit: Unit | None = None,
    active: bool = True,
) -> Vendor:
    """Add a vendor, or change the one with this code."""
    require_acquirer(actor)
    code = _code(code, max_length=20)
    rate_value = yuan(rate, label=_("Price paid, percent of the list price"))
    if not Decimal("1") <= rate_value <= Decimal("100"):
        raise DomainError(
            _("%(rate)s is not a share of the list price: give 1 to 100 (八折 is 80).") % {"rate": rate},
            code="rate_invalid",
        )
    if partner_shop and shop_unit is None:
        raise DomainError(_("A partner bookstore needs the unit it lends for."), code="shop_unit_missing")
    fields = {
        "name": text(name, label=_("Name"), max_length=120, required=True),
        "contact": text(contact, label=_("Contact person"), max_length=60),
        "phone": phone_normalise(phone),
        "email": text(email, label=_("Email"), max_length=254),
        "rate": rate_value,
        "sends_xlsx": bool(sends_xlsx),
        "sends_marc": bool(sends_marc),
        "partner_shop": bool(partner_shop),
        "shop_unit": shop_unit if partner_shop else None,
        "active": bool(active),
    }
    vendor, _created = Vendor.objects.update_or_create(code=code, defaults=fields)
    from wenyun.network.selectors import unit_root

    where = getattr(actor, "unit", None) or unit_root()
    if where is not None:
        _record(type=Type.VENDOR_SAVED, unit=where, actor=actor, vendor=code)
    return vendor
