"""The statistics over the JSON API: the annual figures and the metric catalogue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router

from wenyun.core.api_types import Day, ReportYear, errors

from .access import stats_unit
from .metrics import metric_catalogue, metric_value
from .report import annual_report, report_as_dict

router = Router(tags=["stats"])

# Optional parameters without a null in the schema: absent means the default the docstring names.
LAST_YEAR = Query(None)
START = Query(None)
END = Query(None)


@router.get(
    "/annual",
    response={200: dict, **errors(400, 401, 404)},
    summary="The annual statistics figures for a unit and its sub-units",
)
def annual(request, year: ReportYear = LAST_YEAR, unit: str | None = None):
    """The library and cultural-centre forms of the annual statistics report for `year` (default: last
    year) and `unit` (default: the caller's unit): each form's items with the total, the previous year's
    total and the change, and one row per institution; then the county indicators. Items Wenyun does
    not record yet are listed in `not_recorded` and have null figures."""
    target = stats_unit(request.user, unit)
    return report_as_dict(annual_report(unit=target, year=year or timezone.localdate().year - 1))


@router.get("/metrics", response={200: list[dict], **errors(401)}, summary="Every metric with its definition")
def metrics(request):
    return metric_catalogue()


@router.get(
    "/metrics/{code}",
    response={200: dict, **errors(400, 401, 404)},
    summary="One metric for a unit and a period",
)
def metric(
    request,
    code: str,
    unit: str | None = None,
    start: Day = START,
    end: Day = END,
    sub_units: bool = True,
):
    """`start` and `end` default to this year so far; `start` after `end` is refused (400
    `stats_period_invalid`), an unknown metric or unit is 404."""
    target = stats_unit(request.user, unit)
    today = timezone.localdate()
    start = start or dt.date(today.year, 1, 1)
    end = end or today
    value = metric_value(
        code=code, unit=target, include_sub_units=sub_units, period_start=start, period_end=end
    )
    return {
        "code": code,
        "unit": target.code,
        "include_sub_units": sub_units,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "value": float(value) if value is not None and not isinstance(value, int) else value,
    }
