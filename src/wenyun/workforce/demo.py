"""The demo county's staff, as the report tells it.

Each of the 11 township stations has a head paid 800 yuan a month from the county budget (most are
retired public servants re-employed); each of the 83 village centres has a bookstore manager paid
700 yuan a month, raised from 300 six months before the demo's day (RAISE_MONTHS_AGO, so that
every demo, whatever its day, has approved months at both standards), and should have a full-time
cultural worker, which a few villages lack. The station and village manager logins are these people.
Rolls are approved for the past year up to two months ago, so the bureau has last month to open;
a year of training sessions lies behind it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from wenyun.core.demo import DemoContext
from wenyun.core.models import User
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import unit_get, unit_root

from . import rules, services
from .models import EmploymentType, Post, Qualification, StaffMember

STATION_HEAD_YUAN = Decimal("800")
BOOKSTORE_YUAN_BEFORE = Decimal("300")
BOOKSTORE_YUAN = Decimal("700")
SUBSIDY_BASIS = "县本级财政补助（创建国家公共文化服务体系示范区）"
# Villages without a full-time cultural worker: the staffing page has gaps to show.
VILLAGES_WITHOUT_FULL_TIME = 6

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢傅钟"
GIVEN = "建国华明玉兰秀英志强海燕春梅国平丽娟红霞德福小军文静桂芳永红晓东成林淑珍秋菊家宝金凤立新俊杰云飞"

TRAININGS = [
    ("农家书屋管理与图书分类（中图法）", "县图书馆 刘馆员", Decimal("6"), "YX-LIB"),
    ("图书通借通还系统操作", "县图书馆 信息部", Decimal("4"), "YX-LIB"),
    ("文化站台账规范与创建验收标准解读", "县文旅局创建办", Decimal("8"), "YX"),
    ("群众文艺活动策划与组织", "县文化馆 业务部", Decimal("6"), "YX-CC"),
    ("数字文化服务与公共数字文化工程", "县图书馆 数字资源部", Decimal("4"), "YX-LIB"),
    ("文化场所消防与安全管理", "县消防救援大队", Decimal("3"), "YX"),
    ("非物质文化遗产保护与传承", "县文化馆 非遗中心", Decimal("6"), "YX-CC"),
    ("文化志愿服务组织与管理", "县文化馆 志愿服务部", Decimal("4"), "YX-CC"),
    ("基层文化骨干业务能力提升培训班", "省文化馆 培训部", Decimal("16"), "YX"),
    ("少儿阅读推广活动设计", "县图书馆 少儿部", Decimal("4"), "YX-LIB"),
    ("广场舞与群众合唱辅导", "县文化馆 音乐舞蹈部", Decimal("6"), "YX-CC"),
    ("农家书屋出版物补充与剔旧", "县图书馆 采编部", Decimal("4"), "YX-LIB"),
]


RAISE_MONTHS_AGO = 6


def raise_date(today: dt.date) -> dt.date:
    """The first day of the 700-yuan standard in a demo built on this day."""
    return _month(today, RAISE_MONTHS_AGO)


def _month(day: dt.date, back: int) -> dt.date:
    month = day.replace(day=1)
    for _ in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


class _People:
    """Names, identity and bank numbers drawn from one seeded generator: the same on every machine."""

    def __init__(self, ctx: DemoContext) -> None:
        self.rng = ctx.rng("workforce-people")
        self.serial = 0

    def name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2, 2])))
        return self.rng.choice(SURNAMES) + given

    def facts(self, *, born_from: int, born_to: int) -> dict:
        self.serial += 1
        year = self.rng.randint(born_from, born_to)
        gender = self.rng.choice("MF")
        birthday = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
        sequence = self.rng.randint(10, 99) * 10 + (
            self.rng.choice([1, 3, 5, 7, 9]) if gender == "M" else self.rng.choice([0, 2, 4, 6, 8])
        )
        return {
            "name": self.name(),
            "gender": gender,
            "birth_year": year,
            "phone": f"1{self.rng.choice([39, 58, 82, 87, 36, 51])}{self.rng.randint(10_000_000, 99_999_999)}",
            "id_number": rules.id_number_with_check(f"510722{birthday:%Y%m%d}{sequence:03d}"),
            "bank_name": self.rng.choice(
                ["云溪县农村信用合作联社", "中国农业银行云溪支行", "中国邮政储蓄银行云溪支行"]
            ),
            "bank_account": f"6228{self.rng.randint(10**14, 10**15 - 1)}",
        }


def build(ctx: DemoContext) -> None:
    people = _People(ctx)
    rng = ctx.rng("workforce")
    today = ctx.today
    raise_day = raise_date(today)
    county = unit_root()
    if county is None:
        return

    for unit_kind, post in (
        (UnitKind.VILLAGE, Post.FULL_TIME_WORKER),
        (UnitKind.VILLAGE, Post.BOOKSTORE_MANAGER),
        (UnitKind.STATION, Post.STATION_HEAD),
    ):
        services.staffing_rule_set(actor=None, unit_kind=unit_kind, post=post, required=1)
    history_from = dt.date(2016, 1, 1)
    services.standard_add(
        actor=None,
        post=Post.STATION_HEAD,
        unit_kind=UnitKind.STATION,
        monthly_amount=STATION_HEAD_YUAN,
        effective_from=history_from,
        basis=SUBSIDY_BASIS,
    )
    services.standard_add(
        actor=None,
        post=Post.BOOKSTORE_MANAGER,
        unit_kind=UnitKind.VILLAGE,
        monthly_amount=BOOKSTORE_YUAN_BEFORE,
        effective_from=history_from,
        basis=SUBSIDY_BASIS,
    )
    services.standard_add(
        actor=None,
        post=Post.BOOKSTORE_MANAGER,
        unit_kind=UnitKind.VILLAGE,
        monthly_amount=BOOKSTORE_YUAN,
        effective_from=raise_day,
        basis="县文旅局、县财政局关于提高农家书屋管理员补助标准的通知",
    )

    accounts = {u.username: u for u in User.objects.filter(unit__isnull=False)}
    stations = list(Unit.objects.filter(kind=UnitKind.STATION).order_by("code"))
    villages = list(Unit.objects.filter(kind=UnitKind.VILLAGE).order_by("code"))
    ever = dt.date(2017, 3, 1)

    def start_between(first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))

    everyone: list[StaffMember] = []
    heads: list[StaffMember] = []
    for number, station in enumerate(stations, start=1):
        retired = rng.random() < 0.75
        person = services.staff_add(
            actor=None,
            unit=station,
            post=Post.STATION_HEAD,
            employment=EmploymentType.RETIRED if retired else EmploymentType.COUNTY_HIRED,
            start_date=start_between(ever, dt.date(2021, 6, 30)),
            education=rng.choice(["大专", "本科", "中专"]),
            account=accounts.get(f"station{number:02d}"),
            **people.facts(born_from=1958, born_to=1966)
            if retired
            else people.facts(born_from=1975, born_to=1990),
        )
        if rng.random() < 0.6:
            services.qualification_add(
                actor=None,
                person=person,
                kind=Qualification.Kind.TITLE,
                name=rng.choice(["群众文化馆员", "助理馆员", "群众文化助理馆员"]),
                awarded_on=start_between(dt.date(2008, 1, 1), dt.date(2018, 12, 31)),
            )
        heads.append(person)
        # The station's own full-time worker on an established post (no county subsidy).
        everyone.append(
            services.staff_add(
                actor=None,
                unit=station,
                post=Post.FULL_TIME_WORKER,
                employment=EmploymentType.ESTABLISHED,
                start_date=start_between(dt.date(2012, 1, 1), dt.date(2022, 12, 31)),
                education="本科",
                **people.facts(born_from=1980, born_to=1996),
            )
        )
    everyone.extend(heads)

    # Which villages lack a full-time worker: drawn, except the first village (the demo login's).
    gaps = set(rng.sample(range(1, len(villages)), min(VILLAGES_WITHOUT_FULL_TIME, len(villages) - 1)))
    # One bookstore manager handed over mid-month before the raise: the roll prorates that month.
    handover_village = villages[min(4, len(villages) - 1)]
    handover_day = _month(raise_day, 2) + dt.timedelta(days=15)
    managers: list[StaffMember] = []
    for index, village in enumerate(villages):
        station_number = int(village.code.split("-S")[1][:2])
        login = accounts.get(f"village{station_number:02d}{village.code.rsplit('-V', 1)[1]}")
        if village == handover_village:
            before = services.staff_add(
                actor=None,
                unit=village,
                post=Post.BOOKSTORE_MANAGER,
                employment=EmploymentType.CONTRACT,
                start_date=dt.date(2017, 5, 1),
                **people.facts(born_from=1955, born_to=1962),
            )
            services.appointment_end(
                actor=None,
                appointment=before.appointments.get(),
                end_date=handover_day - dt.timedelta(days=1),
            )
            start = handover_day
        else:
            start = start_between(ever, dt.date(2022, 12, 31))
        manager = services.staff_add(
            actor=None,
            unit=village,
            post=Post.BOOKSTORE_MANAGER,
            employment=EmploymentType.CONTRACT,
            start_date=start,
            education=rng.choice(["高中", "中专", "大专", "初中"]),
            account=login,
            **people.facts(born_from=1965, born_to=1995),
        )
        if rng.random() < 0.5:
            services.qualification_add(
                actor=None,
                person=manager,
                kind=Qualification.Kind.CERTIFICATE,
                name="农家书屋管理员培训合格证",
                awarded_on=start_between(start, today - dt.timedelta(days=30)),
            )
        managers.append(manager)
        if index in gaps:
            if rng.random() < 0.5:
                # A worker who left this year and has not been replaced.
                left = services.staff_add(
                    actor=None,
                    unit=village,
                    post=Post.FULL_TIME_WORKER,
                    employment=EmploymentType.COUNTY_HIRED,
                    start_date=start_between(dt.date(2019, 1, 1), dt.date(2021, 12, 31)),
                    **people.facts(born_from=1985, born_to=1998),
                )
                services.appointment_end(
                    actor=None,
                    appointment=left.appointments.get(),
                    end_date=max(raise_day, today - dt.timedelta(days=rng.randint(20, 120))),
                )
            continue
        everyone.append(
            services.staff_add(
                actor=None,
                unit=village,
                post=Post.FULL_TIME_WORKER,
                employment=rng.choice(
                    [EmploymentType.COUNTY_HIRED, EmploymentType.COUNTY_HIRED, EmploymentType.CONTRACT]
                ),
                start_date=start_between(ever, dt.date(2023, 6, 30)),
                education=rng.choice(["大专", "本科", "中专"]),
                **people.facts(born_from=1978, born_to=1998),
            )
        )
    everyone.extend(managers)

    # The county library's reference librarians and a volunteer helper at the first village.
    library = unit_get(code="YX-LIB")
    for _ in range(3):
        services.staff_add(
            actor=None,
            unit=library,
            post=Post.LIBRARIAN,
            employment=EmploymentType.ESTABLISHED,
            start_date=start_between(dt.date(2005, 1, 1), dt.date(2020, 12, 31)),
            education="本科",
            **people.facts(born_from=1970, born_to=1995),
        )
    services.staff_add(
        actor=None,
        unit=villages[0],
        post=Post.OTHER,
        employment=EmploymentType.VOLUNTEER,
        start_date=today - dt.timedelta(days=200),
        **people.facts(born_from=1950, born_to=1958),
    )

    _training(ctx, county=county, heads=heads, managers=managers, everyone=everyone)
    _rolls(today=today)


def _training(ctx: DemoContext, *, county: Unit, heads, managers, everyone) -> None:
    rng = ctx.rng("workforce-training")
    first = ctx.today - dt.timedelta(days=365)
    sessions = sorted(TRAININGS * 2, key=lambda _t: rng.random())[: ctx.scaled(16)]
    for number, (topic, trainer, hours, unit_code) in enumerate(sessions):
        day = first + dt.timedelta(days=int(number * 360 / len(sessions)) + rng.randint(0, 10))
        unit = county if unit_code == "YX" else unit_get(code=unit_code)
        session = services.training_record(
            actor=None,
            unit=unit,
            topic=topic,
            date=day,
            trainer=trainer,
            hours=hours,
            place=rng.choice(["县图书馆报告厅", "县文化馆多功能厅", "县文旅局会议室"]),
        )
        pool = heads + rng.sample(managers, k=min(len(managers), rng.randint(25, 60)))
        if "书屋" not in topic:
            pool += rng.sample(everyone, k=min(len(everyone), 15))
        for person in dict.fromkeys(pool):
            left_early = rng.random() < 0.08 and hours > 2
            services.attendance_record(
                actor=None, session=session, person=person, hours=(hours / 2) if left_early else None
            )


def _rolls(*, today: dt.date) -> None:
    """Approved rolls from a year ago up to two months ago; last month waits for the bureau."""
    for back in range(13, 1, -1):
        roll = services.roll_open(actor=None, month=_month(today, back))
        services.roll_approve(actor=None, roll=roll)
