"""The demo county's year of acquisitions: funds, three vendors and a partner bookstore, orders received
with the vendor's MARC and sent to every station on the van, invoices, a rotation set that went round
three village bookstores twice, and books readers chose at the bookstore (你选书我买单).

Everything goes through the services, dated in the past with their `at`, so the demo's history is what
the services would have written. Titles are the catalogue's real books (more copies, for the branches)
and, where data/new_books.tsv is present, real new books with their true ISBNs.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from pymarc import Field, Indicators, MARCWriter, Subfield
from pymarc import Record as MarcRecord

from wenyun.catalog.models import Record
from wenyun.circulation.models import Reader
from wenyun.core.demo import DEMO_PASSWORD, DemoContext
from wenyun.core.errors import DomainError
from wenyun.core.models import Role, User
from wenyun.network.models import Unit, UnitKind

from . import selectors, services
from .models import Order, Receipt, RotationSet

NEW_BOOKS = Path(__file__).with_name("data") / "new_books.tsv"
VIA = "demo"


def new_books() -> list[dict]:
    if not NEW_BOOKS.exists():
        return []
    lines = [
        line
        for line in NEW_BOOKS.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:]]


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _marc(lines) -> bytes:
    """The vendor's MARC 21 records for an order's new titles, as a 书商 sends them with the books."""
    out = io.BytesIO()
    writer = MARCWriter(out)
    for line in lines:
        record = MarcRecord(force_utf8=True)
        record.add_field(Field(tag="001", data=f"V{line.isbn}"))
        record.add_field(
            Field(
                tag="020",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", line.isbn), Subfield("c", f"CNY{line.list_price}")],
            )
        )
        if line.clc:
            record.add_field(
                Field(tag="093", indicators=Indicators(" ", " "), subfields=[Subfield("a", line.clc)])
            )
        if line.author:
            record.add_field(
                Field(tag="100", indicators=Indicators("0", " "), subfields=[Subfield("a", line.author)])
            )
        record.add_field(
            Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", line.title)])
        )
        record.add_field(
            Field(
                tag="260",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("b", line.publisher or ""), Subfield("c", str(line.year or ""))],
            )
        )
        writer.write(record)
    return out.getvalue()


class _Barcodes:
    def __init__(self, start: int) -> None:
        self.n = start

    def next(self) -> str:
        self.n += 1
        return f"YX{self.n:08d}"


def build(ctx: DemoContext) -> None:
    rng = ctx.rng("acquisitions")
    units = {u.code: u for u in Unit.objects.filter(active=True)}
    library = units.get("YX-LIB")
    if library is None or not Record.objects.exists():
        ctx.out("  no county library or no catalogue: no acquisitions")
        return
    admin = User.objects.get(username="admin")
    cataloguer = (
        User.objects.filter(role=Role.INSTITUTION_STAFF, unit=library).order_by("pk").first() or admin
    )
    stations = sorted((u for u in units.values() if u.kind == UnitKind.STATION), key=lambda u: u.code)
    year = ctx.today.year
    start = dt.date(year, 1, 1)
    services.settings_get()

    funds = {
        key: services.fund_create(
            actor=admin,
            code=f"{key}-{year}",
            name=f"{year}年{name}",
            year=year,
            unit=library,
            source=source,
            allocated=amount,
        )
        for key, name, source, amount in (
            ("LIB", "县图书馆购书经费", "county_budget", "400000"),
            ("NJSW", "农家书屋出版物补充更新资金", "farm_bookstore", "160000"),
            ("DON", "社会捐赠购书款", "donation", "20000"),
            ("RC", "“你选书我买单”专项", "reader_choice", "30000"),
        )
    }
    for station in stations[:3]:
        services.fund_split(actor=admin, fund=funds["NJSW"], unit=station, amount="8000")
    vendors = {
        "XH": services.vendor_save(
            actor=admin,
            code="XH",
            name="云溪县新华书店",
            contact="刘建国",
            phone="0719-8812345",
            rate="80",
            sends_marc=True,
        ),
        "RT": services.vendor_save(
            actor=admin,
            code="RT",
            name="北京人天书店集团",
            contact="王倩",
            phone="010-62983456",
            rate="72",
            sends_marc=True,
        ),
        "ZT": services.vendor_save(
            actor=admin,
            code="ZT",
            name="中国图书进出口（集团）湖北分公司",
            contact="陈亮",
            phone="027-87654321",
            rate="85",
        ),
    }
    shop = services.vendor_save(
        actor=admin,
        code="XHCG",
        name="新华书店城关门市部",
        contact="赵敏",
        phone="0719-8816688",
        rate="90",
        partner_shop=True,
        shop_unit=library,
    )
    clerk = User.objects.create_user(
        username="xhshop",
        password=DEMO_PASSWORD,
        role=Role.VILLAGE_MANAGER,
        unit=library,
        display_name="新华书店城关门市（合作书店）",
    )
    ctx.login("xhshop", "partner bookstore clerk", "YX-LIB")

    held = list(Record.objects.filter(language="chi").order_by("pk"))
    fresh = [b for b in new_books() if b.get("isbn")]
    # The newest books are left for readers to choose at the bookstore; the county orders the others.
    recent = {b["isbn"] for b in fresh if (b.get("year") or "").isdigit() and int(b["year"]) >= year - 2}
    # And a few the county has not bought yet, for readers to suggest (荐购).
    unbought = [b for b in fresh if b["isbn"] not in recent][-8:]
    recent |= {b["isbn"] for b in unbought}
    barcodes = _Barcodes(60_000_000)
    plan = _plan(ctx, rng, start=start, stations=stations, library=library)
    orders = 0
    for n, step in enumerate(plan):
        titles = _titles(
            rng,
            held,
            [b for b in fresh if b["isbn"] not in recent],
            step["titles"],
            new_share=step["new_share"],
        )
        order = _order(
            ctx,
            rng,
            step,
            titles=titles,
            vendor=vendors[step["vendor"]],
            fund=funds[step["fund"]],
            actor=cataloguer,
        )
        _receive(ctx, rng, order, step, actor=cataloguer, barcodes=barcodes, seq=n)
        orders += 1
    rotation = _rotation(
        ctx, rng, units, barcodes=barcodes, actor=cataloguer, fund=funds["NJSW"], vendor=vendors["XH"]
    )
    choices = _choices(ctx, rng, shop=shop, clerk=clerk, fresh=fresh, barcodes=barcodes, library=library)
    selection = _selection(
        ctx,
        rng,
        vendor=vendors["XH"],
        fund=funds["LIB"],
        actor=cataloguer,
        held=held,
        fresh=fresh,
        unbought=unbought,
    )
    figures = selectors.fund_figures(funds=funds.values())
    spent = sum((f.spent for f in figures.values()), Decimal("0"))
    ctx.out(
        f"  {orders} orders, {spent} yuan spent, rotation set {rotation}, {choices} books chosen by readers, {selection}; "
        f"{_stock(ctx, rng, units)}"
    )


def _plan(
    ctx: DemoContext, rng: random.Random, *, start: dt.date, stations: list[Unit], library: Unit
) -> list[dict]:
    """The year's orders: when each was sent, from whom, on which fund, how many titles and where the copies go.

    The big June order is the report's example: 300 copies, 100 for the library and 200 for the stations.
    Four stations get well over 500 new copies in the year, the others fewer, so the ledger has branches
    on both sides of the line."""
    today = ctx.today
    strong = {s.code for s in stations[:3]}
    months = [m for m in (2, 3, 5, 6, 8, 9, 10) if dt.date(start.year, m, 10) < today - dt.timedelta(days=45)]
    plan: list[dict[str, Any]] = []
    for month in months:
        per_station = {s.code: (3 if s.code in strong else rng.randint(0, 1)) for s in stations}
        plan.append(
            {
                "sent": dt.date(start.year, month, rng.randint(5, 15)),
                "vendor": rng.choice(["XH", "RT", "RT", "ZT"]),
                "fund": "NJSW" if month in (3, 9) else "LIB",
                "titles": ctx.scaled(30),
                "new_share": 0.5,
                "library": 1,
                "stations": per_station,
                "complete": True,
            }
        )
    if plan:  # June: 100 titles, 3 copies each: 1 for the library and 2 spread over the stations
        june = next((p for p in plan if p["sent"].month == 6), plan[0])
        june.update(vendor="XH", fund="LIB", titles=ctx.scaled(100), library=1, stations="two-spread")
    recent = today - dt.timedelta(days=12)
    plan.append(
        {
            "sent": recent,
            "vendor": "XH",
            "fund": "LIB",
            "titles": ctx.scaled(20),
            "new_share": 0.6,
            "library": 1,
            "stations": {s.code: 1 for s in stations},
            "complete": "van",
        }
    )
    late = today - dt.timedelta(days=75)
    plan.append(
        {
            "sent": late,
            "vendor": "ZT",
            "fund": "LIB",
            "titles": ctx.scaled(12),
            "new_share": 0.3,
            "library": 1,
            "stations": {s.code: 0 for s in stations},
            "complete": "part",
        }
    )
    return plan


def _titles(
    rng: random.Random, held: list[Record], fresh: list[dict], count: int, *, new_share: float
) -> list[dict]:
    """Titles to order: real new books (not yet in the catalogue) and more copies of books the county has."""
    from wenyun.catalog import selectors as catalog_selectors

    unheld = [b for b in fresh if b["isbn"] not in catalog_selectors.records_by_isbn(isbns=[b["isbn"]])]
    new = rng.sample(unheld, k=min(len(unheld), round(count * new_share)))
    old = rng.sample(held, k=min(len(held), count - len(new)))
    rows = [
        {
            "isbn": b["isbn"],
            "title": b["title"],
            "author": b.get("author", ""),
            "publisher": b.get("publisher", ""),
            "year": int(b["year"]) if (b.get("year") or "").isdigit() else None,
            "clc": b.get("clc", ""),
            "price": b.get("price") or f"{rng.randint(28, 68)}.00",
        }
        for b in new
    ]
    rows += [
        {
            "record_id": r.pk,
            "isbn": r.isbn,
            "title": r.title,
            "author": r.responsibility,
            "publisher": r.publisher,
            "year": r.year,
            "clc": r.clc,
            "price": f"{rng.randint(25, 79)}.{rng.choice(['00', '80', '50'])}",
        }
        for r in old
    ]
    return rows


def _order(ctx, rng, step, *, titles, vendor, fund, actor) -> Order:
    units = {u.code: u for u in Unit.objects.filter(kind=UnitKind.STATION)}
    library = fund.unit
    lines = []
    station_codes = sorted(units)
    for n, title in enumerate(titles):
        if step["stations"] == "two-spread":
            destinations = [
                (library, 1),
                (units[station_codes[(2 * n) % len(station_codes)]], 1),
                (units[station_codes[(2 * n + 1) % len(station_codes)]], 1),
            ]
        else:
            destinations = [(library, step["library"])] + [
                (units[c], k) for c, k in sorted(step["stations"].items()) if k
            ]
        lines.append(
            services.LineIn(**title, quantity=sum(k for _u, k in destinations), destinations=destinations)
        )
    sent = _at(step["sent"], 9)
    order = services.order_create(
        actor=actor, vendor=vendor, fund=fund, lines=lines, at=sent - dt.timedelta(days=3)
    )
    return services.order_send(actor=actor, order=order, at=sent)


def _receive(ctx, rng, order: Order, step, *, actor, barcodes: _Barcodes, seq: int) -> None:
    from wenyun.circulation import services as circulation

    sent = step["sent"]
    arrived = sent + dt.timedelta(days=rng.randint(10, 18))
    if order.vendor.sends_marc:
        new_lines = [line for line in order.lines.all() if not line.record_id]
        if new_lines:
            services.order_marc_load(
                actor=actor, order=order, data=_marc(new_lines), name=f"{order.number}.mrc"
            )
    lines = list(order.lines.order_by("position"))
    if step["complete"] == "part":
        lines = lines[: len(lines) // 2]
    minute = 0
    dispatched = []
    for line in lines:
        for _copy in range(line.quantity):
            minute += 1
            at = _at(arrived, 9 + minute // 50 % 8, minute % 50)
            received = services.receipt_create(
                actor=actor, order=order, line=line, barcode=barcodes.next(), at=at
            )
            if received.action == "transit":
                dispatched.append((received.receipt.item_id, received.unit, at))
    receipts = list(Receipt.objects.filter(line__order=order).values_list("pk", flat=True))
    services.labels_printed(
        actor=actor, order=order, receipt_ids=receipts, paper="a4-5x13", at=_at(arrived, 17)
    )
    if step["complete"] == "van":
        return  # the copies wait at the library for this week's vans
    for item_id, unit, at in dispatched:
        circulation.loan_checkin(
            item=_item(item_id),
            at_unit=unit,
            actor=None,
            via=VIA,
            at=at + dt.timedelta(days=rng.randint(2, 7), hours=2),
        )
    if step["complete"] is True:
        order.refresh_from_db()
        billed = _at(arrived + dt.timedelta(days=rng.randint(20, 35)), 15)
        if billed.date() < ctx.today:
            services.invoice_received(
                actor=actor,
                order=order,
                number=f"{order.vendor.code}{sent:%Y%m}{seq:02d}",
                issued_on=billed.date(),
                at=billed,
            )
            if billed.date() + dt.timedelta(days=30) < ctx.today:
                services.order_close(actor=actor, order=order, at=billed + dt.timedelta(days=30))


def _item(item_id: int):
    from wenyun.catalog.models import Item

    return Item.objects.select_related("record").get(pk=item_id)


def _rotation(ctx, rng, units, *, barcodes: _Barcodes, actor, fund, vendor) -> str:
    """A box of 100 books bought for 城关镇's villages in February, moving every three months."""
    from wenyun.circulation import services as circulation

    station = units.get("YX-S01")
    villages = sorted(
        (u for u in units.values() if u.parent_id == getattr(station, "pk", None)), key=lambda u: u.code
    )[:3]
    if station is None or len(villages) < 3:
        return "-"
    manager = User.objects.filter(role=Role.STATION_MANAGER, unit=station).first() or User.objects.get(
        username="admin"
    )
    first = villages[0]
    year = ctx.today.year
    sent = dt.date(year, 2, 20)
    held = list(Record.objects.filter(language="chi").order_by("pk"))
    books = rng.sample(held, k=min(len(held), ctx.scaled(100)))
    order = services.order_create(
        actor=actor,
        vendor=vendor,
        fund=fund,
        at=_at(sent - dt.timedelta(days=2)),
        note="城关镇农家书屋流转书箱",
        lines=[
            services.LineIn(
                record_id=r.pk,
                isbn=r.isbn,
                title=r.title,
                author=r.responsibility,
                clc=r.clc,
                price=f"{rng.randint(20, 49)}.00",
                quantity=1,
                destinations=[(first, 1)],
            )
            for r in books
        ],
    )
    order = services.order_send(actor=actor, order=order, at=_at(sent))
    arrived = sent + dt.timedelta(days=12)
    codes = []
    for n, line in enumerate(order.lines.order_by("position")):
        at = _at(arrived, 9, n % 60)
        received = services.receipt_create(
            actor=actor, order=order, line=line, barcode=barcodes.next(), at=at
        )
        circulation.loan_checkin(
            item=_item(received.receipt.item_id),
            at_unit=first,
            actor=None,
            via=VIA,
            at=at + dt.timedelta(days=4),
        )
        codes.append(received.receipt.barcode)
    order.refresh_from_db()
    services.invoice_received(
        actor=actor,
        order=order,
        number=f"XH{year}0301",
        issued_on=dt.date(year, 3, 20),
        at=_at(dt.date(year, 3, 20)),
    )
    services.order_close(actor=actor, order=order, at=_at(dt.date(year, 4, 1)))
    rotation = services.rotation_create(
        actor=manager,
        code="S01-A",
        name="城关镇农家书屋流转书箱A",
        owner=station,
        stops=villages,
        barcodes=codes,
        period_days=91,
        starts_on=dt.date(year, 3, 6),
    )
    for month in (6, 9):  # two moves: V01 → V02 in June, V02 → V03 in September
        moved_on = dt.date(year, month, 5)
        if moved_on + dt.timedelta(days=5) >= ctx.today:
            break
        result = services.rotation_move(actor=manager, rotation=rotation, at=_at(moved_on, 14))
        services.rotation_arrive(actor=manager, move=result.move, at=_at(moved_on + dt.timedelta(days=3), 10))
        RotationSet.objects.filter(pk=rotation.pk).update(
            next_move_on=moved_on + dt.timedelta(days=3 + rotation.period_days)
        )
    return rotation.code


def _choices(ctx, rng, *, shop, clerk, fresh: list[dict], barcodes: _Barcodes, library: Unit) -> int:
    """Readers' choices at the partner bookstore from April on; most came back to the library since."""
    from wenyun.circulation import services as circulation

    readers = list(
        Reader.objects.filter(home_unit=library, manual_block="", expires_on__gt=ctx.today).order_by("pk")[
            :400
        ]
    )
    books = [b for b in fresh if b.get("year", "").isdigit() and int(b["year"]) >= ctx.today.year - 2]
    if not readers or not books:
        return 0
    books = books * 3  # a title chosen again by other readers, until the county holds enough of it
    rng.shuffle(books)
    chosen = 0
    day = max(dt.date(ctx.today.year, 4, 1), ctx.today - dt.timedelta(days=240))
    for book in books[: ctx.scaled(40)]:
        day += dt.timedelta(days=rng.randint(2, 7))
        if day >= ctx.today:
            break
        at = _at(day, rng.randint(10, 19), rng.randint(0, 59))
        choice = services.ChoiceBook(
            isbn=book["isbn"],
            title=book["title"],
            price=book.get("price") or "45.00",
            year=book["year"],
            author=book.get("author", ""),
            publisher=book.get("publisher", ""),
            clc=book.get("clc", ""),
        )
        try:
            result = services.choice_lend(
                actor=clerk,
                shop=shop,
                card=rng.choice(readers).card,
                book=choice,
                barcode=barcodes.next(),
                at=at,
            )
        except DomainError:
            continue  # the rules said no (the reader's month, the county's copies): as at a real till
        chosen += 1
        back = at + dt.timedelta(days=rng.randint(12, 35))
        if back.date() < ctx.today:
            circulation.loan_checkin(item=result.purchase.item, at_unit=library, actor=None, via=VIA, at=back)
    _bill_choices(ctx, shop=shop)
    return chosen


def _bill_choices(ctx, *, shop) -> None:
    """The bookstore bills each month's choices at the month's end."""
    admin = User.objects.get(username="admin")
    for order in Order.objects.filter(vendor=shop, reader_choice=True).order_by("created_at"):
        end = (order.created_at.date().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if end < ctx.today and order.lines.exists():
            services.invoice_received(
                actor=admin,
                order=order,
                number=f"XHCG{order.created_at:%Y%m}",
                issued_on=end,
                at=_at(end, 16),
            )


def _selection(
    ctx, rng, *, vendor, fund, actor, held: list[Record], fresh: list[dict], unbought: list[dict]
) -> str:
    """This autumn's offer list from the 新华书店, the villages' wishes on it (百姓点单), readers'
    suggestions (荐购): most of them made into a draft order, a few declined with a reason."""
    from wenyun.acquisitions.models import Suggestion

    books = [
        (b["isbn"], b["title"], b.get("author", ""), b.get("publisher", ""), b.get("price") or "39.00")
        for b in fresh
    ]
    lines = ["ISBN,题名,责任者,出版社,定价"]
    for isbn, title, author, publisher, price in books:
        cells = [isbn, title, author, publisher, price]
        lines.append(",".join('"' + cell.replace('"', "'") + '"' for cell in cells))
    listed_on = ctx.today - dt.timedelta(days=40)
    report = services.offer_list_import(
        actor=actor,
        vendor=vendor,
        name=f"{listed_on.year}年秋季新华书店征订目录",
        content="\n".join(lines).encode("gb18030"),
        filename="xinhua-autumn.csv",
        at=_at(listed_on),
    )
    offered = list(report.offer.lines.order_by("number")) if report.offer else []
    villages = list(Unit.objects.filter(kind=UnitKind.VILLAGE, active=True).order_by("code"))
    managers = {u.unit_id: u for u in User.objects.filter(role=Role.VILLAGE_MANAGER, unit__in=villages)}
    wishes = 0
    for village in rng.sample(villages, k=min(len(villages), 12)):
        manager = managers.get(village.pk)
        if manager is None or not offered:
            continue
        for line in rng.sample(offered, k=min(len(offered), rng.randint(2, 5))):
            try:
                services.wish_add(
                    actor=manager,
                    unit=village,
                    offer_line=line,
                    copies=rng.randint(1, 3),
                    at=_at(listed_on + dt.timedelta(days=rng.randint(1, 20))),
                )
                wishes += 1
            except DomainError:
                continue
    readers = list(Reader.objects.filter(manual_block="", expires_on__gt=ctx.today).order_by("pk")[:300])
    suggested = 0
    for book in unbought + rng.sample(fresh, k=min(4, len(fresh))):
        try:
            services.suggestion_add(
                reader=rng.choice(readers),
                isbn=book["isbn"],
                title=book["title"],
                author=book.get("author", ""),
                note=rng.choice(["孩子想看", "朋友推荐", "书店里翻过，很好", ""]),
                at=_at(ctx.today - dt.timedelta(days=rng.randint(3, 30))),
            )
            suggested += 1
        except DomainError:
            continue  # the county has it, or has it on order: the reader is told so
    open_ones = list(Suggestion.objects.filter(status="open").order_by("created_at"))
    declined = 0
    for suggestion in open_ones[-3:]:
        services.suggestion_decline(
            actor=actor,
            suggestion=suggestion,
            reason="本年度同类图书已足，明年征订时再考虑。",
            at=_at(ctx.today - dt.timedelta(days=2)),
        )
        declined += 1
    order = None
    # Two thirds of the rest go into November's order; the newest wait in the queue for the next one.
    ordered = open_ones[:-3][: len(open_ones[:-3]) * 2 // 3]
    if ordered:
        try:
            order = services.suggestions_accept(
                actor=actor,
                suggestions=ordered,
                vendor=vendor,
                fund=fund,
                note="秋季点单与荐购",
                at=_at(ctx.today - dt.timedelta(days=1)),
            )
        except DomainError as error:
            ctx.out(f"  the wishes were not ordered: {error}")
    drafted = f", {len(ordered)} in draft order {order.number}, the newest waiting" if order else ""
    return (
        f"an offer list of {report.added} titles, {wishes} wishes and {suggested} suggestions "
        f"({declined} declined{drafted})"
    )


def _stock(ctx, rng, units) -> str:
    """A village bookstore's stocktake this autumn (98 in a hundred found on the shelf, the rest resolved),
    and the library's weeding of worn, long-unlent copies for the asset records."""
    from wenyun.acquisitions.selectors import stocktake_compare, weeding_candidates
    from wenyun.catalog.models import Item, ItemStatus

    village = units.get("YX-S01-V02")
    library = units.get("YX-LIB")
    manager = User.objects.filter(role=Role.STATION_MANAGER, unit__code="YX-S01").first()
    if village is None or library is None or manager is None:
        return "no stocktake"
    stocktake = services.stocktake_start(actor=manager, unit=village)
    shelf = list(
        Item.objects.filter(home_unit=village, current_unit=village, status=ItemStatus.AVAILABLE).values_list(
            "barcode", flat=True
        )
    )
    rng.shuffle(shelf)
    found = shelf[: int(len(shelf) * 0.98)]
    for start in range(0, len(found), 200):  # the phone sends what it scanned in batches
        services.stocktake_scan(actor=manager, stocktake=stocktake, barcodes=found[start : start + 200])
    compared = stocktake_compare(stocktake=stocktake)
    for item in compared.missing[: len(compared.missing) // 2]:
        services.stocktake_resolve(actor=manager, stocktake=stocktake, item=item, outcome="missing")
    stocktake = services.stocktake_finish(actor=manager, stocktake=stocktake)
    admin = User.objects.get(username="admin")
    worn = weeding_candidates(unit=library, older_than=5, today=ctx.today)[:40]
    weeded = (
        services.weed(
            actor=admin,
            unit=library,
            items=[c.item for c in worn],
            reason="破损、内容陈旧，按年度剔旧计划注销",
        )
        if worn
        else None
    )
    return f"a stocktake of {len(found)} copies at {village.name}, {len(getattr(weeded, 'withdrawn', []) or [])} copies weeded at the library"
