"""Cultural services: the public calendar under load, and registering for an activity.

- The portal calendar (/activities/?when=month) and the calendar API (/api/v1/activities) under 20
  concurrent clients, served by `wenyun serve` on the demo county, beside the bare view /healthz.
- Registering 300 people for one activity of 100 places (200 go to the waiting list), each one
  call of `registration_create` (lock the activity, check the window and duplicates, insert, count,
  log the event), beside the bare limit: the same number of one-row INSERT transactions on the same
  database (the registration row alone, no checks, no counter, no event).
"""

from __future__ import annotations

import datetime as dt
import time

from wenyun.core.bench import BenchContext, Measurement, Server, http_load

CLIENTS = 20
PEOPLE = 300


def _pages() -> list[Measurement]:
    results = []
    with Server(threads=8) as server:
        http_load(port=server.port, path="/healthz", clients=4, requests_per_client=10)
        bare = http_load(port=server.port, path="/healthz", clients=CLIENTS, requests_per_client=20)
        for label, path in (
            ("calendar /activities/?when=month", "/activities/?when=month"),
            ("API GET /api/v1/activities (30 days)", "/api/v1/activities"),
        ):
            http_load(port=server.port, path=path, clients=2, requests_per_client=3)
            got = http_load(port=server.port, path=path, clients=CLIENTS, requests_per_client=10)
            for metric in ("p50_ms", "p95_ms"):
                results.append(
                    Measurement(
                        "programs",
                        f"{label} {metric[:3]}",
                        got[metric],
                        "ms",
                        f"bare view /healthz {metric[:3]}",
                        bare[metric],
                    )
                )
            results.append(
                Measurement(
                    "programs",
                    f"{label} throughput",
                    got["rps"],
                    "req/s",
                    "bare view /healthz throughput",
                    bare["rps"],
                    higher_is_better=True,
                )
            )
    return results


def _registrations() -> list[Measurement]:
    from django.db import transaction
    from django.utils import timezone

    from wenyun.network.selectors import unit_get
    from wenyun.programs import services
    from wenyun.programs.models import Activity, Registration, Venue

    library = unit_get(code="YX-LIB")
    venue = Venue.objects.filter(unit=library).first() or services.venue_create(
        actor=None, unit=library, name="报告厅"
    )
    starts = timezone.now() + dt.timedelta(days=400)
    stamp = int(time.time())
    activity = services.activity_create(
        actor=None,
        unit=library,
        title=f"基准测试讲座 {stamp}",
        category="lecture",
        place="基准测试",
        capacity=100,
        sessions=[(starts, starts + dt.timedelta(hours=1))],
        publish=True,
    )
    begin = time.perf_counter()
    for n in range(PEOPLE):
        services.registration_create(
            activity=activity, name=f"读者{n}", phone=f"139{stamp % 10**4:04d}{n:04d}"
        )
    service_rate = PEOPLE / (time.perf_counter() - begin)

    bare_activity = Activity.objects.create(
        unit=library,
        venue=None,
        place="基准测试",
        title=f"基准测试（裸插入）{stamp}",
        category="lecture",
        starts_at=starts,
    )
    now = timezone.now()
    begin = time.perf_counter()
    for n in range(PEOPLE):
        with transaction.atomic():
            Registration.objects.create(
                activity=bare_activity,
                party=f"phone:{n}",
                name="x",
                phone="",
                status="confirmed",
                registered_at=now,
            )
    bare_rate = PEOPLE / (time.perf_counter() - begin)
    activity.refresh_from_db()
    assert (activity.confirmed_count, activity.waiting_count) == (100, PEOPLE - 100)
    del venue
    return [
        Measurement(
            "programs",
            f"registration_create ({PEOPLE} people, 100 places)",
            service_rate,
            "regs/s",
            "bare one-row INSERT transaction",
            bare_rate,
            higher_is_better=True,
        )
    ]


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    return _pages() + _registrations()
