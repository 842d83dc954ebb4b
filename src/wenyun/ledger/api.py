from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Schema

from wenyun.core.api_types import ReportYear, errors
from wenyun.network.access import units_visible_to

from .access import access_standard
from .evaluate import standard_evaluate

router = Router(tags=["ledger"])
# Optional, and no null in the schema: an absent year is this year.
THIS_YEAR = Query(None)


class ValueOut(Schema):
    unit: str
    value: float | None
    met: bool | None


class IndicatorOut(Schema):
    code: str
    name: str
    part: str
    scope: str
    measure: str
    comparison: str
    threshold: float | None
    computable: bool
    missing: list[str]
    sources: list[str]
    values: list[ValueOut]
    failing: list[ValueOut]


@router.get(
    "",
    response={200: list[IndicatorOut], **errors(400, 401, 404)},
    summary="The acceptance ledger: each indicator's values now",
)
def ledger(request, standard: str, year: ReportYear = THIS_YEAR):
    """Each indicator of the standard computed for the year (this year by default): its value per unit
    in scope (only the units the token's staff member may see), met or not against the threshold,
    and the units that fail it (for a share, the units failing the per-unit condition). A formula
    whose metric no source offers yet has `computable: false`, the codes in `missing`, and no values."""
    found = access_standard(standard)
    year = year or timezone.localdate().year
    visible = set(units_visible_to(request.auth).values_list("pk", flat=True))
    out = []
    for result in standard_evaluate(standard=found, year=year):
        indicator = result.indicator
        out.append(
            IndicatorOut(
                code=indicator.code,
                name=indicator.name,
                part=indicator.part,
                scope=indicator.scope,
                measure=indicator.measure,
                comparison=indicator.comparison,
                threshold=float(indicator.threshold) if indicator.threshold is not None else None,
                computable=result.computable,
                missing=result.missing,
                sources=result.sources,
                values=[
                    ValueOut(
                        unit=row.unit.code, value=None if row.value is None else float(row.value), met=row.met
                    )
                    for row in result.rows
                    if row.unit.pk in visible
                ],
                failing=[
                    ValueOut(
                        unit=row.unit.code, value=None if row.value is None else float(row.value), met=row.met
                    )
                    for row in sorted(result.failing, key=lambda r: r.unit.code)
                    if row.unit.pk in visible
                ],
            )
        )
    return out
