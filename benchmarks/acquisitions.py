"""Acquisitions, each measurement beside its bare limit in the same run.

Holdings check (查重): a vendor's offer list of 10,000 lines, imported through `offer_list_import`
from a CSV, checked by `offer_lines_with_holdings` against the bench catalogue: the demo county's
records and copies, the 250,000 Library of Congress records the search benchmark imports (the two
share them), and 5,000 titles this benchmark adds once with 1 to 8 copies each over the county's
units (the demo and LC records have next to no ISBNs with copies). Half the list's lines are those
held titles, three in ten LC titles without copies, the rest ISBNs the county has never seen, so each
kind of line is looked up; `--scale` takes a share of everything. The check gives every line its
copies per unit, its copies on order and its wishes. The bare limit is one SQL statement grouping
the same copies by ISBN and unit on the same connection: no check can read the holdings faster.
Goal: ≤ 3 s.

Receiving (验收): a sent order of 100 new titles, 10 copies each (half for the library, half for a
station, which leave on the van), with the vendor's MARC loaded; each copy received through
`receipt_create` in its own transaction, as the desk's scanner sends them. The bare limit writes the
same rows (the copy, the receipt's and the transit's rows, the events, the counters) with bare SQL on
the same connection, a transaction a copy. Goal: ≤ 10 ms a copy, within 5× of the bare insert.

`run` takes each measurement of MEASURES in turn; another joins by adding its function there.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from wenyun.core.bench import BenchContext, Measurement

sys.path.insert(0, str(Path(__file__).parent))
from _lcfile import first_records, lc_file

BENCH = "acquisitions"
LC_SOURCE = "bench-lc"  # the search benchmark's records
LC_FULL = 250_000
HELD_SOURCE = "acq-bench"
HELD_TITLES = 5_000
OFFER_LINES = 10_000
OFFER_NAME = "acquisitions bench offer list"
VENDOR = "BENCH"
RUNS = 3  # the median of three checks, so that one slow moment of a shared machine does not decide


def _ensure_catalogue(ctx: BenchContext, count: int) -> int:
    from wenyun.catalog.imports import marc_import
    from wenyun.catalog.models import Record
    from wenyun.network.selectors import unit_get

    have = Record.objects.filter(source=LC_SOURCE).count()
    if have < count * 0.99:
        ctx.out(f"importing {count:,} LC records for the bench catalogue ...")
        marc_import(stream=first_records(lc_file(), count), owner=unit_get(code="YX-LIB"), source=LC_SOURCE)
    return Record.objects.count()


def _held_isbn(n: int) -> str:
    from wenyun.catalog.isbn import isbn13_check

    body = f"9787999{n:05d}"
    return body + isbn13_check(body)


def _ensure_held_titles(ctx: BenchContext, titles: int) -> None:
    """Titles with ISBNs and copies over the county's units, the library holding most (once)."""
    from django.db import transaction
    from django.utils import timezone

    from wenyun.catalog.models import Item, ItemStatus, ItemType, Record
    from wenyun.network.models import Unit

    have = Record.objects.filter(source=HELD_SOURCE).count()
    if have >= titles:
        return
    ctx.out(f"acquisitions bench: {titles - have:,} held titles with their copies (once) ...")
    rng = random.Random(17)
    units = list(Unit.objects.filter(kind__in=["library", "station", "village"]).values_list("pk", "kind"))
    weights = [40 if kind == "library" else 4 if kind == "station" else 1 for _pk, kind in units]
    book = ItemType.objects.get_or_create(code="book", defaults={"name": "图书"})[0]
    now = timezone.now()
    with transaction.atomic():
        Record.objects.bulk_create(
            [
                Record(
                    source=HELD_SOURCE, control_number=f"AQ{n}", title=f"采购基准馆藏{n}", isbn=_held_isbn(n)
                )
                for n in range(have, titles)
            ],
            batch_size=2000,
        )
        items = [
            Item(
                barcode=f"AQB{record.control_number[2:]}-{k}",
                record_id=record.pk,
                home_unit_id=unit,
                current_unit_id=unit,
                item_type=book,
                status=ItemStatus.AVAILABLE,
                status_changed_at=now,
            )
            for record in Record.objects.filter(source=HELD_SOURCE, items__isnull=True).only(
                "pk", "control_number"
            )
            for k, unit in enumerate(pk for pk, _kind in rng.choices(units, weights, k=rng.randint(1, 8)))
        ]
        Item.objects.bulk_create(items, batch_size=2000)


def _offer_isbns(count: int) -> tuple[list[str], dict[str, int]]:
    """ISBNs for the list: held ones (half), catalogued ones without copies (three in ten), new ones."""
    from django.db.models import Exists, OuterRef

    from wenyun.catalog.isbn import isbn13_check
    from wenyun.catalog.models import Item, Record

    with_copies = Exists(Item.objects.filter(record=OuterRef("pk")))
    held = list(
        dict.fromkeys(
            Record.objects.exclude(isbn="")
            .exclude(source=LC_SOURCE)
            .filter(with_copies)
            .values_list("isbn", flat=True)
            .order_by("-source", "pk")  # the bench's held titles, then the demo's
        )
    )[: count // 2]
    taken = set(held)
    catalogued = []
    for isbn in (
        Record.objects.filter(source=LC_SOURCE).exclude(isbn="").values_list("isbn", flat=True).order_by("pk")
    ).iterator(chunk_size=5000):
        if len(held) + len(catalogued) >= count * 0.8:
            break
        if isbn not in taken:
            taken.add(isbn)
            catalogued.append(isbn)
    new = []
    n = 0
    while len(held) + len(catalogued) + len(new) < count:
        body = f"979109{n:06d}"  # 979-10 is France's group: no county in this benchmark holds these
        n += 1
        isbn = body + isbn13_check(body)
        if isbn not in taken:
            new.append(isbn)
    kinds = {"held": len(held), "catalogued": len(catalogued), "new": len(new)}
    rng = random.Random(5)
    isbns = held + catalogued + new
    rng.shuffle(isbns)  # a vendor's list is in its own order, not the catalogue's
    return isbns, kinds


def _offer_list(ctx: BenchContext, lines: int):
    """A fresh offer list of `lines` lines, imported as a vendor's CSV; the seconds the import took."""
    from wenyun.acquisitions.models import OfferList
    from wenyun.acquisitions.services import offer_list_import, vendor_save
    from wenyun.core.models import User

    actor = User.objects.select_related("unit").get(username="library")
    vendor = vendor_save(actor=actor, code=VENDOR, name="基准书商", rate="80")
    OfferList.objects.filter(name=OFFER_NAME).delete()
    isbns, kinds = _offer_isbns(lines)
    rows = ["ISBN,题名,责任者,出版社,定价,出版年,中图分类号"]
    rows += [
        f"{isbn},基准征订书{n},某作者,某出版社,{20 + n % 60}.00,2025,I247.5" for n, isbn in enumerate(isbns)
    ]
    began = time.perf_counter()
    report = offer_list_import(
        actor=actor, vendor=vendor, name=OFFER_NAME, content="\n".join(rows).encode(), filename="bench.csv"
    )
    imported = time.perf_counter() - began
    if report.problems:
        raise RuntimeError(f"the bench offer list did not import cleanly: {report.problems[0]['message']}")
    return report.offer, kinds, imported


def _bare_group_by(offer_id: int) -> float:
    from django.db import connection

    from wenyun.acquisitions.models import OfferLine
    from wenyun.catalog.models import Item, Record

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.isbn, i.home_unit_id, COUNT(*) FROM {OfferLine._meta.db_table} l "
            f"JOIN {Record._meta.db_table} r ON r.isbn = l.isbn "
            f"JOIN {Item._meta.db_table} i ON i.record_id = r.id "
            "WHERE l.offer_id = %s AND l.isbn <> '' AND i.status <> 'withdrawn' "
            "GROUP BY r.isbn, i.home_unit_id",
            [offer_id],
        )
        cursor.fetchall()
    return time.perf_counter() - began


def holdings_check(ctx: BenchContext) -> list[Measurement]:
    from wenyun.acquisitions.selectors import offer_lines_with_holdings

    _ensure_held_titles(ctx, max(100, round(HELD_TITLES * ctx.scale)))
    records = _ensure_catalogue(ctx, max(1000, round(LC_FULL * ctx.scale)))
    lines = max(200, round(OFFER_LINES * ctx.scale))
    offer, kinds, imported = _offer_list(ctx, lines)
    _bare_group_by(offer.pk)  # warm the same pages for both
    checks, bares, held = [], [], 0
    for _ in range(RUNS):
        began = time.perf_counter()
        checked = offer_lines_with_holdings(offer_list=offer)
        checks.append(time.perf_counter() - began)
        bares.append(_bare_group_by(offer.pk))
        held = sum(1 for c in checked if c.held.total)
    offer.delete()
    return [
        Measurement(
            BENCH,
            f"holdings check, {lines:,}-line offer list",
            statistics.median(checks),
            "s",
            "bare SQL GROUP BY of the same copies",
            statistics.median(bares),
            note=(
                f"goal ≤ 3 s; {records:,} records; lines held {kinds['held']:,} (found {held:,}), catalogued "
                f"{kinds['catalogued']:,}, new {kinds['new']:,}; the list's import took {imported:.1f} s"
            ),
        )
    ]


RECEIVE_TITLES = 100
RECEIVE_COPIES = 10  # a title: 5 for the library, 5 for a station (they leave on the van)


def _receiving_order(ctx: BenchContext, titles: int):
    """A sent order of `titles` new titles, 10 copies each, with the vendor's MARC loaded."""
    import io
    import secrets

    from pymarc import Field, MARCWriter, Record, Subfield

    from wenyun.acquisitions import services
    from wenyun.acquisitions.models import Fund, Vendor
    from wenyun.catalog.isbn import isbn13_check
    from wenyun.core.models import User
    from wenyun.network.selectors import unit_get

    admin = User.objects.get(username="admin")
    library, station = unit_get(code="YX-LIB"), unit_get(code="YX-S01")
    vendor = Vendor.objects.filter(code=VENDOR).first() or services.vendor_save(
        actor=admin, code=VENDOR, name="bench vendor", rate="80", sends_marc=True
    )
    token = secrets.randbelow(10**5)
    fund = Fund.objects.filter(code=f"BENCH-RECV-{token}").first() or services.fund_create(
        actor=admin,
        code=f"BENCH-RECV-{token}",
        name="bench",
        year=2026,
        unit=library,
        source="other",
        allocated="9000000",
    )
    isbns = []
    for n in range(titles):
        body = f"9787{token % 10**5:05d}{n:03d}"  # 12 digits: a title of this run
        isbns.append(body + isbn13_check(body))
    isbns = list(dict.fromkeys(isbns))
    lines = [
        services.LineIn(
            isbn=isbn,
            title=f"验收基准 {n}",
            price="40",
            quantity=RECEIVE_COPIES,
            clc="I247.5",
            destinations=[(library, 5), (station, 5)],
        )
        for n, isbn in enumerate(isbns)
    ]
    order = services.order_create(actor=admin, vendor=vendor, fund=fund, lines=lines)
    order = services.order_send(actor=admin, order=order)
    out = io.BytesIO()
    writer = MARCWriter(out)
    for n, isbn in enumerate(isbns):
        record = Record(force_utf8=True)
        record.add_field(Field(tag="001", data=f"BR{token}-{n}"))
        record.add_field(Field(tag="020", indicators=[" ", " "], subfields=[Subfield("a", isbn)]))
        record.add_field(Field(tag="093", indicators=[" ", " "], subfields=[Subfield("a", "I247.5")]))
        record.add_field(Field(tag="245", indicators=["1", "0"], subfields=[Subfield("a", f"验收基准 {n}")]))
        writer.write(record)
    services.order_marc_load(actor=admin, order=order, data=out.getvalue(), name="bench.mrc")
    return admin, order, isbns, token


def _bare_receipts(copies: int, token: int) -> float:
    """The same rows a receipt writes (the copy, its catalogue event, the receipt, the transit and its
    event, two acquisitions events, the two counters), each copy in its own transaction, with bare
    SQL on the same connection; then removed again."""
    from django.db import connection, transaction

    from wenyun.catalog.models import Item, ItemType, Record
    from wenyun.network.selectors import unit_get

    library, station = unit_get(code="YX-LIB"), unit_get(code="YX-S01")
    record_id = Record.objects.order_by("-pk").values_list("pk", flat=True).first()
    type_id = ItemType.objects.values_list("pk", flat=True).first()
    cursor = connection.cursor()
    began = time.perf_counter()
    for n in range(copies):
        with transaction.atomic():
            cursor.execute(
                "INSERT INTO catalog_item (barcode, record_id, home_unit_id, current_unit_id, item_type_id, status, "
                "location, call_number, price, acquired_on, status_changed_at, notes) "
                "VALUES (%s, %s, %s, %s, %s, 'in_transit', '', 'I247.5/1', 40, '2026-12-04', '2026-12-04 10:00', '')",
                [f"BARE{token}-{n}", record_id, station.pk, library.pk, type_id],
            )
            for kind in (
                "catalog_catalogevent",
                "acquisitions_acquisitionevent",
                "acquisitions_acquisitionevent",
            ):
                cursor.execute(
                    f"INSERT INTO {kind} (type, at, unit_id, actor_id, details) VALUES ('bare', '2026-12-04 10:00', %s, NULL, '{{}}')",
                    [library.pk],
                )
            cursor.execute(
                "INSERT INTO circulation_transit (item_id, from_unit_id, to_unit_id, reason, created_at) "
                "VALUES ((SELECT id FROM catalog_item WHERE barcode = %s), %s, %s, 'distribute', '2026-12-04 10:00')",
                [f"BARE{token}-{n}", library.pk, station.pk],
            )
            cursor.execute(
                "UPDATE acquisitions_fund SET allocated = allocated WHERE id = (SELECT MIN(id) FROM acquisitions_fund)"
            )
            cursor.execute(
                "UPDATE acquisitions_fund SET allocated = allocated WHERE id = (SELECT MIN(id) FROM acquisitions_fund)"
            )
    elapsed = time.perf_counter() - began
    with transaction.atomic():
        cursor.execute(
            "DELETE FROM circulation_transit WHERE item_id IN (SELECT id FROM catalog_item WHERE barcode LIKE %s)",
            [f"BARE{token}-%"],
        )
        Item.objects.filter(barcode__startswith=f"BARE{token}-").delete()
        cursor.execute("DELETE FROM catalog_catalogevent WHERE type = 'bare'")
        cursor.execute("DELETE FROM acquisitions_acquisitionevent WHERE type = 'bare'")
    return elapsed / copies


def receiving(ctx: BenchContext) -> list[Measurement]:
    from wenyun.acquisitions import services

    titles = max(10, round(RECEIVE_TITLES * ctx.scale))
    admin, order, isbns, token = _receiving_order(ctx, titles)
    copies = len(isbns) * RECEIVE_COPIES
    began = time.perf_counter()
    n = 0
    for isbn in isbns:
        for _copy in range(RECEIVE_COPIES):
            n += 1
            services.receipt_create(actor=admin, order=order, isbn=isbn, barcode=f"BR{token}-{n}")
    service = (time.perf_counter() - began) / copies
    bare = _bare_receipts(copies, token)
    return [
        Measurement(
            BENCH,
            f"receiving, a {copies:,}-copy shipment with the vendor's MARC, per copy",
            service * 1000,
            "ms",
            "bare INSERTs of the same rows, per copy",
            bare * 1000,
            note="goal ≤ 10 ms a copy, within 5× of the bare insert; each copy its own transaction, half of them sent on the van",
        )
    ]


MEASURES: list[Callable[[BenchContext], list[Measurement]]] = [receiving, holdings_check]


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    results: list[Measurement] = []
    for measure in MEASURES:
        results.extend(measure(ctx))
    return results
