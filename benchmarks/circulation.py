"""Check-out + check-in cycles through the service layer, beside a bare SQLite transaction doing the same
writes, and check-out latency under 20 concurrent clients on the HTTP API beside a bare view.

Service cycles: `loan_checkout` then `loan_checkin` of one copy at its home unit (the county library)
by one reader, each call its own transaction with its locks, rule match, due-date calendar, blocks
and event rows. The bare limit, in the same run on the same database file: Python's sqlite3 module
doing the same writes in two BEGIN IMMEDIATE transactions per cycle (read the copy; insert the loan,
update the copy, insert the event; then close the loan, update the copy, insert the event).

HTTP: `wenyun serve` (waitress, 8 threads) on the benchmark database; 20 clients, each with a
keep-alive connection, POST /api/v1/circulation/checkout with a staff token, each request a different
reader and copy. The bare limit is GET /healthz through the same server and middleware.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

from wenyun.core.bench import BenchContext, Measurement, Server, http_load, percentile

CYCLES = 600
CLIENTS = 20
PER_CLIENT = 20
PREFIX = "CIRCBENCH"


def _fixture(count: int):
    """Readers (staff category, so loan limits never stop them) and available copies at the county library."""
    from wenyun.catalog.models import Item, ItemStatus, ItemType, Record
    from wenyun.circulation.models import Reader, ReaderCategory
    from wenyun.network.selectors import unit_get

    library = unit_get(code="YX-LIB")
    category = ReaderCategory.objects.get_or_create(code="staff", defaults={"name": "馆员"})[0]
    item_type = ItemType.objects.get_or_create(code="book", defaults={"name": "图书"})[0]
    record = Record.objects.filter(title="流通基准测试用书").first() or Record.objects.create(
        title="流通基准测试用书"
    )
    have = set(Reader.objects.filter(card__startswith=PREFIX).values_list("card", flat=True))
    Reader.objects.bulk_create(
        [
            Reader(card=f"{PREFIX}-R{n:04d}", name=f"基准读者{n}", category=category, home_unit=library)
            for n in range(count)
            if f"{PREFIX}-R{n:04d}" not in have
        ]
    )
    have = set(Item.objects.filter(barcode__startswith=PREFIX).values_list("barcode", flat=True))
    Item.objects.bulk_create(
        [
            Item(
                barcode=f"{PREFIX}-B{n:04d}",
                record=record,
                home_unit=library,
                current_unit=library,
                item_type=item_type,
                status=ItemStatus.AVAILABLE,
            )
            for n in range(count)
            if f"{PREFIX}-B{n:04d}" not in have
        ]
    )
    readers = list(Reader.objects.filter(card__startswith=PREFIX).order_by("card"))
    items = list(Item.objects.filter(barcode__startswith=PREFIX).order_by("barcode"))
    return library, readers, items


def _release(items) -> None:
    """Return whatever an earlier run left on loan, so each run starts from available copies."""
    from wenyun.catalog.models import Item, ItemStatus
    from wenyun.circulation.services import loan_checkin

    for item in Item.objects.filter(pk__in=[i.pk for i in items]).exclude(status=ItemStatus.AVAILABLE):
        loan_checkin(item=item, at_unit=item.home_unit, actor=None, via="bench")


def _service_cycles(library, reader, item, cycles: int) -> tuple[float, float]:
    """(cycles per wall-clock second, cycles per second of this process's CPU time)."""
    from wenyun.circulation.services import loan_checkin, loan_checkout

    loan_checkin(item=item, at_unit=library, actor=None, via="bench")  # warm caches and the query plans
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(cycles):
        loan_checkout(reader=reader, item=item, at_unit=library, actor=None, via="bench")
        loan_checkin(item=item, at_unit=library, actor=None, via="bench")
    return cycles / (time.perf_counter() - began), cycles / (time.process_time() - cpu)


def _bare_cycles(
    path: str, library_id: int, reader_id: int, item_id: int, cycles: int
) -> tuple[float, float]:
    """(cycles per wall-clock second, cycles per second of CPU time), as `_service_cycles`."""
    db = sqlite3.connect(path, isolation_level=None)
    # The same connection settings as the application's (settings.DATABASES): the foreign keys are
    # checked on every insert and update there, so they are here.
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA cache_size=-32000")
    loan_ids = []
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(cycles):
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT id, status FROM catalog_item WHERE id = ?", (item_id,)).fetchone()
        cursor = db.execute(
            "INSERT INTO circulation_loan (item_id, reader_id, lending_unit_id, out_at, due_on, renewals, "
            "lost, claimed_returned) VALUES (?, ?, ?, ?, date('now', '+30 days'), 0, 0, 0)",
            (item_id, reader_id, library_id, now),
        )
        loan_id = cursor.lastrowid
        loan_ids.append(loan_id)
        db.execute(
            "UPDATE catalog_item SET status = 'on_loan', status_changed_at = ? WHERE id = ?", (now, item_id)
        )
        db.execute(
            "INSERT INTO circulation_circulationevent (type, at, unit_id, details, item_id, reader_id, via) "
            "VALUES ('bench', ?, ?, ?, ?, ?, 'bench')",
            (now, library_id, json.dumps({"loan": loan_id}), item_id, reader_id),
        )
        db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "SELECT id FROM circulation_loan WHERE item_id = ? AND returned_at IS NULL", (item_id,)
        ).fetchone()
        db.execute(
            "UPDATE circulation_loan SET returned_at = ?, return_unit_id = ? WHERE id = ?",
            (now, library_id, loan_id),
        )
        db.execute(
            "UPDATE catalog_item SET status = 'available', status_changed_at = ? WHERE id = ?", (now, item_id)
        )
        db.execute(
            "INSERT INTO circulation_circulationevent (type, at, unit_id, details, item_id, reader_id, via) "
            "VALUES ('bench', ?, ?, ?, ?, ?, 'bench')",
            (now, library_id, json.dumps({"loan": loan_id}), item_id, reader_id),
        )
        db.execute("COMMIT")
    rate = cycles / (time.perf_counter() - began), cycles / (time.process_time() - cpu)
    # The bare rows are not circulation: take them out again.
    db.execute("BEGIN IMMEDIATE")
    db.execute("DELETE FROM circulation_circulationevent WHERE type = 'bench'")
    db.executemany("DELETE FROM circulation_loan WHERE id = ?", [(i,) for i in loan_ids])
    db.execute("COMMIT")
    db.close()
    return rate


def _post_load(*, port: int, token: str, bodies: list[list[dict]]) -> dict:
    import http.client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(bodies) + 1)

    def worker(mine_bodies: list[dict]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine = []
        gate.wait()
        try:
            for body in mine_bodies:
                began = time.perf_counter()
                conn.request("POST", "/api/v1/circulation/checkout", body=json.dumps(body), headers=headers)
                response = conn.getresponse()
                text = response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 200:
                    with lock:
                        errors.append(f"HTTP {response.status}: {text[:200]!r}")
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} checkouts failed, first: {errors[0]}")
    return {
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "rps": len(latencies) / elapsed,
    }


def run(ctx: BenchContext) -> list[Measurement]:
    from django.db import connection

    from wenyun.core.services import api_token_create

    ctx.ensure_demo()
    http_requests = CLIENTS * PER_CLIENT
    library, readers, items = _fixture(http_requests + 1)
    _release(items)
    results = []

    cycles = max(50, round(CYCLES * ctx.scale))
    service_rate, service_cpu = _service_cycles(library, readers[-1], items[-1], cycles)
    if connection.vendor == "sqlite":
        bare_rate, bare_cpu = _bare_cycles(
            str(connection.settings_dict["NAME"]), library.pk, readers[-1].pk, items[-1].pk, cycles
        )
        results.append(
            Measurement(
                "circulation",
                "checkout+checkin cycles/s (services)",
                service_rate,
                "cycles/s",
                "bare sqlite3 transactions, same writes",
                bare_rate,
                higher_is_better=True,
                # On a shared machine the wall clock counts other processes' time too; CPU time does not.
                note=f"{cycles} cycles; by CPU time {service_cpu:.0f} vs bare {bare_cpu:.0f} cycles/s",
            )
        )

    _row, token = api_token_create(username="library", name="bench")
    bodies = [
        [
            {
                "card": readers[c * PER_CLIENT + n].card,
                "barcode": items[c * PER_CLIENT + n].barcode,
                "unit": "YX-LIB",
            }
            for n in range(PER_CLIENT)
        ]
        for c in range(CLIENTS)
    ]
    connection.close()  # the server process writes now; this one only waits
    with Server(threads=8) as server:
        http_load(port=server.port, path="/healthz", clients=4, requests_per_client=10)
        bare = http_load(port=server.port, path="/healthz", clients=CLIENTS, requests_per_client=PER_CLIENT)
        got = _post_load(port=server.port, token=token, bodies=bodies)
    for metric in ("p50_ms", "p99_ms"):
        results.append(
            Measurement(
                "circulation",
                f"API checkout, {CLIENTS} clients {metric[:3]}",
                got[metric],
                "ms",
                f"bare view /healthz {metric[:3]}",
                bare[metric],
            )
        )
    results.append(
        Measurement(
            "circulation",
            f"API checkout, {CLIENTS} clients throughput",
            got["rps"],
            "req/s",
            "bare view /healthz throughput",
            bare["rps"],
            higher_is_better=True,
        )
    )
    _release(items)
    return results
