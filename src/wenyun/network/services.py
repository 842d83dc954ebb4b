"""Writes to the county network. Each is atomic and leaves one NetworkEvent behind."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core import versions
from wenyun.core.errors import Conflict, DomainError

from .access import require_county_admin, require_manage
from .models import ALLOWED_PARENTS, Closure, NetworkEvent, OpeningHours, Unit, UnitKind

# Fields a unit's own managers may change; the rest (code, kind, parent) are the county's.
LOCAL_FIELDS = (
    "name",
    "name_en",
    "address",
    "phone",
    "population",
    "building_area",
    "free_opening",
    "digital_service",
    "wifi",
)
COUNTY_FIELDS = ("code", "kind", "parent", "grade", "active")


def _check_parent(*, kind: str, parent: Unit | None) -> None:
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise DomainError(_("%(kind)s is not a kind of unit.") % {"kind": kind}, code="unit_kind_invalid")
    if parent is None:
        if allowed:
            raise DomainError(_("A unit of this kind needs a parent unit."), code="unit_parent_required")
        if Unit.objects.filter(parent__isnull=True).exists():
            raise Conflict(_("The county already has its top unit."), code="unit_root_exists")
        return
    if parent.kind not in allowed:
        raise DomainError(
            _("A %(kind)s cannot be placed under a %(parent_kind)s.")
            % {"kind": UnitKind(kind).label, "parent_kind": UnitKind(parent.kind).label},
            code="unit_parent_invalid",
        )


def _require_manage(actor, unit: Unit) -> None:
    # actor None is the system itself (the demo builder, an import run from the shell).
    if actor is not None:
        require_manage(actor, unit)


def _record(*, unit: Unit, actor, type: str, details: dict | None = None) -> None:
    """The change's event, and the version of the circulation rules cache, which holds every unit,
    its hours and its closures: each change here is one it must see."""
    NetworkEvent.objects.create(
        unit=unit,
        actor=actor if getattr(actor, "pk", None) else None,
        type=type,
        at=timezone.now(),
        details=details or {},
    )
    versions.bump(versions.CIRCULATION_RULES)


def _clean_number(value, *, field: str, minimum: int | Decimal = 0):
    if value is None or value == "":
        return 0
    try:
        number = Decimal(str(value)) if field == "building_area" else int(value)
    except (ValueError, ArithmeticError):
        raise DomainError(
            _("%(field)s must be a number, not %(value)s.") % {"field": field, "value": value},
            code="unit_field_invalid",
        ) from None
    if number < minimum:
        raise DomainError(_("%(field)s cannot be negative.") % {"field": field}, code="unit_field_invalid")
    return number


@transaction.atomic
def unit_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    name_en: str = "",
    address: str = "",
    phone: str = "",
    population: int = 0,
    building_area: Decimal | int | float = 0,
    grade: int = 0,
    free_opening: bool = True,
    digital_service: bool = False,
    wifi: bool = False,
) -> Unit:
    if actor is not None:
        require_county_admin(actor)
    code = (code or "").strip()
    name = (name or "").strip()
    if not code or not name:
        raise DomainError(_("A unit needs a code and a name."), code="unit_field_invalid")
    if Unit.objects.filter(code=code).exists():
        raise Conflict(
            _("The code %(code)s is already used by another unit.") % {"code": code}, code="unit_code_taken"
        )
    _check_parent(kind=kind, parent=parent)
    unit = Unit.objects.create(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        parent=parent,
        address=address,
        phone=phone,
        population=_clean_number(population, field="population"),
        building_area=_clean_number(building_area, field="building_area"),
        grade=grade,
        free_opening=free_opening,
        digital_service=digital_service,
        wifi=wifi,
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    _record(unit=unit, actor=actor, type=NetworkEvent.Type.UNIT_CREATED, details={"code": code, "kind": kind})
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **changes) -> Unit:
    """Change a unit's fields; code, kind, parent, grade and the active flag need a county administrator."""
    unknown = set(changes) - set(LOCAL_FIELDS) - set(COUNTY_FIELDS)
    if unknown:
        raise DomainError(
            _("%(fields)s cannot be changed on a unit.") % {"fields": ", ".join(sorted(unknown))},
            code="unit_field_invalid",
        )
    _require_manage(actor, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    changed = {
        k: v
        for k, v in changes.items()
        if getattr(unit, k if k != "parent" else "parent_id")
        != (v.pk if k == "parent" and v is not None else v)
    }
    if set(changed) & set(COUNTY_FIELDS) and actor is not None:
        require_county_admin(actor)
    if not changed:
        return unit
    if "population" in changed:
        changed["population"] = _clean_number(changed["population"], field="population")
    if "building_area" in changed:
        changed["building_area"] = _clean_number(changed["building_area"], field="building_area")
    if "name" in changed and not str(changed["name"]).strip():
        raise DomainError(_("A unit needs a name."), code="unit_field_invalid")
    if "code" in changed:
        code = str(changed["code"]).strip()
        if not code or Unit.objects.filter(code=code).exclude(pk=unit.pk).exists():
            raise Conflict(
                _("The code %(code)s is already used by another unit.") % {"code": code},
                code="unit_code_taken",
            )
    kind = changed.get("kind", unit.kind)
    parent = changed.get("parent", unit.parent)
    if "kind" in changed or "parent" in changed:
        if parent is not None and parent.path.startswith(unit.path):
            raise DomainError(_("A unit cannot be moved under itself."), code="unit_parent_invalid")
        if parent is not None:
            _check_parent(kind=kind, parent=parent)
        for child in unit.children.all():
            if kind not in ALLOWED_PARENTS[child.kind]:
                raise DomainError(
                    _("%(unit)s has units under it that cannot hang under a %(kind)s.")
                    % {"unit": unit.name, "kind": UnitKind(kind).label},
                    code="unit_kind_invalid",
                )
    old_path = unit.path
    for field, value in changed.items():
        setattr(unit, field, value)
    fields = list(changed)
    if "parent" in changed:
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.depth = parent.depth + 1 if parent else 0
        fields += ["path", "depth"]
    unit.save(update_fields=fields)
    if unit.path != old_path:
        descendants = Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk)
        descendants.update(path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)))
        for descendant in Unit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk):
            descendant.depth = descendant.path.strip("/").count("/")
            descendant.save(update_fields=["depth"])
    _record(
        unit=unit,
        actor=actor,
        type=NetworkEvent.Type.UNIT_UPDATED,
        details={
            "fields": sorted(k for k in changed if k != "parent")
            + (["parent"] if "parent" in changed else [])
        },
    )
    return unit


def _parse_periods(periods) -> list[tuple[int, dt.time, dt.time]]:
    parsed = []
    for weekday, opens, closes in periods:
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise DomainError(_("A weekday must be 0 (Monday) to 6 (Sunday)."), code="hours_invalid")
        if opens >= closes:
            raise DomainError(
                _("An opening period must close after it opens (%(opens)s–%(closes)s).")
                % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")},
                code="hours_invalid",
            )
        parsed.append((weekday, opens, closes))
    parsed.sort()
    for (day_a, _open_a, close_a), (day_b, open_b, _close_b) in itertools.pairwise(parsed):
        if day_a == day_b and open_b < close_a:
            raise DomainError(_("Two opening periods on the same day overlap."), code="hours_invalid")
    return parsed


@transaction.atomic
def unit_set_hours(*, actor, unit: Unit, periods) -> list[OpeningHours]:
    """Replace the unit's regular week with the given (weekday, opens, closes) periods."""
    _require_manage(actor, unit)
    parsed = _parse_periods(periods)
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    OpeningHours.objects.filter(unit=unit).delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(unit=unit, weekday=w, opens=o, closes=c) for w, o, c in parsed
    )
    _record(
        unit=unit,
        actor=actor,
        type=NetworkEvent.Type.HOURS_CHANGED,
        details={"periods": [[w, o.strftime("%H:%M"), c.strftime("%H:%M")] for w, o, c in parsed]},
    )
    return rows


@transaction.atomic
def closure_add(*, actor, unit: Unit, first_day: dt.date, last_day: dt.date, reason: str) -> Closure:
    _require_manage(actor, unit)
    if first_day > last_day:
        raise DomainError(_("A closure cannot end before it starts."), code="closure_invalid")
    if not (reason or "").strip():
        raise DomainError(_("Say why the unit is closed."), code="closure_invalid")
    closure = Closure.objects.create(unit=unit, first_day=first_day, last_day=last_day, reason=reason.strip())
    _record(
        unit=unit,
        actor=actor,
        type=NetworkEvent.Type.CLOSURE_ADDED,
        details={
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "reason": closure.reason,
        },
    )
    return closure


@transaction.atomic
def closure_remove(*, actor, closure: Closure) -> None:
    unit = closure.unit
    _require_manage(actor, unit)
    _record(
        unit=unit,
        actor=actor,
        type=NetworkEvent.Type.CLOSURE_REMOVED,
        details={"first_day": closure.first_day.isoformat(), "last_day": closure.last_day.isoformat()},
    )
    closure.delete()
