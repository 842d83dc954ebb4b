"""The demo county's hand-entered figures: door counts and the yearly figures no app records.

Door counters stand at the county library, the cultural centre, the museum, the art centre and the
eleven township stations; their daily readings go back to the first of January two years before the
demo's day, so the annual report has a previous year to compare with. Villages have no counter: their
visits are what the system sees. Seats, terminals, acquisition spending and the operating budget are
entered for the last two years, as a statistics clerk would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from wenyun.core.demo import DemoContext
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import OpeningCalendar

from .models import DoorCount, ManualCode, ManualFigure

# Visitors on an ordinary open day; weekends and the school holidays bring more.
DAILY_VISITS: dict[str, int] = {
    UnitKind.LIBRARY: 420,
    UnitKind.CULTURAL_CENTRE: 260,
    UnitKind.MUSEUM: 180,
    UnitKind.ART_CENTRE: 90,
    UnitKind.STATION: 45,
}
HOLIDAY_MONTHS = {1: 1.3, 2: 1.25, 7: 1.4, 8: 1.35, 10: 1.1}

# Yearly figures per kind: (reading seats, terminals, acquisition spending, operating budget) in yuan.
YEARLY: dict[str, tuple[int, int, int, int]] = {
    UnitKind.LIBRARY: (320, 40, 480_000, 1_650_000),
    UnitKind.CULTURAL_CENTRE: (120, 16, 0, 1_200_000),
    UnitKind.STATION: (40, 6, 12_000, 80_000),
}


def build(ctx: DemoContext) -> None:
    rng = ctx.rng("stats")
    first = dt.date(ctx.today.year - 2, 1, 1)
    last = ctx.today - dt.timedelta(days=1)
    now = timezone.now()
    counted = Unit.objects.filter(kind__in=list(DAILY_VISITS), active=True).order_by("code")
    rows = []
    for unit in counted:
        calendar = OpeningCalendar(unit=unit, first_day=first, last_day=last)
        base = DAILY_VISITS[unit.kind] * (
            1 + (unit.population > 60000) * 0.5 if unit.kind == UnitKind.STATION else 1
        )
        day = first
        while day <= last:
            if calendar.is_open_day(day):
                weight = HOLIDAY_MONTHS.get(day.month, 1.0) * (1.5 if day.weekday() >= 5 else 1.0)
                # Each year a little busier than the one before, as the county's report describes.
                growth = 1 + 0.08 * (day.year - first.year)
                visits = max(0, round(rng.gauss(base * weight * growth, base * 0.18)))
                rows.append(
                    DoorCount(
                        unit=unit,
                        day=day,
                        visits=visits,
                        source=DoorCount.Source.IMPORTED,
                        entered_at=now,
                    )
                )
            day += dt.timedelta(days=1)
    DoorCount.objects.bulk_create(rows, batch_size=2000)

    figures = []
    for unit in Unit.objects.filter(kind__in=list(YEARLY), active=True).order_by("code"):
        seats, terminals, spending, budget = YEARLY[unit.kind]
        for year in (ctx.today.year - 2, ctx.today.year - 1):
            growth = 1 + 0.06 * (year - (ctx.today.year - 2))
            values = {
                ManualCode.READING_SEATS: Decimal(seats + (10 if year == ctx.today.year - 1 else 0)),
                ManualCode.TERMINALS: Decimal(terminals),
                ManualCode.ACQUISITION_SPENDING: Decimal(
                    round(spending * growth * rng.uniform(0.9, 1.1), -2)
                ),
                ManualCode.OPERATING_BUDGET: Decimal(round(budget * growth * rng.uniform(0.95, 1.05), -3)),
            }
            for code, value in values.items():
                if value:
                    figures.append(
                        ManualFigure(
                            unit=unit, code=code, year=year, value=value, note="演示数据", entered_at=now
                        )
                    )
    ManualFigure.objects.bulk_create(figures)
    ctx.out(f"  {len(rows)} daily door counts at {counted.count()} units, {len(figures)} yearly figures")
