"""Acquisitions' figures for the statistics (`stats.metrics` registers them), in the shapes of
`stats.selectors` (per_unit_* -> {unit id: value}) for any period, one query each."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Sum

from wenyun.stats.periods import Period

from .models import InvoiceLine


def per_unit_acquisition_spent(unit_ids: Sequence[int], period: Period) -> dict[int, Decimal]:
    """Yuan invoiced in the period on the funds each unit owns (a fund split to a station is the station's)."""
    rows = (
        InvoiceLine.objects.filter(
            invoice__order__fund__unit_id__in=unit_ids,
            invoice__issued_on__gte=period.start,
            invoice__issued_on__lte=period.end,
        )
        .values("invoice__order__fund__unit_id")
        .annotate(total=Sum("amount"))
    )
    return {row["invoice__order__fund__unit_id"]: row["total"] for row in rows}
