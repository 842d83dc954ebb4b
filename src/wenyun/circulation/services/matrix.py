"""The circulation matrix: saving and deleting its rules (each bumps the rules cache's version)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from wenyun.core import versions
from wenyun.core.errors import DomainError

from ..models import (
    CirculationRule,
)


@transaction.atomic
def rule_save(*, actor, rule: CirculationRule | None = None, **fields) -> CirculationRule:
    """Add or change a row of the matrix (county administrators only)."""
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    rule = rule or CirculationRule()
    for key, value in fields.items():
        setattr(rule, key, value)
    if rule.fee_per_day < 0 or rule.fee_cap < 0:
        raise DomainError(_("Fees cannot be negative."), code="rule_invalid")
    same = {"unit": rule.unit_id, "category": rule.category_id, "item_type": rule.item_type_id}
    clash = CirculationRule.objects.filter(
        **{(f"{k}__isnull" if v is None else f"{k}_id"): (True if v is None else v) for k, v in same.items()}
    ).exclude(pk=rule.pk)
    if clash.exists():
        raise DomainError(
            _("The matrix already has a row for this unit, category and item type."), code="rule_duplicate"
        )
    rule.save()
    versions.bump(versions.CIRCULATION_RULES)
    return rule


@transaction.atomic
def rule_delete(*, actor, rule: CirculationRule) -> None:
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    rule.delete()
    versions.bump(versions.CIRCULATION_RULES)
