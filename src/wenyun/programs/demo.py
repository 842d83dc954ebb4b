"""A year of cultural services in the demo county: venues, activities with registrations and
check-ins, room bookings, museum timed entry, menu orders sent to the townships, troupes, digital
resource use and news, with the event log the statistics count from.

Rows are bulk-inserted (a few seconds for the whole year). Activities and bookings are laid out so
nothing clashes: activities by day, bookings in the evening, each venue on its own days.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from wenyun.core.demo import DemoContext
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import OpeningCalendar

from .models import (
    Activity,
    Attendance,
    Booking,
    DigitalResource,
    DigitalUsage,
    MenuItem,
    MenuOrder,
    News,
    ProgramEvent,
    Registration,
    Session,
    Troupe,
    TroupePerformance,
    TroupeSupport,
    Venue,
    VisitSlot,
    VisitTicket,
    new_code,
)

E = ProgramEvent.Type
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强海燕春梅"

VENUES = {
    "YX-LIB": [("报告厅", "hall", 120), ("少儿活动室", "room", 30), ("培训教室", "room", 40)],
    "YX-CC": [("多功能厅", "hall", 200), ("舞蹈排练厅", "room", 50), ("文化广场", "square", 1000)],
    "YX-MUS": [("临时展厅", "gallery", 150)],
    "YX-ART": [("大剧场", "stage", 600), ("小剧场", "stage", 150)],
}
STATION_VENUES = [("多功能活动室", "room", 40), ("文化广场", "square", 500)]

# (category, titles, capacity, registration needed, minutes)
ACTIVITY_KINDS = [
    (
        "lecture",
        ["家风家训讲座", "健康养生讲座", "地方史话", "非遗传承人讲堂", "防诈骗知识讲座"],
        100,
        True,
        90,
    ),
    ("training", ["书法培训班", "广场舞培训", "摄影基础班", "智能手机使用培训", "剪纸培训班"], 30, True, 120),
    ("exhibition", ["乡村振兴摄影展", "农民画展", "红色记忆图片展", "书画作品展"], 0, False, 480),
    ("performance", ["送戏下乡专场", "广场文艺演出", "川剧折子戏", "民乐演奏会"], 0, False, 120),
    ("reading", ["亲子阅读会", "经典诵读", "绘本故事会", "读书分享会"], 25, True, 90),
    ("film", ["公益电影放映", "科普电影放映"], 0, False, 120),
    ("competition", ["少儿讲故事比赛", "象棋比赛", "歌咏比赛"], 40, True, 180),
]

TROUPE_FORMS = ["广场舞", "川剧", "腰鼓", "合唱", "民乐", "花灯", "莲枪", "书画"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


# Who an activity is for follows from its title; the rest are for everyone, or adults.
AUDIENCE_BY_WORD = [
    ("亲子", "families"),
    ("绘本", "children"),
    ("少儿", "children"),
    ("智能手机", "seniors"),
    ("养生", "seniors"),
]


def _audience(rng: random.Random, title: str) -> str:
    return next((audience for word, audience in AUDIENCE_BY_WORD if word in title), None) or rng.choice(
        ["all", "all", "all", "adults"]
    )


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def build(ctx: DemoContext) -> None:
    units = {u.code: u for u in Unit.objects.all()}
    if "YX-LIB" not in units:
        return
    rng = ctx.rng("programs")
    today = ctx.today
    first = today - dt.timedelta(days=364)
    last = today + dt.timedelta(days=30)
    events: list[ProgramEvent] = []

    def event(unit: Unit, type_: str, at: dt.datetime, **details) -> None:
        events.append(ProgramEvent(unit=unit, type=type_, at=at, details=details))

    # Venues -------------------------------------------------------------------------------------
    venues: list[Venue] = []
    for code, rooms in VENUES.items():
        venues += [
            Venue(unit=units[code], name=n, kind=k, capacity=c, opens=dt.time(8, 30), closes=dt.time(21, 30))
            for n, k, c in rooms
        ]
    stations = sorted((u for u in units.values() if u.kind == UnitKind.STATION), key=lambda u: u.code)
    for station in stations:
        venues += [
            Venue(unit=station, name=n, kind=k, capacity=c, opens=dt.time(8, 30), closes=dt.time(21, 30))
            for n, k, c in STATION_VENUES
        ]
    Venue.objects.bulk_create(venues)
    venues = list(Venue.objects.select_related("unit"))
    by_unit: dict[int, list[Venue]] = {}
    for venue in venues:
        by_unit.setdefault(venue.unit_id, []).append(venue)

    # Activities ---------------------------------------------------------------------------------
    per_unit = {"YX-LIB": 90, "YX-CC": 75, "YX-MUS": 14, "YX-ART": 24}
    plan: list[tuple[Unit, Venue, dt.date]] = []
    for code, count in per_unit.items():
        plan += _days_for(rng, units[code], by_unit[units[code].pk], first, last, ctx.scaled(count))
    for station in stations:
        plan += _days_for(rng, station, by_unit[station.pk], first, last, ctx.scaled(24))
    # This weekend in the county seat's township and at the library: what a reader finds first.
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7) if today.weekday() != 5 else today
    weekend_s01 = by_unit[units["YX-S01"].pk][0]
    weekend_lib = by_unit[units["YX-LIB"].pk][1]
    plan = [p for p in plan if not (p[2] == saturday and p[1] in (weekend_s01, weekend_lib))]
    plan += [(units["YX-S01"], weekend_s01, saturday), (units["YX-LIB"], weekend_lib, saturday)]

    readers = _readers()
    activities: list[Activity] = []
    sessions_plan: list[tuple[int, dt.datetime, dt.datetime]] = []
    for index, (unit, venue, day) in enumerate(plan):
        category, titles, capacity, needs, minutes = rng.choice(ACTIVITY_KINDS)
        if venue.kind == "gallery":
            category, titles, capacity, needs, minutes = ACTIVITY_KINDS[2]
        if index >= len(plan) - 2:  # the weekend pair: one with places, one full with a waiting list
            category, titles, capacity, needs, minutes = ("reading", ["周末亲子阅读会"], 12, True, 90)
            if index == len(plan) - 1:
                titles, capacity = ["少儿编程体验课"], 6
        hour = rng.choice([9, 10, 14, 15]) if minutes <= 180 else 9
        starts = _aware(day, hour, rng.choice([0, 30]))
        capacity = min(capacity, venue.capacity) if capacity else 0
        title = rng.choice(titles)
        activities.append(
            Activity(
                unit=unit,
                venue=venue,
                title=title,
                category=category,
                audience=_audience(rng, title),
                description="",
                capacity=capacity,
                registration_required=needs,
                registration_opens=starts - dt.timedelta(days=14) if needs else None,
                registration_closes=starts - dt.timedelta(hours=2) if needs else None,
                status=Activity.Status.PUBLISHED,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=minutes),
            )
        )
        sessions_plan.append((index, starts, starts + dt.timedelta(minutes=minutes)))
    Activity.objects.bulk_create(activities)
    sessions = [Session(activity=activities[i], starts_at=s, ends_at=e) for i, s, e in sessions_plan]
    Session.objects.bulk_create(sessions)

    now = timezone.now()
    venues_by_pk = {v.pk: v for v in venues}
    registrations: list[Registration] = []
    for activity, session in zip(activities, sessions, strict=True):
        starts = session.starts_at
        published = starts - dt.timedelta(days=15)
        event(
            activity.unit,
            E.ACTIVITY_PUBLISHED,
            published,
            activity=activity.pk,
            category=activity.category,
            sessions=1,
        )
        past = session.ends_at < now
        if not activity.registration_required:
            if past:
                session.walk_ins = rng.randint(
                    30, min(400, venues_by_pk[activity.venue_id or 0].capacity or 400)
                )
                event(
                    activity.unit,
                    E.WALK_INS_RECORDED,
                    session.ends_at,
                    activity=activity.pk,
                    session=session.pk,
                    count=session.walk_ins,
                )
            continue
        if activity.capacity == 6:  # the full one
            wanted = 9
        elif activity.capacity == 12:
            wanted = 7
        else:
            wanted = rng.randint(activity.capacity // 2, activity.capacity + 3)
        parties: set[str] = set()
        for n in range(wanted):
            at: dt.datetime = min(
                starts - dt.timedelta(days=14, hours=-3 - n * 5),
                starts - dt.timedelta(hours=2, minutes=5),
            )
            if at > now:
                break
            reader = readers[rng.randrange(len(readers))] if readers and rng.random() < 0.5 else None
            if reader is not None:
                party, name, phone = f"card:{reader[0]}", reader[1], reader[2]
            else:
                phone = _phone(rng)
                party, name = f"phone:{phone}", _name(rng)
            if party in parties:
                continue
            parties.add(party)
            confirmed = activity.confirmed_count < activity.capacity
            status = Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITING
            if confirmed:
                activity.confirmed_count += 1
            else:
                activity.waiting_count += 1
            registrations.append(
                Registration(
                    activity=activity,
                    reader_id=reader[3] if reader else None,
                    party=party,
                    name=name,
                    phone=phone,
                    status=status,
                    code=new_code(),
                    registered_at=at,
                )
            )
            event(
                activity.unit,
                E.REGISTERED,
                at,
                activity=activity.pk,
                registration=None,
                status=status,
                channel=party.split(":")[0],
            )
    Session.objects.bulk_update(sessions, ["walk_ins"], batch_size=500)
    Activity.objects.bulk_update(activities, ["confirmed_count", "waiting_count"], batch_size=500)
    Registration.objects.bulk_create(registrations, batch_size=1000)
    session_of = {s.activity_id: s for s in sessions}
    attendances = []
    for registration in registrations:
        session = session_of[registration.activity_id]
        if registration.status == "confirmed" and session.ends_at < now and rng.random() < 0.85:
            at = session.starts_at - dt.timedelta(minutes=rng.randint(0, 20))
            method = rng.choice(["qr", "qr", "list"])
            attendances.append(Attendance(session=session, registration=registration, at=at, method=method))
            event(
                registration.activity.unit,
                E.CHECKED_IN,
                at,
                activity=registration.activity_id,
                session=session.pk,
                registration=registration.pk,
                method=method,
            )
    Attendance.objects.bulk_create(attendances, batch_size=1000)
    # The registration ids are known only now: fill them into the "registered" events in order.
    pending = iter(registrations)
    for e in events:
        if e.type == E.REGISTERED:
            e.details["registration"] = next(pending).pk

    _bookings(ctx, rng, units, by_unit, stations, first, today, event)
    _museum(ctx, rng, units["YX-MUS"], first, today, event)
    troupes = _troupes(ctx, rng, units, by_unit, stations, first, today, event)
    _menu(ctx, rng, units, stations, troupes, first, today, event)
    _digital(ctx, rng, units, stations, today, event)
    _news(ctx, rng, units, stations, first, today, event)
    ProgramEvent.objects.bulk_create(events, batch_size=2000)
    ctx.out(
        f"  {len(activities)} activities, {len(registrations)} registrations, {len(attendances)} check-ins, "
        f"{Booking.objects.count()} bookings, {VisitTicket.objects.count()} museum tickets, "
        f"{MenuOrder.objects.count()} menu orders, {len(troupes)} troupes"
    )


def _readers() -> list[tuple[str, str, str, int]]:
    """The circulation demo's readers (card, name, phone, id), if it made any."""
    from wenyun.circulation.models import Reader

    return list(Reader.objects.order_by("pk").values_list("card", "name", "phone", "pk")[:3000])


def _days_for(rng, unit: Unit, venues: list[Venue], first: dt.date, last: dt.date, count: int):
    calendar = OpeningCalendar(unit=unit, first_day=first, last_day=last)
    open_days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    open_days = [d for d in open_days if calendar.is_open_day(d)]
    taken: set[tuple[int, dt.date]] = set()
    plan: list[tuple[Unit, Venue, dt.date]] = []
    while len(plan) < count and len(taken) < len(open_days) * len(venues):
        venue, day = rng.choice(venues), rng.choice(open_days)
        if (venue.pk, day) in taken:
            continue
        taken.add((venue.pk, day))
        plan.append((unit, venue, day))
    return plan


def _bookings(ctx, rng, units, by_unit, stations, first, today, event) -> None:
    rows = []
    requesters = [
        ("troupe", "夕阳红舞蹈队", "排练"),
        ("school", "县第一中学", "合唱比赛彩排"),
        ("school", "城关小学", "课外阅读课"),
        ("organisation", "县老年大学", "书法课"),
        ("reader", "读书会", "读书分享"),
        ("organisation", "县妇联", "家庭教育讲座"),
    ]
    for unit in [units["YX-LIB"], units["YX-CC"], *stations[:6]]:
        for venue in by_unit[unit.pk]:
            days = sorted(rng.sample(range(-360, 21), ctx.scaled(14)))
            for offset in days:
                day = today + dt.timedelta(days=offset)
                kind, name, purpose = rng.choice(requesters)
                starts, ends = _aware(day, 19), _aware(day, 21)
                created = starts - dt.timedelta(days=rng.randint(2, 10))
                status = (
                    rng.choice(["approved"] * 6 + ["refused", "cancelled"])
                    if offset < 0
                    else rng.choice(["approved", "requested"])
                )
                rows.append(
                    Booking(
                        venue=venue,
                        requester_kind=kind,
                        requester_name=name,
                        phone=_phone(rng),
                        purpose=purpose,
                        attendees=min(venue.capacity, rng.randint(10, 40)),
                        starts_at=starts,
                        ends_at=ends,
                        status=status,
                        reason="该时段已安排馆内活动" if status == "refused" else "",
                        decided_at=created + dt.timedelta(days=1)
                        if status in ("approved", "refused")
                        else None,
                        created_at=created,
                        code=new_code(),
                    )
                )
    Booking.objects.bulk_create(rows)
    for b in rows:
        event(b.venue.unit, E.BOOKING_REQUESTED, b.created_at, booking=b.pk, venue=b.venue_id)
        follow = {
            "approved": E.BOOKING_APPROVED,
            "refused": E.BOOKING_REFUSED,
            "cancelled": E.BOOKING_CANCELLED,
        }
        if b.status in follow:
            event(
                b.venue.unit,
                follow[b.status],
                b.created_at + dt.timedelta(days=1),
                booking=b.pk,
                venue=b.venue_id,
            )


def _museum(ctx, rng, museum: Unit, first: dt.date, today: dt.date, event) -> None:
    last = today + dt.timedelta(days=14)
    calendar = OpeningCalendar(unit=museum, first_day=first, last_day=last)
    slots = []
    day = first
    while day <= last:
        if calendar.is_open_day(day):
            slots += [
                VisitSlot(unit=museum, day=day, starts=dt.time(9), ends=dt.time(12), capacity=100),
                VisitSlot(unit=museum, day=day, starts=dt.time(13, 30), ends=dt.time(16, 30), capacity=100),
            ]
        day += dt.timedelta(days=1)
    VisitSlot.objects.bulk_create(slots)
    tickets = []
    weekend_factor = {5: 2.0, 6: 2.2}
    for slot in slots:
        base = 22 if slot.day <= today else 10
        wanted = min(
            slot.capacity,
            int(rng.randint(base // 2, base) * ctx.scale * weekend_factor.get(slot.day.weekday(), 1)),
        )
        booked_at = _aware(slot.day, 8) - dt.timedelta(days=rng.randint(1, 6))
        for _ in range(wanted):
            entered = (
                _aware(slot.day, slot.starts.hour, rng.randint(0, 59))
                if slot.day < today and rng.random() < 0.9
                else None
            )
            tickets.append(
                VisitTicket(
                    slot=slot,
                    name=_name(rng),
                    phone=_phone(rng),
                    code=new_code(),
                    booked_at=booked_at,
                    entered_at=entered,
                )
            )
        slot.booked = wanted
    VisitSlot.objects.bulk_update(slots, ["booked"], batch_size=1000)
    VisitTicket.objects.bulk_create(tickets, batch_size=2000)
    for t in tickets:
        event(museum, E.VISIT_BOOKED, t.booked_at, slot=t.slot.pk, day=t.slot.day.isoformat(), tickets=1)
        if t.entered_at:
            event(
                museum, E.VISIT_ENTERED, t.entered_at, slot=t.slot.pk, day=t.slot.day.isoformat(), ticket=t.pk
            )


def _troupes(ctx, rng, units, by_unit, stations, first, today, event) -> list[Troupe]:
    troupes = [
        Troupe(
            unit=units["YX-CC"],
            name="云溪县川剧团",
            art_form="川剧",
            leader="罗正华",
            members=28,
            founded_on=dt.date(1986, 5, 1),
        ),
        Troupe(
            unit=units["YX-CC"],
            name="云溪县民乐团",
            art_form="民乐",
            leader="邓秀英",
            members=22,
            founded_on=dt.date(2009, 3, 1),
        ),
        Troupe(
            unit=units["YX-ART"],
            name="云溪艺术团",
            art_form="歌舞",
            leader="韩志强",
            members=35,
            founded_on=dt.date(2012, 9, 1),
        ),
    ]
    for station in stations:
        for n in range(rng.randint(3, 4)):
            form = TROUPE_FORMS[(n + int(station.code[-2:])) % len(TROUPE_FORMS)]
            troupes.append(
                Troupe(
                    unit=station,
                    name=f"{station.name.removesuffix('综合文化站')}{form}队",
                    art_form=form,
                    leader=_name(rng),
                    phone=_phone(rng),
                    members=rng.randint(8, 40),
                    rehearsal_venue=by_unit[station.pk][n % 2],
                    founded_on=dt.date(rng.randint(2005, 2022), rng.randint(1, 12), 1),
                )
            )
    Troupe.objects.bulk_create(troupes)
    support, performances = [], []
    for troupe in troupes:
        event(troupe.unit, E.TROUPE_REGISTERED, _aware(first, 9), troupe=troupe.pk)
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["training", "equipment", "funding", "guidance"])
            amount = (
                Decimal(rng.choice([0, 2000, 3000, 5000])) if kind in ("equipment", "funding") else Decimal(0)
            )
            on = first + dt.timedelta(days=rng.randint(0, 360))
            text = {
                "training": "县文化馆专业辅导培训",
                "equipment": "配发音响和服装",
                "funding": "扶持资金",
                "guidance": "节目编排指导",
            }[kind]
            support.append(TroupeSupport(troupe=troupe, kind=kind, on=on, description=text, amount=amount))
            event(
                troupe.unit,
                E.TROUPE_SUPPORTED,
                _aware(on, 10),
                troupe=troupe.pk,
                kind=kind,
                amount=str(amount),
            )
        for _ in range(rng.randint(2, 8)):
            on = first + dt.timedelta(days=rng.randint(0, 360))
            audience = rng.randint(50, 600)
            performances.append(
                TroupePerformance(
                    troupe=troupe,
                    on=on,
                    title=f"{troupe.art_form}展演",
                    place=troupe.unit.name,
                    audience=audience,
                )
            )
            event(
                troupe.unit,
                E.TROUPE_PERFORMED,
                _aware(on, 19),
                troupe=troupe.pk,
                audience=audience,
                on=on.isoformat(),
            )
    TroupeSupport.objects.bulk_create(support)
    TroupePerformance.objects.bulk_create(performances)
    return troupes


def _menu(ctx, rng, units, stations, troupes, first, today, event) -> None:
    cc, art = units["YX-CC"], units["YX-ART"]
    items = [
        MenuItem(
            provider=cc,
            troupe=troupes[0],
            title="川剧折子戏专场",
            kind="performance",
            lead_days=10,
            duration_minutes=120,
        ),
        MenuItem(provider=cc, troupe=troupes[1], title="民乐演奏会", kind="performance", lead_days=7),
        MenuItem(
            provider=art,
            troupe=troupes[2],
            title="综合文艺晚会",
            kind="performance",
            lead_days=14,
            duration_minutes=150,
        ),
        MenuItem(
            provider=cc, title="广场舞骨干培训（3天）", kind="training", lead_days=14, duration_minutes=360
        ),
        MenuItem(provider=cc, title="乡村振兴巡回展", kind="exhibition", lead_days=10, duration_minutes=480),
        MenuItem(provider=units["YX-LIB"], title="流动电影放映", kind="film", lead_days=5),
        MenuItem(provider=units["YX-LIB"], title="健康知识讲座", kind="lecture", lead_days=7),
    ]
    MenuItem.objects.bulk_create(items)
    performances = [i for i in items if i.kind == "performance"]
    orders = []
    for station in stations:
        villages = list(station.children.order_by("code"))
        for n in range(rng.randint(3, 6)):
            item = rng.choice(performances) if n < 4 else rng.choice(items)
            where = station if rng.random() < 0.4 or not villages else rng.choice(villages)
            day = first + dt.timedelta(days=rng.randint(20, 355))
            if day > today - dt.timedelta(days=2):
                day = today - dt.timedelta(days=rng.randint(3, 40))
            ordered = _aware(day - dt.timedelta(days=item.lead_days + rng.randint(2, 20)), 10)
            scheduled = _aware(day, 19)
            orders.append(
                MenuOrder(
                    item=item,
                    unit=where,
                    wanted_on=day,
                    status="delivered",
                    scheduled_at=scheduled,
                    attendance=rng.randint(80, 500),
                    rating=rng.choice([4, 5, 5, 5, 3]),
                    feedback=rng.choice(["群众反响热烈", "节目精彩", "", "希望多来"]),
                    ordered_at=ordered,
                    decided_at=ordered + dt.timedelta(days=1),
                    delivered_at=scheduled + dt.timedelta(hours=3),
                )
            )
        # and what is on its way
        item = rng.choice(performances)
        day = today + dt.timedelta(days=item.lead_days + rng.randint(1, 20))
        status = rng.choice(["ordered", "confirmed"])
        orders.append(
            MenuOrder(
                item=item,
                unit=rng.choice(villages) if villages else station,
                wanted_on=day,
                status=status,
                scheduled_at=_aware(day, 19) if status == "confirmed" else None,
                ordered_at=_aware(today - dt.timedelta(days=rng.randint(1, 5)), 10),
                decided_at=_aware(today - dt.timedelta(days=1), 10) if status == "confirmed" else None,
            )
        )
    MenuOrder.objects.bulk_create(orders)
    for o in orders:
        details = {"order": o.pk, "item": o.item.pk, "kind": o.item.kind, "provider": o.item.provider_id}
        event(o.unit, E.MENU_ORDERED, o.ordered_at, **details)
        if o.decided_at:
            event(o.unit, E.MENU_CONFIRMED, o.decided_at, **details)
        if o.status == "delivered":
            township = o.unit if o.unit.kind == UnitKind.STATION else o.unit.parent
            assert township is not None
            event(
                o.unit,
                E.MENU_DELIVERED,
                o.delivered_at,
                **details,
                attendance=o.attendance,
                rating=o.rating,
                township=township.pk,
            )


def _digital(ctx, rng, units, stations, today, event) -> None:
    resources = [
        DigitalResource(
            title="云溪数字图书馆（电子书）", kind="ebooks", provider="超星", url="https://example.org/ebooks"
        ),
        DigitalResource(
            title="国家公共文化云 · 慕课",
            kind="video",
            provider="国家公共文化云",
            url="https://example.org/mooc",
        ),
        DigitalResource(
            title="云溪记忆 · 地方文献库",
            kind="local",
            provider="云溪县图书馆",
            url="https://example.org/local",
        ),
        DigitalResource(
            title="听书 · 有声读物", kind="audio", provider="喜马拉雅", url="https://example.org/audio"
        ),
    ]
    DigitalResource.objects.bulk_create(resources)
    offered = [units["YX-LIB"], units["YX-CC"], *stations]
    for resource in resources:
        resource.units.set(offered)
    rows = []
    month = today.replace(day=1)
    months = []
    for _ in range(12):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    for resource in resources:
        for unit in offered:
            scale = 12 if unit.code == "YX-LIB" else 1
            for m in months:
                visits = rng.randint(40, 260) * scale
                rows.append(
                    DigitalUsage(
                        resource=resource,
                        unit=unit,
                        month=m,
                        visits=visits,
                        downloads=visits // rng.randint(2, 5),
                    )
                )
                event(
                    unit,
                    E.DIGITAL_USAGE,
                    _aware(m + dt.timedelta(days=40), 9).replace(day=3),
                    resource=resource.pk,
                    month=m.isoformat()[:7],
                    visits=visits,
                    downloads=visits // 3,
                )
    DigitalUsage.objects.bulk_create(rows, batch_size=2000)


def _news(ctx, rng, units, stations, first, today, event) -> None:
    titles = [
        ("县图书馆春节期间开放时间调整的通知", True, "YX-LIB"),
        ("“书香云溪”全民阅读月活动启动", False, "YX-LIB"),
        ("县文化馆2026年公益培训班招生", True, "YX-CC"),
        ("送戏下乡走进岭头乡", False, "YX-CC"),
        ("博物馆“云溪古韵”特展开幕", False, "YX-MUS"),
        ("艺术中心新春音乐会圆满举行", False, "YX-ART"),
    ]
    for station in stations[:6]:
        titles.append((f"{station.name}举办广场文艺汇演", False, station.code))
        titles.append((f"{station.name}农家书屋新书上架", False, station.code))
    rows = []
    for n, (title, notice, code) in enumerate(titles):
        published = _aware(today - dt.timedelta(days=(len(titles) - n) * 11 + rng.randint(0, 5)), 9)
        rows.append(
            News(
                unit=units[code],
                title=title,
                is_notice=notice,
                status="published",
                published_at=published,
                body=f"{title}。\n\n欢迎广大群众参与。详情请咨询{units[code].name}，电话{units[code].phone or '0000-0000000'}。",
            )
        )
    News.objects.bulk_create(rows)
    for item in rows:
        event(item.unit, E.NEWS_PUBLISHED, item.published_at, news=item.pk)
