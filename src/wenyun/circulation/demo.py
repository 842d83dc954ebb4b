"""The demo county's readers and a year of circulation, so the desk and the statistics look alive.

20,000 readers (scaled), most registered at the county library, the rest at stations and villages.
A year of loans is simulated day by day: more at the county library, peaks in the winter and summer
school holidays and at weekends, nothing on closed days; most copies come back where they were lent,
some elsewhere and travel home by van. The history is written with bulk inserts (loans, transits and
their events); the last days' holds, transits in flight and the hold shelves go through the services,
so what is "in flight" is exactly what the desk would have produced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from wenyun.catalog.models import Item, ItemStatus, ItemType, Record
from wenyun.core.demo import DEMO_PASSWORD, DemoContext
from wenyun.core.errors import DomainError
from wenyun.core.models import Role, User
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import OpeningCalendar

from . import notices, services
from .models import (
    CirculationEvent,
    CirculationRule,
    CirculationSettings,
    DeliveryRoute,
    Fee,
    Loan,
    Reader,
    ReaderCategory,
    ReturnPolicy,
    Transit,
)
from .rules import rule_match
from .services import pin_hash

CATEGORIES = [
    ("adult", "成人读者", "Adult"),
    ("minor", "少儿读者", "Minor"),
    ("senior", "老年读者", "Senior"),
    ("village", "农村读者", "Village reader"),
    ("staff", "馆员", "Staff"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建华红梅文斌建国志强海燕春梅晓东德明小红"
# Loans in a month, relative: the winter (Jan-Feb) and summer (Jul-Aug) school holidays are the peaks.
MONTH_WEIGHT = {
    1: 1.3,
    2: 1.25,
    3: 0.9,
    4: 0.85,
    5: 0.9,
    6: 0.9,
    7: 1.45,
    8: 1.5,
    9: 0.9,
    10: 1.0,
    11: 0.85,
    12: 0.9,
}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(rng: random.Random, birth: dt.date) -> str:
    body = f"5108{rng.randint(21, 24):02d}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def build(ctx: DemoContext) -> None:
    rng = ctx.rng("circulation")
    categories = {
        code: ReaderCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": en})[0]
        for code, name, en in CATEGORIES
    }
    units = {u.code: u for u in Unit.objects.all()}
    types = {t.code: t for t in ItemType.objects.all()}
    _matrix(units, categories, types)
    CirculationSettings.objects.get_or_create(pk=1)
    _routes(units)
    readers = _readers(ctx, rng, units, categories)
    items = list(
        Item.objects.filter(status=ItemStatus.AVAILABLE).values_list(
            "pk", "record_id", "current_unit_id", "home_unit_id", "item_type_id"
        )
    )
    if not items:
        ctx.out(f"  {len(readers)} readers; no copies in the catalogue, so no circulation history")
        return
    loans = _history(ctx, rng, units, readers, items)
    # The notices of the holds below are sent when the demo's transaction commits: keep them off the console.
    notices.CONSOLE[0] = False
    try:
        _in_flight(ctx, rng, units)
    except BaseException:
        notices.CONSOLE[0] = True
        raise
    transaction.on_commit(lambda: notices.CONSOLE.__setitem__(0, True))
    ctx.out(
        f"  {len(readers)} readers, {loans} loans in the year, {Loan.objects.filter(returned_at__isnull=True).count()} out now"
    )


def _matrix(units: dict[str, Unit], categories: dict, types: dict) -> None:
    if CirculationRule.objects.exists():
        return
    rows = [
        dict(note="县域通用规则：借期30天，限借10册，可续借1次，不收逾期费"),
        dict(category=categories["minor"], loan_days=21, loan_limit=5, note="少儿读者限借5册"),
        dict(category=categories["senior"], loan_days=45, note="老年读者借期45天"),
        dict(category=categories["village"], loan_days=45, loan_limit=15, note="农村读者借期长、册数多"),
        dict(category=categories["staff"], loan_days=60, loan_limit=20, renewals=3),
    ]
    if "periodical" in types:
        rows.append(
            dict(item_type=types["periodical"], loan_days=14, renewals=0, return_policy=ReturnPolicy.FLOAT)
        )
    if "reference" in types:
        rows.append(
            dict(item_type=types["reference"], loan_limit=0, holds_allowed=False, note="工具书仅供馆内阅览")
        )
    if "av" in types and "YX-LIB" in units:
        rows.append(
            dict(
                unit=units["YX-LIB"],
                item_type=types["av"],
                loan_days=7,
                loan_limit=3,
                renewals=0,
                fee_per_day=Decimal("0.10"),
                fee_cap=Decimal("5.00"),
                note="音像资料：每天0.10元，最多5元",
            )
        )
    for station in ("YX-S07", "YX-S08"):
        if station in units:
            # Upland villages are far from the county town: their copies stay where they are returned.
            rows.append(
                dict(unit=units[station], loan_days=60, return_policy=ReturnPolicy.FLOAT, note="山区流动")
            )
    defaults = dict(
        loan_days=30, loan_limit=10, renewals=1, holds_allowed=True, return_policy=ReturnPolicy.HOME
    )
    CirculationRule.objects.bulk_create([CirculationRule(**{**defaults, **row}) for row in rows])


def _routes(units: dict[str, Unit]) -> None:
    library = units.get("YX-LIB")
    stations = sorted((u for u in units.values() if u.kind == UnitKind.STATION), key=lambda u: u.code)
    for index, station in enumerate(stations):
        route = DeliveryRoute.objects.create(name=f"{station.name}线", weekday=index % 5)
        stops = [
            station,
            *sorted((u for u in units.values() if u.parent_id == station.pk), key=lambda u: u.code),
        ]
        route.stops.set(([library] if library else []) + stops)


def _readers(ctx: DemoContext, rng: random.Random, units: dict[str, Unit], categories: dict) -> list[tuple]:
    """(pk, home_unit_id, category_id) of each reader made."""
    library = units.get("YX-LIB")
    culture = units.get("YX-CC")
    stations = [u for u in units.values() if u.kind == UnitKind.STATION]
    villages = [u for u in units.values() if u.kind == UnitKind.VILLAGE]
    homes = ([library] * 45 if library else []) + ([culture] * 3 if culture else [])
    homes += stations * 2 + villages
    pin = pin_hash("1234")  # one hash for the demo
    today = ctx.today
    count = ctx.scaled(20000)
    readers: list[Reader] = []
    registered: list[dt.datetime] = []
    key = settings.SECRET_KEY.encode()
    for n in range(1, count + 1):
        home = rng.choice(homes)
        age = rng.choices(
            [rng.randint(7, 17), rng.randint(18, 59), rng.randint(60, 85)], weights=[30, 55, 15]
        )[0]
        if home.kind == UnitKind.VILLAGE and 18 <= age < 60 and rng.random() < 0.7:
            category = categories["village"]
        else:
            category = categories["minor" if age < 18 else "senior" if age >= 60 else "adult"]
        if n <= 40 and library is not None:
            category, home = categories["staff"] if n <= 12 else category, library if n <= 12 else home
        days_ago = int(rng.triangular(0, 3 * 365, 200))
        joined = today - dt.timedelta(days=days_ago)
        reader = Reader(
            card=f"YX{n:08d}",
            name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2]))),
            category=category,
            home_unit=home,
            phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            expires_on=joined + dt.timedelta(days=3 * 365),
            pin_hash=pin,
            keep_history=rng.random() < 0.3,
        )
        if rng.random() < 0.3:
            number = _id_number(rng, today - dt.timedelta(days=age * 365 + rng.randint(0, 364)))
            reader.id_number_hash = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
            reader.id_number_last4 = number[-4:]
        if rng.random() < 0.004:
            reader.lost_card = True
        elif rng.random() < 0.002:
            reader.manual_block = rng.choice(["损坏图书未赔偿", "冒用他人借书证", "多次逾期未还"])
        readers.append(reader)
        registered.append(timezone.make_aware(dt.datetime.combine(joined, dt.time(9 + n % 8, n % 60))))
    field = Reader._meta.get_field("registered_at")
    field.auto_now_add = False  # keep the registration days drawn above
    try:
        for reader, at in zip(readers, registered, strict=True):
            reader.registered_at = at
        Reader.objects.bulk_create(readers, batch_size=2000)
    finally:
        field.auto_now_add = True
    first = Reader.objects.get(card="YX00000001")
    account = User(username="reader", display_name=first.name, role=Role.READER)
    account.set_password(DEMO_PASSWORD)
    account.save()
    first.account, first.expires_on, first.lost_card, first.manual_block = (
        account,
        today + dt.timedelta(days=700),
        False,
        "",
    )
    first.keep_history = True
    first.save(update_fields=["account", "expires_on", "lost_card", "manual_block", "keep_history"])
    ctx.login("reader", "reader", f"{first.card} (PIN 1234)")
    return list(Reader.objects.values_list("pk", "home_unit_id", "category_id", "registered_at"))


def _history(
    ctx: DemoContext, rng: random.Random, units: dict[str, Unit], readers: list[tuple], items: list[tuple]
) -> int:
    today = ctx.today
    start = today - dt.timedelta(days=365)
    by_id = {u.pk: u for u in units.values()}
    lending_units = [
        u for u in units.values() if u.kind in (UnitKind.LIBRARY, UnitKind.STATION, UnitKind.VILLAGE)
    ]
    shelves: dict[int, list[list]] = defaultdict(list)  # unit -> [pk, record, home, type, busy_until]
    for pk, record_id, current, home, type_id in items:
        shelves[current].append([pk, record_id, home, type_id, start])
    lending_units = [u for u in lending_units if shelves.get(u.pk)]
    # Loans per open day at each unit: the county library lends most, villages a few a week.
    base: dict[str, float] = {UnitKind.LIBRARY: 100.0, UnitKind.STATION: 8.0, UnitKind.VILLAGE: 1.5}
    readers_at: dict[int, list[tuple]] = defaultdict(list)
    for row in readers:
        readers_at[row[1]].append(row)
    calendars = {
        u.pk: OpeningCalendar(unit=u, first_day=start, last_day=today + dt.timedelta(days=120))
        for u in lending_units
    }

    def next_open(unit_id: int, day: dt.date) -> dt.date:
        calendar = calendars.get(unit_id)
        for offset in range(30):
            candidate = day + dt.timedelta(days=offset)
            if calendar is None or calendar.is_open_day(candidate):
                return candidate
        return day

    rules = list(CirculationRule.objects.all())
    rule_cache: dict[tuple, CirculationRule] = {}

    def rule_for(unit: Unit, category_id: int, type_id: int) -> CirculationRule:
        key = (unit.pk, category_id, type_id)
        if key not in rule_cache:
            rule_cache[key] = rule_match(
                unit=unit, category_id=category_id, item_type_id=type_id, rules=rules
            ).rule
        return rule_cache[key]

    staff = {
        u.unit_id: u.pk
        for u in User.objects.filter(role__in=["institution_staff", "station_manager", "village_manager"])
    }
    library = units.get("YX-LIB")
    scale = ctx.scale
    loans: list[_Row] = []
    plans: list[dict] = []
    next_pk = (Loan.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    out_now: dict[int, int] = {}  # reader -> open loans today, to keep within limits roughly
    day = start
    while day < today:
        weekend = day.weekday() >= 5
        for unit in lending_units:
            if not calendars[unit.pk].is_open_day(day):
                continue
            mean = base[unit.kind] * MONTH_WEIGHT[day.month] * (1.35 if weekend else 1.0) * scale
            count = int(mean) + (1 if rng.random() < mean - int(mean) else 0)
            shelf = shelves[unit.pk]
            local = readers_at.get(unit.pk) or readers
            for _ in range(count):
                reader = rng.choice(local) if rng.random() < 0.8 else rng.choice(readers)
                if reader[3].date() > day:
                    continue
                copy = None
                for _attempt in range(4):
                    candidate = rng.choice(shelf)
                    if candidate[4] <= day:
                        copy = candidate
                        break
                if copy is None:
                    continue
                rule = rule_for(unit, reader[2], copy[3])
                if rule.loan_limit == 0:
                    continue
                kept = int(rng.triangular(2, rule.loan_days + 12, rule.loan_days * 0.6))
                renewed = 0
                due = next_open(unit.pk, day + dt.timedelta(days=rule.loan_days))
                if kept > rule.loan_days and rule.renewals and rng.random() < 0.5:
                    renewed = 1
                    renew_day = day + dt.timedelta(
                        days=rng.randint(max(1, rule.loan_days - 5), rule.loan_days)
                    )
                    due = next_open(unit.pk, renew_day + dt.timedelta(days=rule.loan_days))
                else:
                    renew_day = None
                back: dt.date | None = day + dt.timedelta(days=kept)
                if back is not None and back >= today:
                    back = None
                if rng.random() < 0.8 or unit == library or rule.return_policy != ReturnPolicy.HOME:
                    return_unit = unit
                else:
                    return_unit = library or unit
                if back is not None:
                    back = next_open(return_unit.pk, back)
                    if back >= today:
                        back = None
                at = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randint(0, 59)))
                )
                returned_at = (
                    timezone.make_aware(
                        dt.datetime.combine(back, dt.time(rng.randint(9, 17), rng.randint(0, 59)))
                    )
                    if back is not None
                    else None
                )
                travels = (
                    back is not None and return_unit.pk != copy[2] and rule.return_policy == ReturnPolicy.HOME
                )
                copy[4] = (
                    (back + dt.timedelta(days=4 if travels else 1))
                    if back is not None
                    else today + dt.timedelta(days=999)
                )
                loans.append(
                    _Row(
                        pk=next_pk + len(loans),
                        item_id=copy[0],
                        reader_id=reader[0],
                        lending_unit_id=unit.pk,
                        rule_id=rule.pk,
                        out_at=at,
                        due_on=due,
                        renewals=renewed,
                        returned_at=returned_at,
                        return_unit_id=return_unit.pk if back is not None else None,
                    )
                )
                plans.append(
                    {
                        "unit": unit,
                        "return_unit": return_unit,
                        "travels": travels,
                        "home": copy[2],
                        "renew_day": renew_day,
                        "rule": rule,
                        "actor": staff.get(unit.pk),
                        "kiosk": unit.kind == UnitKind.LIBRARY and rng.random() < 0.35,
                    }
                )
                if back is None:
                    out_now[reader[0]] = out_now.get(reader[0], 0) + 1
        day += dt.timedelta(days=1)
    _insert(
        Loan,
        [
            "id",
            "item_id",
            "reader_id",
            "lending_unit_id",
            "rule_id",
            "out_at",
            "due_on",
            "renewals",
            "returned_at",
            "return_unit_id",
            "lost",
            "claimed_returned",
        ],
        [
            (
                row.pk,
                row.item_id,
                row.reader_id,
                row.lending_unit_id,
                row.rule_id,
                _dt(row.out_at),
                _d(row.due_on),
                row.renewals,
                _dt(row.returned_at),
                row.return_unit_id,
                False,
                False,
            )
            for row in loans
        ],
    )
    _history_events(loans, plans, by_id, today)
    on_loan = [loan.item_id for loan in loans if loan.returned_at is None]
    for chunk in range(0, len(on_loan), 900):
        Item.objects.filter(pk__in=on_loan[chunk : chunk + 900]).update(status=ItemStatus.ON_LOAN)
    return len(loans)


def _history_events(loans: list[_Row], plans: list[dict], by_id: dict[int, Unit], today: dt.date) -> None:
    events: list[tuple] = []
    transits: list[tuple] = []
    fees: list[tuple] = []
    in_transit: list[tuple[int, int]] = []

    def event(
        type_: str, at: dt.datetime, unit_id: int, actor_id, via: str, item_id, reader_id, details: dict
    ) -> None:
        events.append((type_, _dt(at), unit_id, actor_id, _json(details), item_id, reader_id, via))

    for loan, plan in zip(loans, plans, strict=True):
        unit = plan["unit"]
        via = "sip2:lib-kiosk-1" if plan["kiosk"] else "desk"
        event(
            "checkout",
            loan.out_at,
            unit.pk,
            None if plan["kiosk"] else plan["actor"],
            via,
            loan.item_id,
            loan.reader_id,
            {"loan": loan.pk, "due": loan.due_on.isoformat()},
        )
        if plan["renew_day"] is not None and plan["renew_day"] < today:
            renewed_at = timezone.make_aware(dt.datetime.combine(plan["renew_day"], dt.time(20, 15)))
            event(
                "renew",
                renewed_at,
                unit.pk,
                None,
                "portal",
                loan.item_id,
                loan.reader_id,
                {"loan": loan.pk, "due": loan.due_on.isoformat()},
            )
        if loan.returned_at is None:
            continue
        back_unit = plan["return_unit"]
        action = "transit" if plan["travels"] else "shelve"
        to = by_id[plan["home"]] if plan["travels"] else back_unit
        late = max(0, (timezone.localtime(loan.returned_at).date() - loan.due_on).days)
        details: dict = {"loan": loan.pk, "late_days": late, "action": action, "to": to.code}
        rule = plan["rule"]
        if late and rule.fee_per_day > 0:
            amount = (
                min(rule.fee_per_day * late, rule.fee_cap) if rule.fee_cap > 0 else rule.fee_per_day * late
            )
            paid = bool(loan.pk % 3)
            fees.append(
                (
                    loan.reader_id,
                    loan.pk,
                    "overdue",
                    _dec(amount),
                    "paid" if paid else "open",
                    back_unit.pk,
                    _dt(loan.returned_at),
                    _dt(loan.returned_at) if paid else None,
                    "",
                )
            )
            details["fee"] = str(amount)
        actor = plan["actor"] if back_unit == unit else None
        event("checkin", loan.returned_at, back_unit.pk, actor, "desk", loan.item_id, loan.reader_id, details)
        if not plan["travels"]:
            continue
        created = loan.returned_at
        event("transit_created", created, back_unit.pk, None, "desk", loan.item_id, None, {"to": to.code})
        received = created + dt.timedelta(days=3, hours=2)
        if received.date() >= today:
            # Still on the van: the copy is in transit now.
            transits.append((loan.item_id, back_unit.pk, to.pk, "home", _dt(created), None, None, None))
            in_transit.append((loan.item_id, back_unit.pk))
            continue
        sent = created + dt.timedelta(days=1)
        transits.append(
            (loan.item_id, back_unit.pk, to.pk, "home", _dt(created), _dt(sent), _dt(received), None)
        )
        event("transit_sent", sent, back_unit.pk, None, "desk", loan.item_id, None, {})
        event("transit_received", received, to.pk, None, "desk", loan.item_id, None, {})
    _insert(
        CirculationEvent,
        ["type", "at", "unit_id", "actor_id", "details", "item_id", "reader_id", "via"],
        events,
    )
    _insert(
        Transit,
        [
            "item_id",
            "from_unit_id",
            "to_unit_id",
            "reason",
            "created_at",
            "sent_at",
            "received_at",
            "cancelled_at",
        ],
        transits,
    )
    _insert(
        Fee,
        ["reader_id", "loan_id", "kind", "amount", "status", "unit_id", "created_at", "settled_at", "note"],
        fees,
    )
    for item_id, unit_id in in_transit:
        Item.objects.filter(pk=item_id).update(status=ItemStatus.IN_TRANSIT, current_unit_id=unit_id)


@dataclass(slots=True)
class _Row:
    """A loan as the simulation keeps it: only what is written, without a model instance's cost."""

    pk: int
    item_id: int
    reader_id: int
    lending_unit_id: int
    rule_id: int | None
    out_at: dt.datetime
    due_on: dt.date
    renewals: int
    returned_at: dt.datetime | None
    return_unit_id: int | None


def _dt(value: dt.datetime | None):
    return connection.ops.adapt_datetimefield_value(value) if value is not None else None


def _d(value: dt.date | None):
    return connection.ops.adapt_datefield_value(value) if value is not None else None


def _dec(value: Decimal):
    return connection.ops.adapt_decimalfield_value(value, 9, 2)


def _json(value: dict):
    return connection.ops.adapt_json_value(value, None)


def _insert(model, columns: list[str], rows: list[tuple], batch: int = 5000) -> None:
    """Plain INSERTs for the year's history (a third of a million rows); the ORM's per-object cost is the bottleneck."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for first in range(0, len(rows), batch):
            cursor.executemany(sql, rows[first : first + batch])
    if "id" in columns:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)


def _in_flight(ctx: DemoContext, rng: random.Random, units: dict[str, Unit]) -> None:
    """The last few days through the services: holds waiting, on their way and on the shelves."""
    library = units.get("YX-LIB")
    if library is None:
        return
    now = timezone.now()
    stations = [u for u in units.values() if u.kind == UnitKind.STATION]
    pickups = [library, *stations]
    # Titles with a copy out on loan: readers queue for them.
    wanted = list(
        Record.objects.filter(items__status=ItemStatus.ON_LOAN).values_list("pk", flat=True).distinct()[:400]
    )
    rng.shuffle(wanted)
    readers = list(
        Reader.objects.filter(lost_card=False, manual_block="", expires_on__gt=ctx.today).values_list(
            "pk", flat=True
        )[:3000]
    )
    placed = 0
    for record_id in wanted[: ctx.scaled(150)]:
        reader = Reader.objects.get(pk=rng.choice(readers))
        try:
            services.hold_place(
                reader=reader,
                record=Record.objects.get(pk=record_id),
                pickup_unit=rng.choice(pickups),
                actor=None,
                via=rng.choice(["portal", "desk"]),
                at=now - dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8)),
            )
            placed += 1
        except DomainError:
            continue
    # Available titles held too: the holds pass puts their copies on pull lists.
    available = list(
        Record.objects.filter(items__status=ItemStatus.AVAILABLE, items__current_unit__kind=UnitKind.LIBRARY)
        .values_list("pk", flat=True)
        .distinct()[:200]
    )
    for record_id in rng.sample(available, min(len(available), ctx.scaled(60))):
        try:
            services.hold_place(
                reader=Reader.objects.get(pk=rng.choice(readers)),
                record=Record.objects.get(pk=record_id),
                pickup_unit=rng.choice(pickups),
                actor=None,
                via="portal",
                at=now - dt.timedelta(hours=rng.randint(1, 72)),
            )
            placed += 1
        except DomainError:
            continue
    services.holds_fill(via="demo")
    # Half of the pulled copies were checked in already: on the hold shelf or on the van.
    from .models import Hold

    pulled = list(
        Hold.objects.filter(status=Hold.Status.WAITING, target__isnull=False).select_related("target")
    )
    for hold in pulled[: len(pulled) // 2]:
        item = hold.target
        assert item is not None
        services.loan_checkin(item=item, at_unit=item.current_unit, actor=None, via="desk")
    # Loans out now at the county library returned today at villages: copies travelling home.
    out = list(
        Loan.objects.filter(returned_at__isnull=True, lending_unit=library, item__home_unit=library)
        .select_related("item")
        .order_by("pk")[: ctx.scaled(40)]
    )
    villages = [u for u in units.values() if u.kind == UnitKind.VILLAGE]
    for loan in out:
        services.loan_checkin(item=loan.item, at_unit=rng.choice(villages), actor=None, via="desk")
    # A few copies long overdue were declared lost: their readers owe the price.
    long_overdue = list(
        Loan.objects.filter(returned_at__isnull=True, due_on__lt=ctx.today - dt.timedelta(days=20))
        .select_related("item", "lending_unit")
        .order_by("due_on")[: ctx.scaled(12)]
    )
    for loan in long_overdue:
        services.item_mark_lost(item=loan.item, actor=None, at_unit=loan.lending_unit, via="desk")
    services.transit_runs_plan(day=ctx.today)
    ctx.out(f"  {placed} holds placed, {len(pulled)} copies pulled for holds, {len(out)} returns travelling")
