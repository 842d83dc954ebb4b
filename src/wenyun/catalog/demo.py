"""The demo county's union catalogue: real books from data/demo_books.tsv and their copies.

Most copies are at the county library; each township station has a few hundred, each village
bookstore (农家书屋) a realistic few hundred, and a handful of well-stocked villages more than the
1,500 the acceptance standard asks of a rural bookstore, so the ledger has both cases to show.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from wenyun.core.demo import DemoContext
from wenyun.network.models import Unit, UnitKind

from . import services
from .isbn import isbn_parse
from .models import Item, ItemStatus, ItemType, Record

BOOKS = Path(__file__).with_name("data") / "demo_books.tsv"

ITEM_TYPES = [
    ("book", "图书", "Book"),
    ("periodical", "期刊", "Periodical"),
    ("av", "音像资料", "Audio-visual"),
    ("children", "少儿图书", "Children's book"),
    ("reference", "工具书", "Reference"),
]


def demo_books() -> list[dict]:
    rows = []
    lines = [
        line for line in BOOKS.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    for line in lines[1:]:
        rows.append(dict(zip(header, line.split("\t"), strict=True)))
    return rows


def _kind_of(clc: str) -> str:
    if clc.startswith(("I287", "I28")) or clc[-3:] in (".84", ".88") or clc.endswith(".85"):
        return "children"
    if clc.startswith(("Z3", "Z22", "H16", "H316")):
        return "reference"
    return "book"


def build(ctx: DemoContext) -> None:
    types = {}
    for code, name, name_en in ITEM_TYPES:
        types[code], _created = ItemType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    records = _records()
    _copies(ctx, records, types)
    ctx.out(f"  {len(records)} records, {Item.objects.count()} copies")


def _records() -> list[Record]:
    per_class: dict[str, int] = {}
    records = []
    for n, book in enumerate(demo_books(), start=1):
        parsed = isbn_parse(book["isbn"]) if book["isbn"] else None
        clc = book["clc"]
        per_class[clc] = per_class.get(clc, 0) + 1
        chinese = any("\u4e00" <= c <= "\u9fff" for c in book["title"] + book["author"])
        record = Record(
            source=services.LOCAL_SOURCE,
            control_number=f"WYD{n:05d}",
            marc_format=Record.Format.MARC21,
            title=book["title"],
            responsibility=book["author"],
            publisher=book["publisher"],
            year=int(book["year"]) if book["year"] else None,
            isbn=parsed.isbn13 if parsed and parsed.valid else "",
            clc=clc,
            call_number=f"{clc}/{per_class[clc]}",
            language="chi" if chinese else "eng",
            subjects=book["subjects"],
        )
        record.marc = services.marc_for(record)
        records.append(record)
    created = Record.objects.bulk_create(records, batch_size=500)
    services.records_index(records=created)
    return created


def _copies(ctx: DemoContext, records: list[Record], types: dict[str, ItemType]) -> None:
    rng = ctx.rng("catalog-copies")
    units = list(Unit.objects.filter(active=True).order_by("path"))
    library = next(u for u in units if u.code == "YX-LIB")
    stations = [u for u in units if u.kind == UnitKind.STATION]
    villages = [u for u in units if u.kind == UnitKind.VILLAGE]
    chinese = [r for r in records if r.language == "chi"]
    popular = [r for r in chinese if _kind_of(r.clc) != "reference"]
    well_stocked = set(rng.sample(range(len(villages)), k=min(len(villages), 6)))
    plan: list[tuple[Unit, int, list[Record], str]] = [(library, ctx.scaled(8000), records, "中文图书借阅区")]
    plan += [(s, ctx.scaled(rng.randint(200, 500)), chinese, "图书室") for s in stations]
    for i, v in enumerate(villages):
        count = rng.randint(1510, 1700) if i in well_stocked else rng.randint(100, 450)
        plan.append((v, ctx.scaled(count), popular, "农家书屋"))
    barcode = 10_000_000
    items: list[Item] = []
    for unit, count, pool, location in plan:
        for record in _draw(rng, pool, count):
            barcode += 1
            kind = _kind_of(record.clc)
            items.append(
                Item(
                    barcode=f"YX{barcode:08d}",
                    record=record,
                    home_unit=unit,
                    current_unit=unit,
                    item_type=types[kind],
                    status=ItemStatus.AVAILABLE,
                    location=_location(unit, location, kind, record),
                    call_number=record.call_number,
                    price=Decimal(rng.randint(1800, 8900)) / 100,
                    acquired_on=ctx.today - dt.timedelta(days=rng.randint(30, 6 * 365)),
                    status_changed_at=None,
                )
            )
    Item.objects.bulk_create(items, batch_size=2000)


def _draw(rng: random.Random, pool: list[Record], count: int) -> list[Record]:
    """Copies of a unit: every title once before any second copy, as a collection is built."""
    drawn: list[Record] = []
    while len(drawn) < count:
        batch = pool[:]
        rng.shuffle(batch)
        drawn.extend(batch[: count - len(drawn)])
    return drawn


def _location(unit: Unit, default: str, kind: str, record: Record) -> str:
    if unit.code != "YX-LIB":
        return default
    if kind == "children":
        return "少儿阅览室"
    if kind == "reference":
        return "工具书区"
    if record.language != "chi":
        return "外文图书区"
    return default
