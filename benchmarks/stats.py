"""The annual statistics report over 10,000,000 circulation events, beside a bare SQL aggregate over the
same table in the same run; the dashboards served, beside a bare Django view.

The demo county is built first; then circulation events are generated straight into the circulation
event log with executemany until it holds 10,000,000 × scale rows (spread over the last three years,
most at the county library, checkouts, returns and renewals in the proportions the desk sees), and
kept for the next run. The statistics' daily summary of that log is then brought up to date (timed:
it is what `wenyun manage stats_rebuild` does). The report is the whole annual report of the county for
last year (every form item, its previous year and the indicators); the bare limit is one GROUP BY
counting last year's checkouts per unit, the least any report of loans must read.

The dashboards are measured uncached: the first request for each unit (the county, every township
station and nine villages, and the wall screen on a server just started) computes every figure; then
cached, as a wall screen reloading itself is served; then with figures older than the fresh time,
served as they were while computed again behind the request. A server's very first statistics page
also loads the modules, templates and translations: it is measured apart, on a village, before the
others.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from wenyun.core.bench import BenchContext, Measurement, Server, http_load

EVENTS = 10_000_000
BATCH = 50_000
MARK = "bench"  # the `via` of generated events


def _generate(ctx: BenchContext, target: int) -> int:
    from django.db import connection

    from wenyun.circulation.models import CirculationEvent

    have = CirculationEvent.objects.count()
    if have >= target:
        return have
    ctx.out(f"generating {target - have:,} circulation events into {CirculationEvent._meta.db_table} ...")
    began = time.monotonic()
    if connection.vendor == "sqlite":
        _generate_sqlite(ctx, target - have)
    else:
        _generate_executemany(ctx, target - have)
    ctx.out(f"  done in {time.monotonic() - began:.0f}s")
    return CirculationEvent.objects.count()


def _weights():
    from wenyun.network.models import Unit, UnitKind

    # Most lending at the county library, then the stations, a little at each village.
    share = {UnitKind.LIBRARY: 40, UnitKind.STATION: 3, UnitKind.VILLAGE: 1}
    units = Unit.objects.filter(active=True).exclude(kind__in=[UnitKind.COUNTY, UnitKind.DISTRICT])
    return [(u.pk, share.get(u.kind, 1)) for u in units.order_by("pk")]


def _generate_sqlite(ctx: BenchContext, missing: int) -> None:
    """INSERT ... SELECT from a recursive sequence, with the table's indexes dropped during the load and
    built again after it (the usual way to bulk-load SQLite), in transactions of a million rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    from wenyun.catalog.models import Item
    from wenyun.circulation.models import CirculationEvent, Reader

    table = CirculationEvent._meta.db_table
    first = timezone.make_aware(
        dt.datetime.combine(dt.date(timezone.localdate().year - 2, 1, 1), dt.time(8, 30))
    )
    first_utc = connection.ops.adapt_datetimefield_value(first)
    days = (timezone.localdate() - first.date()).days
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("DROP TABLE IF EXISTS bench_unit")
        cursor.execute("DROP TABLE IF EXISTS bench_reader")
        cursor.execute("DROP TABLE IF EXISTS bench_item")
        cursor.execute("DROP TABLE IF EXISTS bench_type")
        cursor.execute("CREATE TEMP TABLE bench_type (n INTEGER PRIMARY KEY, type TEXT)")
        # 45% checkouts, 42% returns, 9% renewals, 4% holds placed, as the desk sees them.
        types = ["checkout"] * 45 + ["checkin"] * 42 + ["renew"] * 9 + ["hold_placed"] * 4
        cursor.executemany("INSERT INTO bench_type (n, type) VALUES (%s, %s)", list(enumerate(types)))
        cursor.execute("CREATE TEMP TABLE bench_unit (n INTEGER PRIMARY KEY, id INTEGER)")
        cursor.execute("CREATE TEMP TABLE bench_reader (n INTEGER PRIMARY KEY, id INTEGER)")
        cursor.execute("CREATE TEMP TABLE bench_item (n INTEGER PRIMARY KEY, id INTEGER)")
        slots = [pk for pk, weight in _weights() for _ in range(weight)]
        cursor.executemany("INSERT INTO bench_unit (n, id) VALUES (%s, %s)", list(enumerate(slots)))
        readers = list(Reader.objects.values_list("pk", flat=True))
        items = list(Item.objects.values_list("pk", flat=True))
        cursor.executemany("INSERT INTO bench_reader (n, id) VALUES (%s, %s)", list(enumerate(readers)))
        cursor.executemany("INSERT INTO bench_item (n, id) VALUES (%s, %s)", list(enumerate(items)))
    done = 0
    while done < missing:
        size = min(1_000_000, missing - done)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {size}),
                picks AS (
                    SELECT abs(random()) % 100 AS r,
                           abs(random()) % {days} AS d,
                           abs(random()) % 32400 AS s,
                           abs(random()) % {len(slots)} AS u,
                           abs(random()) % {len(readers)} AS p,
                           abs(random()) % {len(items)} AS i
                    FROM seq
                )
                INSERT INTO {table} (type, at, details, via, unit_id, item_id, reader_id)
                SELECT (SELECT type FROM bench_type WHERE n = picks.r),
                       datetime(%s, '+' || d || ' days', '+' || s || ' seconds'),
                       '{{}}', %s,
                       (SELECT id FROM bench_unit WHERE n = picks.u),
                       (SELECT id FROM bench_item WHERE n = picks.i),
                       (SELECT id FROM bench_reader WHERE n = picks.p)
                FROM picks
                """,
                [first_utc, MARK],
            )
        done += size
        ctx.out(f"  {done:,} of {missing:,}")
    ctx.out("  building the indexes again ...")
    with connection.cursor() as cursor:
        for sql in indexes:
            cursor.execute(sql)
        cursor.execute("ANALYZE")


def _generate_executemany(ctx: BenchContext, missing: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from wenyun.catalog.models import Item
    from wenyun.circulation.models import CirculationEvent, Reader

    rng = random.Random(20180913)
    weights = _weights()
    unit_ids = [pk for pk, _w in weights]
    unit_weights = [w for _pk, w in weights]
    readers = list(Reader.objects.values_list("pk", flat=True))
    items = list(Item.objects.values_list("pk", flat=True))
    first = dt.date(timezone.localdate().year - 2, 1, 1)
    days = (timezone.localdate() - first).days
    start = timezone.make_aware(dt.datetime.combine(first, dt.time(8, 30)))
    types = ["checkout"] * 45 + ["checkin"] * 42 + ["renew"] * 9 + ["hold_placed"] * 4
    sql = (
        f"INSERT INTO {CirculationEvent._meta.db_table} (type, at, details, via, unit_id, item_id, reader_id) "
        "VALUES (%s, %s, '{}', %s, %s, %s, %s)"
    )
    done = 0
    while done < missing:
        size = min(BATCH, missing - done)
        rows = [
            (
                rng.choice(types),
                start + dt.timedelta(days=rng.randrange(days), seconds=rng.randrange(9 * 3600)),
                MARK,
                unit_id,
                rng.choice(items),
                rng.choice(readers),
            )
            for unit_id in rng.choices(unit_ids, weights=unit_weights, k=size)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        done += size
        if done % 1_000_000 < BATCH:
            ctx.out(f"  {done:,} of {missing:,}")


def _timed(function, repeat: int = 3) -> tuple[float, float]:
    """(first run, median of the runs) in milliseconds."""
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return samples[0], statistics.median(samples)


def _cpu_timed(function, repeat: int = 3) -> float:
    """Median CPU time of this process over the runs, in milliseconds (steady under a shared machine's load)."""
    samples = []
    for _ in range(repeat):
        began = time.process_time()
        function()
        samples.append((time.process_time() - began) * 1000)
    return statistics.median(samples)


def _server_cpu_ms(server: Server) -> float:
    """CPU time the server process has used so far (user + system, all threads), from /proc."""
    import os

    assert server.process is not None
    with open(f"/proc/{server.process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _staff_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    from wenyun.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def run(ctx: BenchContext) -> list[Measurement]:
    from django.db import connection
    from django.utils import timezone

    from wenyun.circulation.models import CirculationEvent
    from wenyun.network.models import Unit, UnitKind
    from wenyun.network.selectors import unit_root
    from wenyun.stats.periods import Period
    from wenyun.stats.report import annual_report
    from wenyun.stats.summary import circulation_summary_catch_up

    ctx.ensure_demo()
    total = _generate(ctx, round(EVENTS * ctx.scale))
    began = time.monotonic()
    read = circulation_summary_catch_up(
        chunk=1_000_000,
        progress=lambda done, last: ctx.out(f"  summary: events up to id {done:,} of {last:,}"),
    )
    if read:
        ctx.out(f"  the statistics' summary took in {read:,} event ids in {time.monotonic() - began:.0f}s")
    county = unit_root()
    assert county is not None
    year = timezone.localdate().year - 1
    period = Period.year(year)
    table = CirculationEvent._meta.db_table
    bare_sql = f"SELECT unit_id, COUNT(*) FROM {table} WHERE type = 'checkout' AND at >= %s AND at < %s GROUP BY unit_id"
    params = [connection.ops.adapt_datetimefield_value(m) for m in (period.first_moment, period.after_moment)]

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, params)
            cursor.fetchall()

    def report() -> None:
        annual_report(unit=county, year=year)

    note = f"{total:,} events, county, {year}"
    bare_first, bare_median = _timed(bare)
    report_first, report_median = _timed(report)
    bare_cpu = _cpu_timed(bare)
    report_cpu = _cpu_timed(report)
    results = [
        Measurement(
            "stats",
            "annual report, CPU (median of 3)",
            report_cpu,
            "ms",
            "bare SQL GROUP BY, CPU (median of 3)",
            bare_cpu,
            note=note,
        ),
        Measurement(
            "stats",
            "annual report (first run)",
            report_first,
            "ms",
            "bare SQL GROUP BY (first run)",
            bare_first,
            note=note,
        ),
        Measurement(
            "stats",
            "annual report (median of 3)",
            report_median,
            "ms",
            "bare SQL GROUP BY (median of 3)",
            bare_median,
            note=note,
        ),
    ]

    cookie = _staff_cookie()
    stations = list(Unit.objects.filter(kind=UnitKind.STATION, active=True).order_by("code"))
    villages = list(Unit.objects.filter(kind=UnitKind.VILLAGE, active=True).order_by("code")[:10])
    # Servers that compute nothing as they start: the first request for a unit computes its figures.
    cold_server = {"WENYUN_DASHBOARD_WARM": "0"}
    with Server(threads=4, env=cold_server) as server:
        http_load(port=server.port, path="/healthz", clients=2, requests_per_client=5)
        cpu = _server_cpu_ms(server)
        bare_view = http_load(port=server.port, path="/healthz", clients=4, requests_per_client=20)
        bare_cpu_per_request = (_server_cpu_ms(server) - cpu) / 80
        # The process's first statistics page loads the modules, templates and catalogues once.
        warmup = villages.pop()
        began = time.perf_counter()
        http_load(
            port=server.port,
            path=f"/staff/stats/?unit={warmup.code}",
            clients=1,
            requests_per_client=1,
            cookies=cookie,
        )
        results.append(
            Measurement(
                "stats",
                "server's first statistics page",
                (time.perf_counter() - began) * 1000,
                "ms",
                "bare view /healthz p50",
                bare_view["p50_ms"],
                note=f"{warmup.code}: process warm-up and its figures",
            )
        )
        path = "/staff/stats/?unit=" + county.code
        cpu = _server_cpu_ms(server)
        cold = http_load(port=server.port, path=path, clients=1, requests_per_client=1, cookies=cookie)
        county_cpu = _server_cpu_ms(server) - cpu
        results.append(
            Measurement(
                "stats",
                "county dashboard first request",
                cold["p50_ms"],
                "ms",
                "bare view /healthz p50",
                bare_view["p50_ms"],
                note="computes every figure",
            )
        )
        results.append(
            Measurement(
                "stats",
                "county dashboard first request, CPU",
                county_cpu,
                "ms",
                "bare view /healthz, CPU a request",
                bare_cpu_per_request,
                note="the server process's user + system time",
            )
        )
        # Each unit's first request computes its own figures (nothing cached for it yet).
        firsts = []
        cpu = _server_cpu_ms(server)
        for unit in stations + villages:
            began = time.perf_counter()
            http_load(
                port=server.port,
                path=f"/staff/stats/?unit={unit.code}",
                clients=1,
                requests_per_client=1,
                cookies=cookie,
            )
            firsts.append((time.perf_counter() - began) * 1000)
        units_cpu = (_server_cpu_ms(server) - cpu) / len(firsts)
        ordered = sorted(firsts)
        for label, value, bare_label, bare_value in (
            ("p50", statistics.median(firsts), "p50", bare_view["p50_ms"]),
            (
                "p95",
                ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
                "p95",
                bare_view["p95_ms"],
            ),
        ):
            results.append(
                Measurement(
                    "stats",
                    f"unit dashboards first request {label}",
                    value,
                    "ms",
                    f"bare view /healthz {bare_label}",
                    bare_value,
                    note=f"{len(stations)} stations, {len(villages)} villages",
                )
            )
        results.append(
            Measurement(
                "stats",
                "unit dashboards first request, CPU",
                units_cpu,
                "ms",
                "bare view /healthz, CPU a request",
                bare_cpu_per_request,
                note="mean over the units",
            )
        )
        for label, page in (("county dashboard", path), ("wall screen", "/staff/stats/screen/")):
            warm = http_load(port=server.port, path=page, clients=4, requests_per_client=20, cookies=cookie)
            results.append(
                Measurement(
                    "stats",
                    f"{label} p50",
                    warm["p50_ms"],
                    "ms",
                    "bare view /healthz p50",
                    bare_view["p50_ms"],
                    note="figures kept 5 min",
                )
            )
            results.append(
                Measurement(
                    "stats",
                    f"{label} p95",
                    warm["p95_ms"],
                    "ms",
                    "bare view /healthz p95",
                    bare_view["p95_ms"],
                )
            )
    # Figures older than the fresh time (here: every time) are served as they are while they are computed
    # again behind the request, one computation at a time: what a wall screen reloading itself sees.
    with Server(threads=4, env={**cold_server, "WENYUN_DASHBOARD_FRESH_SECONDS": "0"}) as server:
        http_load(port=server.port, path=path, clients=1, requests_per_client=1, cookies=cookie)
        stale = http_load(port=server.port, path=path, clients=4, requests_per_client=20, cookies=cookie)
        for label, key in (("p50", "p50_ms"), ("p95", "p95_ms")):
            results.append(
                Measurement(
                    "stats",
                    f"county dashboard {label}, figures older than 5 min",
                    stale[key],
                    "ms",
                    f"bare view /healthz {label}",
                    bare_view[key],
                    note="served as they were while computed again behind the request"
                    if label == "p50"
                    else "",
                )
            )
    # The wall screen on a server just started (nothing cached), once it has served another unit's page.
    with Server(threads=4, env=cold_server) as server:
        http_load(port=server.port, path="/healthz", clients=1, requests_per_client=3)
        http_load(
            port=server.port,
            path=f"/staff/stats/?unit={warmup.code}",
            clients=1,
            requests_per_client=1,
            cookies=cookie,
        )
        cpu = _server_cpu_ms(server)
        cold = http_load(
            port=server.port, path="/staff/stats/screen/", clients=1, requests_per_client=1, cookies=cookie
        )
        screen_cpu = _server_cpu_ms(server) - cpu
        results.append(
            Measurement(
                "stats",
                "wall screen first request",
                cold["p50_ms"],
                "ms",
                "bare view /healthz p50",
                bare_view["p50_ms"],
                note="computes every figure",
            )
        )
        results.append(
            Measurement(
                "stats",
                "wall screen first request, CPU",
                screen_cpu,
                "ms",
                "bare view /healthz, CPU a request",
                bare_cpu_per_request,
                note="the server process's user + system time",
            )
        )
    # As served: `wenyun serve` computes the county's dashboards as it starts; the wall screen asks
    # for its page three seconds later.
    with Server(threads=4) as server:
        time.sleep(3)
        warmed = http_load(
            port=server.port, path="/staff/stats/screen/", clients=1, requests_per_client=1, cookies=cookie
        )
        results.append(
            Measurement(
                "stats",
                "wall screen first request, server computed it as it started",
                warmed["p50_ms"],
                "ms",
                "bare view /healthz p50",
                bare_view["p50_ms"],
                note="3 s after the server started",
            )
        )
    return results
