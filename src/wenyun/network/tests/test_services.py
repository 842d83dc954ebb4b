import datetime as dt

import pytest

from wenyun.core.errors import Conflict, DomainError, Forbidden
from wenyun.network import selectors, services
from wenyun.network.models import Closure, NetworkEvent, OpeningHours, Unit, UnitKind

pytestmark = pytest.mark.django_db


def _snapshot(unit: Unit) -> dict:
    unit.refresh_from_db()
    return {f.name: getattr(unit, f.name) for f in Unit._meta.concrete_fields}


def test_a_station_manager_edits_one_of_his_villages_and_the_change_is_logged(station_manager, unit):
    village = unit("YX-S01-V03")

    services.unit_update(actor=station_manager, unit=village, phone="0839-5201234", population=4321)

    village.refresh_from_db()
    assert (village.phone, village.population) == ("0839-5201234", 4321)
    event = NetworkEvent.objects.filter(unit=village).latest("at")
    assert event.type == NetworkEvent.Type.UNIT_UPDATED
    assert event.actor == station_manager
    assert event.details == {"fields": ["phone", "population"]}


def test_a_station_manager_may_not_edit_another_township(station_manager, unit):
    village = unit("YX-S02-V01")
    before = _snapshot(village)
    events = NetworkEvent.objects.count()

    with pytest.raises(Forbidden) as refused:
        services.unit_update(actor=station_manager, unit=village, phone="110")

    assert refused.value.code == "unit_forbidden"
    assert "东坝村" in refused.value.message
    assert _snapshot(village) == before
    assert NetworkEvent.objects.count() == events


def test_a_village_manager_may_not_change_his_station(village_manager, unit):
    station = unit("YX-S01")
    before = selectors.unit_weekly_schedule(unit=station)

    with pytest.raises(Forbidden):
        services.unit_set_hours(actor=village_manager, unit=station, periods=[])

    assert selectors.unit_weekly_schedule(unit=station) == before
    assert OpeningHours.objects.filter(unit=station).count() == 11


def test_only_a_county_admin_changes_a_grade(station_manager, county_admin, unit):
    station = unit("YX-S01")

    with pytest.raises(Forbidden) as refused:
        services.unit_update(actor=station_manager, unit=station, grade=1)
    assert refused.value.code == "county_admin_only"
    station.refresh_from_db()
    assert station.grade == 0

    services.unit_update(actor=county_admin, unit=station, grade=1)
    station.refresh_from_db()
    assert station.grade == 1


def test_a_county_admin_adds_a_village_under_a_station(county_admin, unit):
    station = unit("YX-S04")

    village = services.unit_create(
        actor=county_admin,
        code="YX-S04-V10",
        name="新村书屋",
        kind=UnitKind.VILLAGE,
        parent=station,
        population=1800,
    )

    assert village.path == f"{station.path}{village.pk}/"
    assert village.depth == station.depth + 1
    assert selectors.unit_township(unit=village) == station


def test_a_village_cannot_hang_under_the_library(county_admin, unit):
    count = Unit.objects.count()

    with pytest.raises(DomainError) as refused:
        services.unit_create(
            actor=county_admin, code="X1", name="错位书屋", kind=UnitKind.VILLAGE, parent=unit("YX-LIB")
        )

    assert refused.value.code == "unit_parent_invalid"
    assert Unit.objects.count() == count


def test_a_unit_code_is_unique(county_admin, unit):
    count = Unit.objects.count()

    with pytest.raises(Conflict) as refused:
        services.unit_create(
            actor=county_admin, code="YX-S01", name="重复", kind=UnitKind.STATION, parent=unit("YX-SX")
        )

    assert refused.value.code == "unit_code_taken"
    assert Unit.objects.count() == count


def test_a_station_managers_create_is_refused(station_manager, unit):
    count = Unit.objects.count()

    with pytest.raises(Forbidden):
        services.unit_create(
            actor=station_manager,
            code="YX-S01-V99",
            name="新村",
            kind=UnitKind.VILLAGE,
            parent=unit("YX-S01"),
        )

    assert Unit.objects.count() == count


def test_moving_a_station_moves_its_villages(county_admin, unit):
    station = unit("YX-S07")
    lowlands = unit("YX-SX")

    services.unit_update(actor=county_admin, unit=station, parent=lowlands)

    station.refresh_from_db()
    assert station.path == f"{lowlands.path}{station.pk}/"
    villages = list(Unit.objects.filter(parent=station))
    assert len(villages) == 7
    assert all(v.path == f"{station.path}{v.pk}/" and v.depth == 3 for v in villages)
    assert set(
        selectors.unit_subtree(unit=lowlands).filter(kind=UnitKind.STATION).values_list("code", flat=True)
    ) == {"YX-S01", "YX-S02", "YX-S03", "YX-S04", "YX-S05", "YX-S06", "YX-S07"}


def test_a_unit_cannot_be_moved_under_its_own_village(county_admin, unit):
    station = unit("YX-S07")
    before = _snapshot(station)

    with pytest.raises(DomainError) as refused:
        services.unit_update(actor=county_admin, unit=station, parent=unit("YX-S07-V01"))

    assert refused.value.code == "unit_parent_invalid"
    assert _snapshot(station) == before


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([(0, dt.time(12), dt.time(9))], "关闭时间必须晚于开放时间"),
        ([(0, dt.time(9), dt.time(12)), (0, dt.time(11), dt.time(14))], "重叠"),
        ([(7, dt.time(9), dt.time(12))], "星期必须是"),
    ],
)
def test_bad_opening_hours_are_refused_and_the_old_week_stays(station_manager, unit, periods, message):
    station = unit("YX-S01")
    before = selectors.unit_weekly_schedule(unit=station)

    with pytest.raises(DomainError) as refused:
        services.unit_set_hours(actor=station_manager, unit=station, periods=periods)

    assert message in refused.value.message
    assert selectors.unit_weekly_schedule(unit=station) == before


def test_a_closure_needs_a_reason_and_an_order(station_manager, unit):
    village = unit("YX-S01-V02")
    count = Closure.objects.count()

    with pytest.raises(DomainError):
        services.closure_add(
            actor=station_manager,
            unit=village,
            first_day=dt.date(2027, 1, 2),
            last_day=dt.date(2027, 1, 1),
            reason="维修",
        )
    with pytest.raises(DomainError):
        services.closure_add(
            actor=station_manager,
            unit=village,
            first_day=dt.date(2027, 1, 1),
            last_day=dt.date(2027, 1, 2),
            reason="  ",
        )

    assert Closure.objects.count() == count
