"""Amateur troupes: registration, the support they get and their performances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit

from ..models import Troupe, TroupePerformance, TroupeSupport, Venue
from ._common import E, _clean_text, _record, clean_phone


@transaction.atomic
def troupe_register(
    *,
    actor,
    unit: Unit,
    name: str,
    art_form: str,
    leader: str,
    phone: str = "",
    members: int = 0,
    rehearsal_venue: Venue | None = None,
    founded_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Troupe:
    require_staff_for(actor, unit)
    name = _clean_text(name, label=_("The troupe's name"), max_length=80)
    art_form = _clean_text(art_form, label=_("The art form"), max_length=40)
    leader = _clean_text(leader, label=_("The leader"), max_length=60)
    if phone:
        phone = clean_phone(phone)
    if Troupe.objects.filter(unit=unit, name=name).exists():
        raise Conflict(
            _("%(unit)s already has a troupe called %(name)s.") % {"unit": unit.name, "name": name},
            code="troupe_name_taken",
        )
    troupe = Troupe.objects.create(
        unit=unit,
        name=name,
        art_form=art_form,
        leader=leader,
        phone=phone,
        members=members,
        rehearsal_venue=rehearsal_venue,
        founded_on=founded_on,
    )
    _record(unit=unit, actor=actor, type=E.TROUPE_REGISTERED, at=at, details={"troupe": troupe.pk})
    return troupe


@transaction.atomic
def troupe_support_add(
    *, actor, troupe: Troupe, kind: str, on: dt.date, description: str, amount: Decimal | str = "0", at=None
) -> TroupeSupport:
    require_staff_for(actor, troupe.unit)
    if kind not in TroupeSupport.Kind.values:
        raise DomainError(_("%(value)s is not a kind of support.") % {"value": kind}, code="kind_invalid")
    try:
        money = Decimal(str(amount or "0"))
    except InvalidOperation:
        raise DomainError(
            _("%(value)s is not an amount of money.") % {"value": amount}, code="amount_invalid"
        ) from None
    if money < 0:
        raise DomainError(_("An amount cannot be negative."), code="amount_invalid")
    support = TroupeSupport.objects.create(
        troupe=troupe,
        kind=kind,
        on=on,
        description=_clean_text(description, label=_("What"), max_length=200),
        amount=money,
    )
    _record(
        unit=troupe.unit,
        actor=actor,
        type=E.TROUPE_SUPPORTED,
        at=at,
        details={"troupe": troupe.pk, "kind": kind, "amount": str(money)},
    )
    return support


@transaction.atomic
def troupe_performance_add(
    *, actor, troupe: Troupe, on: dt.date, title: str, place: str, audience: int, at=None
) -> TroupePerformance:
    require_staff_for(actor, troupe.unit)
    if audience < 0:
        raise DomainError(_("An audience cannot be negative."), code="audience_invalid")
    performance = TroupePerformance.objects.create(
        troupe=troupe,
        on=on,
        title=_clean_text(title, label=_("The title"), max_length=120),
        place=_clean_text(place, label=_("The place"), max_length=120),
        audience=audience,
    )
    _record(
        unit=troupe.unit,
        actor=actor,
        type=E.TROUPE_PERFORMED,
        at=at,
        details={"troupe": troupe.pk, "audience": audience, "on": on.isoformat()},
    )
    return performance
