"""Each metric built from known records, checked for its exact figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from wenyun.core.errors import DomainError, NotFound
from wenyun.network import services as network_services
from wenyun.stats import services
from wenyun.stats.metrics import REGISTRY, metric_catalogue, metric_value, metric_values

LAST_YEAR = timezone.localdate().year - 1
YEAR_START, YEAR_END = dt.date(LAST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)


def value(code, unit, *, sub_units=True, start=YEAR_START, end=YEAR_END):
    return metric_value(code=code, unit=unit, include_sub_units=sub_units, period_start=start, period_end=end)


def test_door_visits_add_up_the_days_of_the_period_over_a_station_and_its_villages(unit):
    station, v1, v2 = unit("YX-S01"), unit("YX-S01-V01"), unit("YX-S01-V02")
    services.door_count_set(actor=None, unit=station, day=dt.date(LAST_YEAR, 3, 1), visits=120)
    services.door_count_set(actor=None, unit=v1, day=dt.date(LAST_YEAR, 3, 1), visits=15)
    services.door_count_set(actor=None, unit=v1, day=dt.date(LAST_YEAR, 3, 2), visits=7)
    services.door_count_set(actor=None, unit=v2, day=dt.date(LAST_YEAR, 12, 31), visits=3)
    services.door_count_set(actor=None, unit=v2, day=dt.date(LAST_YEAR - 1, 12, 31), visits=1000)
    services.door_count_set(actor=None, unit=unit("YX-S02-V01"), day=dt.date(LAST_YEAR, 3, 1), visits=50)

    assert value("visits_door", station) == 145
    assert value("visits_door", station, sub_units=False) == 120
    assert value("visits_door", v1) == 22
    assert value("visits_door", unit("YX")) == 195
    assert value("visits_door", station, start=dt.date(LAST_YEAR, 3, 2), end=dt.date(LAST_YEAR, 3, 2)) == 7


def test_the_bulk_variant_gives_each_unit_the_same_figure_as_one_by_one(unit):
    services.door_count_set(actor=None, unit=unit("YX-S01-V01"), day=dt.date(LAST_YEAR, 5, 1), visits=10)
    services.door_count_set(actor=None, unit=unit("YX-S02"), day=dt.date(LAST_YEAR, 5, 1), visits=4)
    values = metric_values(
        code="visits_door",
        kind="station",
        include_sub_units=True,
        period_start=YEAR_START,
        period_end=YEAR_END,
    )
    assert values["YX-S01"] == 10
    assert values["YX-S02"] == 4
    assert values["YX-S03"] == 0
    assert len(values) == 11
    for code, figure in values.items():
        assert figure == value("visits_door", unit(code))


def test_the_service_population_is_the_units_own_with_or_without_sub_units(unit):
    station = unit("YX-S01")
    assert value("population", station) == station.population
    assert value("population", station, sub_units=False) == station.population
    assert value("population", unit("YX")) == unit("YX").population


def test_building_area_adds_up_the_station_and_its_villages(unit):
    station = unit("YX-S03")
    expected = station.building_area + sum(v.building_area for v in station.children.all())
    assert value("building_area", station) == expected
    assert value("building_area", station, sub_units=False) == station.building_area


def test_units_are_counted_by_kind_over_the_tree(unit):
    county = unit("YX")
    assert value("units_station", county) == 11
    assert value("units_village", county) == 83
    assert value("units_village", unit("YX-S01")) == 9
    assert value("units_library", county) == 1
    assert value("units_cultural_centre", county) == 1
    assert value("units_museum", county) == 1
    assert value("units_village", unit("YX-S01"), sub_units=False) == 0


def test_opening_hours_delivered_follow_the_week_less_the_closures(unit):
    village = unit("YX-S01-V01")
    network_services.unit_set_hours(
        actor=None,
        unit=village,
        periods=[
            (0, dt.time(9), dt.time(12)),
            (0, dt.time(14), dt.time(18)),
            (2, dt.time(9), dt.time(11, 30)),
        ],
    )
    # 2 to 15 June of last year: two Mondays and two Wednesdays, whatever the year (shifted to a Monday).
    monday = dt.date(LAST_YEAR, 6, 1) + dt.timedelta(days=(7 - dt.date(LAST_YEAR, 6, 1).weekday()) % 7)
    two_weeks = (monday, monday + dt.timedelta(days=13))
    assert value("opening_hours_delivered", village, start=two_weeks[0], end=two_weeks[1]) == 19.0
    network_services.closure_add(actor=None, unit=village, first_day=monday, last_day=monday, reason="停电")
    assert value("opening_hours_delivered", village, start=two_weeks[0], end=two_weeks[1]) == 12.0
    assert value("weekly_opening_hours", village) == 9.5


def test_opening_hours_after_today_are_not_delivered_yet(unit):
    village = unit("YX-S01-V01")
    today = timezone.localdate()
    assert (
        value(
            "opening_hours_delivered",
            village,
            start=today + dt.timedelta(days=1),
            end=today + dt.timedelta(days=30),
        )
        == 0
    )


def test_spending_adds_up_whole_years_and_seats_take_the_latest_year(unit):
    library = unit("YX-LIB")
    services.manual_figure_set(
        actor=None, unit=library, code="acquisition_spending", year=LAST_YEAR, value="120000.50"
    )
    services.manual_figure_set(
        actor=None, unit=library, code="acquisition_spending", year=LAST_YEAR - 1, value="90000"
    )
    services.manual_figure_set(
        actor=None, unit=library, code="reading_seats", year=LAST_YEAR - 1, value="300"
    )
    services.manual_figure_set(
        actor=None, unit=unit("YX-S01"), code="reading_seats", year=LAST_YEAR, value="40"
    )

    assert value("acquisition_spending", library) == Decimal("120000.50")
    assert value("acquisition_spending", library, start=dt.date(LAST_YEAR - 1, 1, 1)) == Decimal("210000.50")
    # Half a year holds no whole year of spending.
    assert value("acquisition_spending", library, end=dt.date(LAST_YEAR, 6, 30)) == 0
    assert value("reading_seats", library) == 300  # last year has none entered: the year before stands
    assert value("reading_seats", unit("YX")) == 340
    assert (
        value(
            "reading_seats",
            unit("YX"),
            start=dt.date(LAST_YEAR - 1, 1, 1),
            end=dt.date(LAST_YEAR - 1, 12, 31),
        )
        == 300
    )


def test_an_unknown_metric_and_a_backwards_period_are_refused(unit):
    with pytest.raises(NotFound) as caught:
        value("books_eaten", unit("YX"))
    assert caught.value.code == "metric_not_found"
    with pytest.raises(DomainError) as caught:
        value("visits_door", unit("YX"), start=YEAR_END, end=YEAR_START)
    assert caught.value.code == "stats_period_invalid"


def test_every_metric_is_documented_in_both_languages():
    catalogue = metric_catalogue()
    assert len(catalogue) == len(REGISTRY)
    for row in catalogue:
        assert row["name_zh"] and row["name_en"] and row["definition_en"] and row["definition_zh"]
        assert row["over_units"] in {"sum", "own", "distinct"}
        assert row["over_time"] in {"sum", "end", "ratio"}
    door = next(row for row in catalogue if row["code"] == "visits_door")
    assert door["name_en"] == "Visits counted at the door"
    assert door["name_zh"] == "门禁计数到馆人次"


def test_inside_the_metric_cache_every_figure_is_the_one_computed_without_it(unit):
    from wenyun.stats.metrics import metric_cache

    services.door_count_set(actor=None, unit=unit("YX-S01-V01"), day=dt.date(LAST_YEAR, 5, 1), visits=10)
    services.door_count_set(actor=None, unit=unit("YX-S01"), day=dt.date(LAST_YEAR, 5, 1), visits=4)
    services.door_count_set(actor=None, unit=unit("YX-S02-V03"), day=dt.date(LAST_YEAR, 5, 1), visits=6)
    asked = [("YX", True), ("YX-S01", True), ("YX-S01", False), ("YX-S01-V01", True), ("YX-S02", True)]
    plain = [value("visits_door", unit(code), sub_units=subs) for code, subs in asked]
    with metric_cache(scope=unit("YX-S01")):
        cached = [value("visits_door", unit(code), sub_units=subs) for code, subs in asked]
    assert plain == cached == [20, 14, 4, 10, 6]
