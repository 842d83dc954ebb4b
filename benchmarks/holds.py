"""The holds pass: 10,000 waiting holds filled against 1,000,000 copies, beside the bare read of the
data the pass needs, in the same run.

The benchmark county gets 50,000 extra titles with 20 copies each spread over every library,
station and village (once; later runs reuse them), three in four available. Each run places 10,000
fresh title-level holds (oldest first, random pickup units) and times `holds_fill`: read the
waiting holds, read the available copies of their titles, choose for each hold the nearest copy
(same unit, same township, county) first come first served, and write the choices. The bare limit
is the two reads alone as plain SQL on the same connection: nothing can fill holds faster than it
can read them.
"""

from __future__ import annotations

import random
import time

from wenyun.core.bench import BenchContext, Measurement

PREFIX = "HB"
COPIES = 1_000_000
PER_TITLE = 20
HOLDS = 10_000


def _ensure_copies(ctx: BenchContext, copies: int) -> list[int]:
    """The benchmark titles' record ids, creating titles and copies on the first run."""
    from django.db import connection
    from django.utils import timezone

    from wenyun.catalog.models import Item, ItemType, Record
    from wenyun.network.models import Unit

    titles = max(1, copies // PER_TITLE)
    have = list(Record.objects.filter(source="holds-bench").values_list("pk", flat=True))
    if len(have) >= titles:
        return have[:titles]
    ctx.out(f"holds bench: creating {titles} titles and {titles * PER_TITLE} copies (once) ...")
    rng = random.Random(7)
    now = timezone.now()
    Record.objects.bulk_create(
        [
            Record(source="holds-bench", control_number=f"HB{n}", title=f"基准书目{n}")
            for n in range(len(have), titles)
        ],
        batch_size=5000,
    )
    record_ids = list(Record.objects.filter(source="holds-bench").values_list("pk", flat=True))
    units = list(Unit.objects.filter(kind__in=["library", "station", "village"]).values_list("pk", "kind"))
    weights = [40 if kind == "library" else 4 if kind == "station" else 1 for _pk, kind in units]
    book = ItemType.objects.get_or_create(code="book", defaults={"name": "图书"})[0]
    table = Item._meta.db_table
    sql = (
        f"INSERT INTO {table} (barcode, record_id, home_unit_id, current_unit_id, item_type_id, status, location, "
        "call_number, notes, status_changed_at) VALUES (%s, %s, %s, %s, %s, %s, '', '', '', %s)"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = []
    n = 0
    with connection.cursor() as cursor:
        for record_id in record_ids:
            for _ in range(PER_TITLE):
                unit = rng.choices(units, weights)[0][0]
                status = "available" if rng.random() < 0.75 else "on_loan"
                rows.append((f"{PREFIX}{n:08d}", record_id, unit, unit, book.pk, status, stamp))
                n += 1
                if len(rows) >= 20000:
                    cursor.executemany(sql, rows)
                    rows = []
        if rows:
            cursor.executemany(sql, rows)
    return record_ids


def _place_holds(record_ids: list[int], count: int) -> None:
    """Fresh waiting holds, placed over the last days, by readers of the demo county."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from wenyun.circulation.models import Hold, Reader
    from wenyun.network.models import Unit

    Hold.objects.filter(record_id__in=record_ids).delete()
    rng = random.Random(11)
    readers = list(Reader.objects.values_list("pk", flat=True)[:20000])
    pickups = list(
        Unit.objects.filter(kind__in=["library", "station", "village"]).values_list("pk", flat=True)
    )
    start = timezone.now() - dt.timedelta(days=10)
    rows = [
        (
            rng.choice(readers),
            rng.choice(record_ids),
            False,
            rng.choice(pickups),
            "waiting",
            connection.ops.adapt_datetimefield_value(start + dt.timedelta(seconds=n * 60)),
        )
        for n in range(count)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Hold._meta.db_table} (reader_id, record_id, item_level, pickup_unit_id, status, placed_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )


def _bare_reads(record_ids: list[int]) -> float:
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, record_id, item_id, item_level, target_id, pickup_unit_id FROM circulation_hold "
            "WHERE status = 'waiting' ORDER BY placed_at, id"
        )
        holds = cursor.fetchall()
        wanted = sorted({h[1] for h in holds})
        for first in range(0, len(wanted), 900):
            chunk = wanted[first : first + 900]
            cursor.execute(
                "SELECT id, record_id, current_unit_id FROM catalog_item WHERE status = 'available' "
                f"AND record_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            cursor.fetchall()
    return time.perf_counter() - began


def run(ctx: BenchContext) -> list[Measurement]:
    from django.db import transaction

    from wenyun.circulation.models import Hold
    from wenyun.circulation.services import holds_fill

    ctx.ensure_demo()
    copies = max(10_000, round(COPIES * ctx.scale))
    holds = max(100, round(HOLDS * ctx.scale))
    with transaction.atomic():
        record_ids = _ensure_copies(ctx, copies)
    with transaction.atomic():
        _place_holds(record_ids, holds)
    waiting = Hold.objects.filter(status="waiting").count()
    bare = _bare_reads(record_ids)
    began = time.perf_counter()
    filled = holds_fill(via="bench")
    elapsed = time.perf_counter() - began
    with transaction.atomic():
        Hold.objects.filter(record_id__in=record_ids).delete()
    return [
        Measurement(
            "holds",
            f"fill {waiting} waiting holds, {copies} copies",
            elapsed,
            "s",
            "bare SQL reads of the same holds and copies",
            bare,
            note=f"{filled} holds given a copy",
        )
    ]
