"""Staff and subsidies: computing a month's roll, writing it for finance, and the roll page under load.

- Opening a month's roll for the demo county (94 people: read the register and the dated standards,
  prorate, insert the lines, total them, log the event), beside the bare limit: one query for the
  month's appointments and one bulk INSERT of the same number of lines, in the same database. Each
  run is rolled back, so the month stays unopened.
- The roll as XLSX for finance (styles, borders, totals), beside openpyxl writing the same cells
  bare.
- The staffing gaps of every unit (94 units against their rules), beside one bare query of the posts
  held today.
- The roll review page /staff/workforce/rolls/YYYY-MM/ under 20 concurrent clients, served by
  `wenyun serve`, beside the bare view /healthz.
"""

from __future__ import annotations

import io
import statistics
import time

from wenyun.core.bench import BenchContext, Measurement, Server, http_load

REPEAT = 15
CLIENTS = 20


class _Rollback(Exception):
    pass


def _timed(work, repeat: int = REPEAT) -> float:
    """Median milliseconds of work() run inside a transaction that is then rolled back."""
    from django.db import transaction

    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        try:
            with transaction.atomic():
                work()
                raise _Rollback
        except _Rollback:
            pass
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def _month_to_open():
    from django.utils import timezone

    from wenyun.workforce.models import SubsidyRoll
    from wenyun.workforce.rules import next_month

    month = timezone.localdate().replace(day=1)
    while SubsidyRoll.objects.filter(month=month).exists():
        month = next_month(month)
    if month > timezone.localdate():
        raise RuntimeError("every month up to this one has a roll; use a fresh WENYUN_DATA_DIR")
    return month


def _roll_measurements() -> list[Measurement]:
    from django.db.models import Q
    from django.utils import timezone

    from wenyun.network.selectors import unit_root
    from wenyun.workforce import exports, rules, selectors, services
    from wenyun.workforce.models import Appointment, RollLine, SubsidyRoll

    month = _month_to_open()
    lines = len(selectors.roll_compute(month=month))
    roll_ms = _timed(lambda: services.roll_open(actor=None, month=month))

    def bare_insert():
        roll = SubsidyRoll.objects.create(month=month, opened_at=timezone.now(), computed_at=timezone.now())
        posts = list(
            Appointment.objects.filter(start_date__lte=rules.month_last_day(month))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=month))
            .select_related("person", "unit")
        )[:lines]
        RollLine.objects.bulk_create(
            RollLine(
                roll=roll,
                appointment=a,
                person=a.person,
                unit=a.unit,
                person_name=a.person.name,
                post=a.post,
                amount=700,
            )
            for a in posts
        )

    bare_ms = _timed(bare_insert)

    approved = selectors.roll_list().filter(status=SubsidyRoll.Status.APPROVED).first()
    county = unit_root()
    xlsx_ms = _timed(lambda: exports.roll_xlsx(roll=approved, county=county), repeat=7)

    def bare_xlsx():
        from openpyxl import Workbook

        rows = list(
            selectors.roll_lines(roll=approved).values_list(
                "unit__name", "person_name", "post", "standard", "days", "amount"
            )
        )
        book = Workbook()
        for number, row in enumerate(rows, start=1):
            book.active.append([number, *row, "", ""])
        book.save(io.BytesIO())

    bare_xlsx_ms = _timed(bare_xlsx, repeat=7)
    today = timezone.localdate()
    gaps_ms = _timed(lambda: selectors.staffing_gaps(on=today))
    bare_gaps_ms = _timed(
        lambda: list(selectors.appointments_active(on=today).values_list("unit_id", "post"))
    )
    return [
        Measurement(
            "workforce",
            f"open a month's roll ({lines} lines)",
            roll_ms,
            "ms",
            "bare: 1 SELECT + bulk INSERT of the lines",
            bare_ms,
        ),
        Measurement(
            "workforce",
            f"roll as XLSX for finance ({approved.lines.count()} lines)",
            xlsx_ms,
            "ms",
            "bare openpyxl, same cells",
            bare_xlsx_ms,
        ),
        Measurement(
            "workforce",
            "staffing gaps of every unit",
            gaps_ms,
            "ms",
            "bare SELECT of posts held today",
            bare_gaps_ms,
        ),
    ]


def _staff_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    from wenyun.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _page_measurements() -> list[Measurement]:
    from wenyun.workforce import selectors

    roll = selectors.roll_list().first()
    path = f"/staff/workforce/rolls/{roll.label}/"
    cookie = _staff_cookie()
    results = []
    with Server(threads=8) as server:
        http_load(port=server.port, path="/healthz", clients=4, requests_per_client=10)
        bare = http_load(port=server.port, path="/healthz", clients=CLIENTS, requests_per_client=20)
        http_load(port=server.port, path=path, clients=2, requests_per_client=3, cookies=cookie)
        got = http_load(port=server.port, path=path, clients=CLIENTS, requests_per_client=10, cookies=cookie)
        label = "roll review page"
        for metric in ("p50_ms", "p95_ms"):
            results.append(
                Measurement(
                    "workforce",
                    f"{label} {metric[:3]}",
                    got[metric],
                    "ms",
                    f"bare view /healthz {metric[:3]}",
                    bare[metric],
                )
            )
        results.append(
            Measurement(
                "workforce",
                f"{label} throughput",
                got["rps"],
                "req/s",
                "bare view /healthz throughput",
                bare["rps"],
                higher_is_better=True,
            )
        )
    return results


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    return _roll_measurements() + _page_measurements()
