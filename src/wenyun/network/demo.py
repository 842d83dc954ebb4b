"""The demo county's network, shaped like the county in the seed report.

One county library (national grade 3) and one cultural centre (grade 2) as hubs, a museum and an
art centre, 11 township cultural stations as branches and 83 village or community centres with
their rural bookstores as service points, split between the report's uplands and lowlands (山上/山下).
"""

from __future__ import annotations

import datetime as dt

from pypinyin import lazy_pinyin

from wenyun.core.demo import DEMO_PASSWORD, DemoContext
from wenyun.core.models import Role, User

from . import services
from .models import UnitKind

COUNTY = ("YX", "云溪县", "Yunxi County")

# (code, name, district, villages): 83 villages in all, as in the report.
TOWNSHIPS = [
    (
        "S01",
        "城关镇",
        "SX",
        [
            "城东社区",
            "城西社区",
            "城南社区",
            "城北社区",
            "河滨社区",
            "新华村",
            "柳树湾村",
            "桃园村",
            "东关村",
        ],
    ),
    (
        "S02",
        "东坝镇",
        "SX",
        ["东坝村", "杨柳村", "沙坪村", "黄桷村", "双河村", "石桥村", "李家湾村", "新民村"],
    ),
    (
        "S03",
        "河口镇",
        "SX",
        ["河口社区", "渡口村", "龙滩村", "荷花村", "马家坝村", "白鹤村", "水井村", "长岭村"],
    ),
    (
        "S04",
        "龙泉镇",
        "SX",
        ["龙泉村", "清水村", "金竹村", "向阳村", "红光村", "凤凰村", "三合村", "永兴村", "团结村"],
    ),
    ("S05", "石门乡", "SX", ["石门村", "大田村", "关口村", "新店村", "高坪村", "中坝村", "回龙村"]),
    ("S06", "青山乡", "SX", ["青山村", "茶园村", "松柏村", "王家沟村", "柏树村", "兴隆村", "太平村"]),
    ("S07", "云雾乡", "SS", ["云雾村", "雾峰村", "天池村", "竹林村", "梨花村", "银杏村", "岩口村"]),
    ("S08", "高桥乡", "SS", ["高桥村", "花桥村", "黄泥村", "大坪村", "小河村", "瓦房村", "岔路村"]),
    ("S09", "白岩乡", "SS", ["白岩村", "金山村", "鹰嘴村", "坪上村", "杉木村", "马鞍村", "牛角村"]),
    ("S10", "松林乡", "SS", ["松林村", "桂花村", "水口村", "庙坝村", "核桃村", "观音村", "龙井村"]),
    ("S11", "岭头乡", "SS", ["岭头村", "草坪村", "石板村", "红岩村", "寨子村", "凉风村", "新田村"]),
]

DISTRICTS = {"SX": ("山下片区", "Lowlands district"), "SS": ("山上片区", "Uplands district")}

INSTITUTIONS = [
    # code, name, English name, kind, area m², grade, address
    ("LIB", "云溪县图书馆", "Yunxi County Library", UnitKind.LIBRARY, 4200, 3, "云溪县城关镇文化路18号"),
    (
        "CC",
        "云溪县文化馆",
        "Yunxi County Cultural Centre",
        UnitKind.CULTURAL_CENTRE,
        2300,
        2,
        "云溪县城关镇文化路20号",
    ),
    ("MUS", "云溪县博物馆", "Yunxi County Museum", UnitKind.MUSEUM, 3100, 0, "云溪县城关镇文庙街3号"),
    (
        "ART",
        "云溪县艺术中心",
        "Yunxi County Art Centre",
        UnitKind.ART_CENTRE,
        1800,
        0,
        "云溪县城关镇滨江路66号",
    ),
]

SPRING_FESTIVALS = [
    (dt.date(2025, 1, 28), dt.date(2025, 1, 31)),
    (dt.date(2026, 2, 16), dt.date(2026, 2, 19)),
    (dt.date(2027, 2, 5), dt.date(2027, 2, 8)),
]


def pinyin_title(name: str) -> str:
    return "".join(lazy_pinyin(name)).capitalize()


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _week(days: range | list[int], *periods: tuple[str, str]) -> list[tuple[int, dt.time, dt.time]]:
    return [(day, _t(opens), _t(closes)) for day in days for opens, closes in periods]


def build(ctx: DemoContext) -> None:
    rng = ctx.rng("network")
    county = services.unit_create(
        actor=None,
        code=COUNTY[0],
        name=COUNTY[1],
        name_en=COUNTY[2],
        kind=UnitKind.COUNTY,
        parent=None,
        address="云溪县城关镇人民路1号",
    )
    districts = {
        key: services.unit_create(
            actor=None, code=f"YX-{key}", name=name, name_en=name_en, kind=UnitKind.DISTRICT, parent=county
        )
        for key, (name, name_en) in DISTRICTS.items()
    }
    institutions = {}
    for code, name, name_en, kind, area, grade, address in INSTITUTIONS:
        unit = services.unit_create(
            actor=None,
            code=f"YX-{code}",
            name=name,
            name_en=name_en,
            kind=kind,
            parent=county,
            building_area=area,
            grade=grade,
            address=address,
            phone=f"0839-{rng.randint(5200000, 5299999)}",
            digital_service=True,
            wifi=True,
        )
        institutions[code] = unit
    # Library: Tuesday to Sunday, 57 hours; cultural centre with evenings; museum and art centre by day.
    services.unit_set_hours(
        actor=None, unit=institutions["LIB"], periods=_week(range(1, 7), ("08:30", "18:00"))
    )
    services.unit_set_hours(
        actor=None,
        unit=institutions["CC"],
        periods=_week(range(1, 7), ("09:00", "12:00"), ("14:00", "21:00")),
    )
    services.unit_set_hours(
        actor=None, unit=institutions["MUS"], periods=_week(range(1, 7), ("09:00", "17:00"))
    )
    services.unit_set_hours(
        actor=None, unit=institutions["ART"], periods=_week(range(1, 7), ("09:00", "17:30"))
    )

    county_population = 0
    stations = []
    for index, (code, name, district, villages) in enumerate(TOWNSHIPS):
        township_population = 0
        station = services.unit_create(
            actor=None,
            code=f"YX-{code}",
            name=f"{name}综合文化站",
            name_en=f"{pinyin_title(name[:-1])} {'Town' if name.endswith('镇') else 'Township'} Cultural Station",
            kind=UnitKind.STATION,
            parent=districts[district],
            building_area=rng.choice([260, 300, 320, 350, 420, 480, 560]) if index else 860,
            address=f"云溪县{name}{rng.choice(['文化街', '人民路', '中心街', '政府路'])}{rng.randint(1, 60)}号",
            digital_service=True,
            wifi=True,
        )
        if district == "SX" or rng.random() < 0.4:
            hours = _week(range(0, 5), ("08:30", "12:00"), ("14:00", "18:00")) + _week(
                [5], ("09:00", "12:00")
            )
        else:
            hours = _week(range(0, 5), ("08:30", "12:00"), ("14:30", "17:30")) + _week(
                [5], ("09:00", "12:00")
            )
        services.unit_set_hours(actor=None, unit=station, periods=hours)
        for v_index, village_name in enumerate(villages, start=1):
            population = rng.randint(3500, 9000) if village_name.endswith("社区") else rng.randint(1200, 4200)
            if district == "SS":
                population = int(population * 0.7)
            township_population += population
            village = services.unit_create(
                actor=None,
                code=f"YX-{code}-V{v_index:02d}",
                name=f"{village_name}{'文化活动中心' if village_name.endswith('社区') else '综合文化服务中心'}",
                name_en=f"{pinyin_title(village_name[:-2] if village_name.endswith('社区') else village_name[:-1])} "
                f"{'Community' if village_name.endswith('社区') else 'Village'} Cultural Centre",
                kind=UnitKind.VILLAGE,
                parent=station,
                population=population,
                building_area=rng.choice([60, 80, 90, 120, 150, 200, 260]),
                address=f"云溪县{name}{village_name}",
                digital_service=rng.random() < 0.9,
                wifi=rng.random() < 0.95,
            )
            # Most open five days a week around farm work; a few keep shorter hours (a ledger gap).
            if rng.random() < 0.85:
                village_hours = (
                    _week(range(0, 5), ("09:00", "12:00"), ("14:00", "18:00"))
                    if rng.random() < 0.5
                    else _week([0, 1, 2, 4, 5], ("08:30", "11:30"), ("14:30", "18:30"))
                )
            else:
                village_hours = _week([1, 3, 5], ("09:00", "12:00"), ("14:00", "17:00"))
            services.unit_set_hours(actor=None, unit=village, periods=village_hours)
        # The township seat's own residents beyond its villages' registers.
        township_population += rng.randint(4000, 9000) if index else 52000
        services.unit_update(actor=None, unit=station, population=township_population)
        county_population += township_population
        stations.append(station)
    services.unit_update(actor=None, unit=county, population=county_population)
    for unit in institutions.values():
        services.unit_update(actor=None, unit=unit, population=county_population)
    for district_unit in districts.values():
        services.unit_update(
            actor=None,
            unit=district_unit,
            population=sum(s.population for s in stations if s.parent_id == district_unit.pk),
        )
    for first, last in SPRING_FESTIVALS:
        services.closure_add(actor=None, unit=county, first_day=first, last_day=last, reason="春节假期")
    services.closure_add(
        actor=None,
        unit=stations[8],
        first_day=ctx.today + dt.timedelta(days=20),
        last_day=ctx.today + dt.timedelta(days=26),
        reason="文化站屋顶维修",
    )

    _demo_accounts(ctx, county=county, institutions=institutions, stations=stations)


def _demo_accounts(ctx: DemoContext, *, county, institutions, stations) -> None:
    # One hash for every demo account: hashing a password costs a quarter of a second.
    template = User(username="template")
    template.set_password(DEMO_PASSWORD)
    users = [
        User(
            username="admin",
            display_name="县文旅局管理员",
            role=Role.COUNTY_ADMIN,
            unit=county,
            is_superuser=True,
            is_staff=True,
        ),
        User(
            username="library",
            display_name="县图书馆流通台",
            role=Role.INSTITUTION_STAFF,
            unit=institutions["LIB"],
        ),
        User(
            username="culture",
            display_name="县文化馆业务部",
            role=Role.INSTITUTION_STAFF,
            unit=institutions["CC"],
        ),
        User(
            username="museum", display_name="县博物馆", role=Role.INSTITUTION_STAFF, unit=institutions["MUS"]
        ),
    ]
    for number, station in enumerate(stations, start=1):
        users.append(
            User(
                username=f"station{number:02d}",
                display_name=f"{station.name}管理员",
                role=Role.STATION_MANAGER,
                unit=station,
            )
        )
        for village in station.children.order_by("code"):
            suffix = village.code.rsplit("-V", 1)[1]
            users.append(
                User(
                    username=f"village{number:02d}{suffix}",
                    display_name=f"{village.name[:6]}书屋管理员",
                    role=Role.VILLAGE_MANAGER,
                    unit=village,
                )
            )
    for user in users:
        user.password = template.password
    User.objects.bulk_create(users)
    ctx.login("admin", "county_admin", county.name)
    ctx.login("library", "institution_staff", institutions["LIB"].name)
    ctx.login("station01", "station_manager", stations[0].name)
    first_village = stations[0].children.order_by("code").first()
    ctx.login("village0101", "village_manager", first_village.name if first_village else "")
