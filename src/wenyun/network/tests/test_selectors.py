import datetime as dt

import pytest
from django.utils import timezone

from wenyun.network import selectors, services
from wenyun.network.models import UnitKind

pytestmark = pytest.mark.django_db


def test_the_demo_county_has_the_shape_of_the_report(county):
    counts = selectors.unit_counts_by_kind()

    assert counts == {
        UnitKind.COUNTY: 1,
        UnitKind.DISTRICT: 2,
        UnitKind.LIBRARY: 1,
        UnitKind.CULTURAL_CENTRE: 1,
        UnitKind.MUSEUM: 1,
        UnitKind.ART_CENTRE: 1,
        UnitKind.STATION: 11,
        UnitKind.VILLAGE: 83,
    }
    assert selectors.unit_get(code="YX-LIB").grade == 3
    assert selectors.unit_get(code="YX-CC").grade == 2
    assert 200_000 <= county.population <= 600_000


def test_a_subtree_is_the_station_and_its_villages(unit):
    station = unit("YX-S01")

    codes = set(selectors.unit_subtree(unit=station).values_list("code", flat=True))

    assert station.code in codes
    assert len(codes) == 1 + station.children.count() == 10
    assert all(code == "YX-S01" or code.startswith("YX-S01-V") for code in codes)


def test_township_of_a_village_is_its_station(unit):
    assert selectors.unit_township(unit=unit("YX-S03-V02")) == unit("YX-S03")
    assert selectors.unit_township(unit=unit("YX-S03")) == unit("YX-S03")
    assert selectors.unit_township(unit=unit("YX-LIB")) is None


def test_the_library_opens_57_hours_a_week_and_is_closed_on_mondays(unit):
    library = unit("YX-LIB")
    monday = dt.date(2026, 11, 23)

    assert selectors.unit_weekly_hours(unit=library) == 57.0
    assert not selectors.unit_is_open(unit=library, at=timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0)))
    assert selectors.unit_is_open(unit=library, at=timezone.make_aware(dt.datetime(2026, 11, 24, 10, 0)))
    assert not selectors.unit_is_open(unit=library, at=timezone.make_aware(dt.datetime(2026, 11, 24, 18, 0)))
    assert selectors.unit_next_open_day(
        unit=library, after=monday - dt.timedelta(days=1)
    ) == monday + dt.timedelta(days=1)


def test_a_county_closure_closes_every_unit_under_it(unit, county):
    village = unit("YX-S05-V03")
    services.closure_add(
        actor=None, unit=county, first_day=dt.date(2031, 5, 1), last_day=dt.date(2031, 5, 5), reason="劳动节"
    )
    services.unit_set_hours(
        actor=None, unit=village, periods=[(day, dt.time(9), dt.time(17)) for day in range(7)]
    )

    assert not selectors.unit_is_open(unit=village, at=timezone.make_aware(dt.datetime(2031, 5, 3, 10, 0)))
    assert selectors.unit_next_open_day(unit=village, after=dt.date(2031, 4, 30)) == dt.date(2031, 5, 6)


def test_a_unit_with_no_hours_has_no_next_open_day(unit):
    village = unit("YX-S05-V03")
    services.unit_set_hours(actor=None, unit=village, periods=[])

    assert selectors.unit_next_open_day(unit=village, after=dt.date(2026, 1, 1)) is None
