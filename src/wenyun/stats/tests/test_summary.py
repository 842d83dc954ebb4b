"""The daily summary of the circulation event log gives exactly the figures the raw events give.

Each test writes known events straight into the log, reads the figures (which brings the summary up to
date first) and compares them with the same figures counted from the raw events here, in Python.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from wenyun.circulation.models import CirculationEvent, Reader, ReaderCategory
from wenyun.stats import summary
from wenyun.stats.metrics import metric_series, metric_value
from wenyun.stats.models import BorrowerMonth, CirculationDay, CirculationMonth, SummaryMark
from wenyun.stats.periods import Period

YEAR = timezone.localdate().year - 1
_serial = itertools.count(1)
UNITS = ("YX-LIB", "YX-S01", "YX-S01-V01", "YX-S01-V02", "YX-S02")


def local(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(YEAR, month, day, hour, minute))


@pytest.fixture
def reader(unit):
    category, _ = ReaderCategory.objects.get_or_create(code="adult", defaults={"name": "成人"})

    def make() -> Reader:
        return Reader.objects.create(
            card=f"S{next(_serial):07d}", name="读者", category=category, home_unit=unit("YX-LIB")
        )

    return make


def event(type: str, unit, when: dt.datetime, reader=None) -> CirculationEvent:
    return CirculationEvent.objects.create(type=type, unit=unit, at=when, reader=reader)


def raw_events(type: str, units, period: Period) -> int:
    return CirculationEvent.objects.filter(
        type=type, unit__in=units, at__gte=period.first_moment, at__lt=period.after_moment
    ).count()


def raw_borrowers(units, period: Period) -> int:
    return (
        CirculationEvent.objects.filter(
            type="checkout", unit__in=units, at__gte=period.first_moment, at__lt=period.after_moment
        )
        .exclude(reader=None)
        .values("reader")
        .distinct()
        .count()
    )


def raw_reader_days(units, period: Period) -> dict[tuple[int, dt.date], int]:
    seen = set()
    for unit_id, reader_id, at in CirculationEvent.objects.filter(
        type="checkout", unit__in=units, at__gte=period.first_moment, at__lt=period.after_moment
    ).values_list("unit_id", "reader_id", "at"):
        if reader_id is not None:
            seen.add((unit_id, reader_id, timezone.localtime(at).date()))
    counts: dict[tuple[int, dt.date], int] = defaultdict(int)
    for unit_id, _reader, day in seen:
        counts[(unit_id, day)] += 1
    return dict(counts)


def subtree(unit_obj):
    from wenyun.network.models import Unit

    return list(Unit.objects.filter(path__startswith=unit_obj.path))


PERIODS = [
    Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
    Period(dt.date(YEAR, 3, 15), dt.date(YEAR, 3, 15)),  # one day
    Period(dt.date(YEAR, 3, 16), dt.date(YEAR, 4, 2)),  # across a month's end, both ends mid-month
    Period(dt.date(YEAR, 2, 10), dt.date(YEAR, 11, 20)),
    Period(dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 30)),  # one whole month
]


@pytest.fixture
def history(unit, reader):
    """Checkouts, returns and renewals around the Shanghai midnight and month ends, at a library, a station
    and two of its villages; a reader borrowing at two villages and twice on one day."""
    ann, bo, cai = reader(), reader(), reader()
    lib, station, v1, v2 = unit("YX-LIB"), unit("YX-S01"), unit("YX-S01-V01"), unit("YX-S01-V02")
    event("checkout", v1, local(3, 15, 23, 59), ann)  # the 15th in Shanghai, 15:59 UTC
    event("checkout", v1, local(3, 16, 0, 1), ann)  # the 16th in Shanghai, still the 15th in UTC
    event("checkout", v1, local(3, 16, 9), ann)  # the same reader, unit and day again
    event("checkout", v2, local(3, 16, 9), ann)  # a second village of the same station
    event("checkout", station, local(3, 31, 23, 30), bo)
    event("checkout", station, local(4, 1, 0, 30), bo)
    event("checkout", lib, local(1, 1, 0, 0), cai)  # the year's first moment
    event("checkout", lib, local(12, 31, 23, 59), cai)  # its last minute
    event("checkout", lib, timezone.make_aware(dt.datetime(YEAR + 1, 1, 1, 0, 0)), cai)  # the next year
    event("checkout", lib, local(6, 1), None)  # no reader recorded
    event("checkin", v1, local(3, 16, 0, 5), ann)
    event("renew", station, local(11, 20, 23, 0), bo)
    event("hold_placed", lib, local(2, 10), cai)
    return {"readers": (ann, bo, cai)}


def assert_summary_equals_raw(unit):
    for period in PERIODS:
        for code in UNITS:
            here = unit(code)
            for units, sub in ((subtree(here), True), ([here], False)):
                for metric, type in (("loans", "checkout"), ("returns", "checkin"), ("renewals", "renew")):
                    got = metric_value(
                        code=metric,
                        unit=here,
                        include_sub_units=sub,
                        period_start=period.start,
                        period_end=period.end,
                    )
                    assert got == raw_events(type, units, period), (metric, code, sub, period)
                got = metric_value(
                    code="borrowers",
                    unit=here,
                    include_sub_units=sub,
                    period_start=period.start,
                    period_end=period.end,
                )
                assert got == raw_borrowers(units, period), ("borrowers", code, sub, period)
                assert summary.per_day(
                    "readers", "checkout", [u.pk for u in units], period
                ) == raw_reader_days(units, period), ("reader days", code, sub, period)


def test_every_circulation_figure_from_the_summary_equals_the_raw_events(unit, history):
    assert_summary_equals_raw(unit)


def test_the_figures_of_known_events_are_exact(unit, history):
    station, v1 = unit("YX-S01"), unit("YX-S01-V01")
    march_16 = Period(dt.date(YEAR, 3, 16), dt.date(YEAR, 3, 16))
    # The minute after the Shanghai midnight is the 16th: three checkouts at the village that day.
    assert summary.per_unit_events("checkout", [v1.pk], march_16) == {v1.pk: 2}
    assert summary.per_day(
        "readers", "checkout", [v1.pk], Period(dt.date(YEAR, 3, 15), dt.date(YEAR, 3, 16))
    ) == {
        (v1.pk, dt.date(YEAR, 3, 15)): 1,
        (v1.pk, dt.date(YEAR, 3, 16)): 1,
    }
    # The reader who borrowed at two villages is one borrower of the station; bo borrowed at the station.
    assert (
        metric_value(
            code="borrowers",
            unit=station,
            include_sub_units=True,
            period_start=dt.date(YEAR, 1, 1),
            period_end=dt.date(YEAR, 12, 31),
        )
        == 2
    )
    # visits the system sees on the 16th: ann at V01 and ann at V02, once each.
    assert (
        metric_value(
            code="visits_system",
            unit=station,
            include_sub_units=True,
            period_start=march_16.start,
            period_end=march_16.end,
        )
        == 2
    )


def test_events_written_after_the_summary_was_built_are_added_once(unit, history):
    ann, bo, _cai = history["readers"]
    v1, lib = unit("YX-S01-V01"), unit("YX-LIB")
    assert_summary_equals_raw(unit)
    mark = SummaryMark.objects.get(name=summary.MARK).last_event_id
    assert mark == CirculationEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    # ann again at V01 on a day she already borrowed there (no new visit); bo new at V01 on that day.
    event("checkout", v1, local(3, 16, 15), ann)
    event("checkout", v1, local(3, 16, 16), bo)
    event("checkout", lib, local(8, 8), bo)
    event("checkin", lib, local(8, 9), bo)
    assert_summary_equals_raw(unit)
    assert summary.per_day(
        "readers", "checkout", [v1.pk], Period(dt.date(YEAR, 3, 16), dt.date(YEAR, 3, 16))
    ) == {(v1.pk, dt.date(YEAR, 3, 16)): 2}
    # Reading again adds nothing twice.
    assert_summary_equals_raw(unit)
    assert (
        SummaryMark.objects.get(name=summary.MARK).last_event_id == CirculationEvent.objects.latest("pk").pk
    )


def test_the_monthly_series_of_loans_equals_the_raw_events_month_by_month(unit, history):
    station = unit("YX-S01")
    months = [
        Period(dt.date(YEAR, m, 1), dt.date(YEAR, m + 1, 1) - dt.timedelta(days=1)) for m in range(1, 12)
    ]
    series = metric_series(code="loans", unit=station, include_sub_units=True, periods=months)
    assert series == [raw_events("checkout", subtree(station), month) for month in months]
    # March: three at V01, one at V02, one at the station at 23:30 on the 31st; April: its 00:30 on the 1st.
    assert series[2] == 5 and series[3] == 1


def test_a_catch_up_in_small_transactions_builds_the_same_summary_as_a_rebuild(unit, history):
    summary.circulation_summary_current()

    def tables():
        return (
            sorted(CirculationDay.objects.values_list("unit_id", "type", "day", "events", "readers")),
            sorted(CirculationMonth.objects.values_list("unit_id", "type", "month", "events", "readers")),
            sorted(BorrowerMonth.objects.values_list("unit_id", "month", "reader_id", "days")),
        )

    whole = tables()
    assert all(whole)
    summary.circulation_summary_rebuild(chunk=2)  # two event ids at a time
    assert tables() == whole
    # Each month's sums are its days' sums.
    by_month: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, type, day, events, readers in whole[0]:
        sums = by_month[(unit_id, type, day.replace(day=1))]
        sums[0] += events
        sums[1] += readers
    assert sorted((*key, *sums) for key, sums in by_month.items()) == whole[1]


def test_the_rebuild_command_repairs_a_damaged_summary(unit, history, capsys):
    summary.circulation_summary_current()
    v1 = unit("YX-S01-V01")
    CirculationDay.objects.filter(unit_id=v1.pk).update(events=999)
    call_command("stats_rebuild")
    assert "event ids read" in capsys.readouterr().out
    assert_summary_equals_raw(unit)


def test_a_borrower_is_counted_on_exactly_the_days_of_the_period(unit, reader):
    lib = unit("YX-LIB")
    someone = reader()
    event("checkout", lib, local(5, 31, 23, 59), someone)
    event("checkout", lib, local(7, 1, 0, 0), someone)
    june = Period(dt.date(YEAR, 6, 1), dt.date(YEAR, 6, 30))
    assert summary.over_borrowers([lib.pk], june) == 0
    assert summary.over_borrowers([lib.pk], Period(dt.date(YEAR, 5, 31), dt.date(YEAR, 5, 31))) == 1
    assert summary.over_borrowers([lib.pk], Period(dt.date(YEAR, 6, 30), dt.date(YEAR, 7, 1))) == 1
    assert summary.over_borrowers([lib.pk], Period(dt.date(YEAR, 5, 1), dt.date(YEAR, 7, 31))) == 1


def raw_top_titles(units, period: Period) -> list[tuple[int, int]]:
    counts: dict[int, int] = defaultdict(int)
    for record_id in CirculationEvent.objects.filter(
        type="checkout", unit__in=units, at__gte=period.first_moment, at__lt=period.after_moment
    ).values_list("item__record_id", flat=True):
        if record_id is not None:
            counts[record_id] += 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


@pytest.fixture
def loans_of_titles(unit, reader):
    """Copies of four titles borrowed at a village, its station and the library, some at the month ends."""
    from wenyun.catalog.models import Item, ItemType, Record

    item_type, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "book"})
    records = [Record.objects.create(title=f"书{n}") for n in range(4)]

    def copy(record, at_unit):
        return Item.objects.create(
            barcode=f"ST{next(_serial):07d}",
            record=record,
            home_unit=at_unit,
            current_unit=at_unit,
            item_type=item_type,
        )

    v1, station, lib = unit("YX-S01-V01"), unit("YX-S01"), unit("YX-LIB")
    someone = reader()
    a, b, c, d = (copy(r, v1) for r in records)
    for item, unit_obj, when in (
        (a, v1, local(3, 31, 23, 59)),
        (a, v1, local(4, 1, 0, 1)),
        (a, station, local(4, 20)),
        (b, v1, local(4, 2)),
        (b, v1, local(4, 30, 23)),
        (b, lib, local(4, 10)),
        (c, lib, local(4, 11)),
        (c, lib, local(4, 12)),
        (c, lib, local(4, 13)),
        (d, v1, local(5, 1, 0, 0)),
    ):
        CirculationEvent.objects.create(type="checkout", unit=unit_obj, at=when, item=item, reader=someone)
    return records


TITLE_PERIODS = [
    Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
    Period(dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 30)),
    Period(dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 15)),  # April cut, with checkouts after the 15th
    Period(dt.date(YEAR, 3, 31), dt.date(YEAR, 4, 1)),  # two cut months
    Period(dt.date(YEAR, 4, 5), dt.date(YEAR, 5, 20)),
]


def assert_top_titles_equal_raw(unit):
    for code in ("YX", "YX-LIB", "YX-S01", "YX-S01-V01", "YX-S02"):
        here = unit(code)
        ids = [u.pk for u in subtree(here)]
        for period in TITLE_PERIODS:
            got = summary.top_titles(unit_id=here.pk, unit_ids=ids, period=period, limit=10)
            assert got == raw_top_titles(subtree(here), period)[:10], (code, period)


def test_the_titles_borrowed_most_from_the_summary_equal_the_raw_events(unit, loans_of_titles):
    assert_top_titles_equal_raw(unit)
    first, second, third, _fourth = loans_of_titles
    station = unit("YX-S01")
    april = Period(dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 30))
    ids = [u.pk for u in subtree(station)]
    # Under the station in April: the first title twice (V01 on the 1st, the station), the second twice.
    assert summary.top_titles(unit_id=station.pk, unit_ids=ids, period=april, limit=10) == [
        (first.pk, 2),
        (second.pk, 2),
    ]
    county = unit("YX")
    everyone = [u.pk for u in subtree(county)]
    assert summary.top_titles(unit_id=county.pk, unit_ids=everyone, period=april, limit=1) == [(second.pk, 3)]
    assert third.pk in dict(summary.top_titles(unit_id=county.pk, unit_ids=everyone, period=april, limit=3))


def test_titles_added_later_and_a_village_moved_to_another_station_still_equal_the_raw_events(
    unit, loans_of_titles, history
):
    from wenyun.catalog.models import Item
    from wenyun.network.models import Unit

    assert_top_titles_equal_raw(unit)
    v1 = unit("YX-S01-V01")
    item = Item.objects.filter(record=loans_of_titles[0]).first()
    CirculationEvent.objects.create(type="checkout", unit=v1, at=local(4, 3), item=item)
    assert_top_titles_equal_raw(unit)
    # The village now hangs under the second station: its loans count there, not under the first.
    other = unit("YX-S02")
    Unit.objects.filter(pk=v1.pk).update(parent=other, path=f"{other.path}{v1.pk}/")
    assert_top_titles_equal_raw(unit)
    assert_summary_equals_raw(unit)  # the borrowers of a year, rolled up the tree, too
    year = Period.year(YEAR)
    assert summary.over_borrowers([u.pk for u in subtree(unit("YX-S02"))], year) == raw_borrowers(
        subtree(unit("YX-S02")), year
    )


def test_visits_added_up_by_the_database_equal_the_unit_and_day_figures_with_door_counts(unit, history):
    from wenyun.stats import sources
    from wenyun.stats.models import DoorCount

    v1, station = unit("YX-S01-V01"), unit("YX-S01")
    # The door counter at V01 on the 16th of March stands for that day (ann was seen there twice).
    DoorCount.objects.create(unit=v1, day=dt.date(YEAR, 3, 16), visits=40, entered_at=timezone.now())
    DoorCount.objects.create(unit=station, day=dt.date(YEAR, 7, 1), visits=0, entered_at=timezone.now())
    ids = [u.pk for u in subtree(unit("YX"))]
    for period in PERIODS:
        for by_unit_day, per_unit, by_day in (
            (sources.total_visits_by_unit_day, sources.per_unit_total_visits, sources.total_visits_by_day),
            (sources.system_visits_by_unit_day, sources.per_unit_system_visits, sources.system_visits_by_day),
        ):
            expected_units: dict[int, int] = defaultdict(int)
            expected_days: dict[dt.date, int] = defaultdict(int)
            for (unit_id, day), n in by_unit_day(ids, period).items():
                expected_units[unit_id] += n
                expected_days[day] += n
            assert per_unit(ids, period) == dict(expected_units), (by_unit_day.__name__, period)
            assert by_day(ids, period) == dict(expected_days), (by_unit_day.__name__, period)
    march = Period(dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31))
    # V01: the door's 40 on the 16th, ann on the 15th; V02: ann on the 16th; the station: bo on the 31st.
    assert sources.per_unit_total_visits(ids, march) == {v1.pk: 41, unit("YX-S01-V02").pk: 1, station.pk: 1}
    assert sources.total_visits_by_day(ids, march) == {
        dt.date(YEAR, 3, 15): 1,
        dt.date(YEAR, 3, 16): 41,
        dt.date(YEAR, 3, 31): 1,
    }


def test_visits_read_once_for_a_pages_span_equal_each_period_read_alone(unit, history):
    """A dashboard reads the days with a door count and the activity and museum visits once for its
    twelve months; each shorter period cut from them must give the figures read for it alone."""
    from wenyun.programs.models import Activity, Attendance, Registration, Session
    from wenyun.stats import sources
    from wenyun.stats.metrics import metric_cache
    from wenyun.stats.models import DoorCount

    v1, station = unit("YX-S01-V01"), unit("YX-S01")
    DoorCount.objects.create(unit=v1, day=dt.date(YEAR, 3, 16), visits=40, entered_at=timezone.now())
    DoorCount.objects.create(unit=station, day=dt.date(YEAR, 12, 31), visits=7, entered_at=timezone.now())
    april_first = Period(dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 1))
    before = sources.per_unit_total_visits([station.pk], april_first).get(station.pk, 0)
    activity = Activity.objects.create(
        unit=station, title="讲座", category="lecture", status="published", starts_at=local(3, 31, 9)
    )
    session = Session.objects.create(activity=activity, starts_at=local(3, 31, 9), ends_at=local(3, 31, 11))
    # Check-ins half an hour each side of local midnight at a month's end (the same UTC date).
    for n, when in enumerate((local(3, 31, 23, 30), local(4, 1, 0, 30))):
        registration = Registration.objects.create(
            activity=activity, party=f"phone:{n}", name="某", status="confirmed", registered_at=local(3, 1)
        )
        Attendance.objects.create(session=session, registration=registration, at=when, method="qr")
    ids = [u.pk for u in subtree(unit("YX"))]
    span = Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    periods = [
        *PERIODS,
        Period(dt.date(YEAR, 3, 16), dt.date(YEAR, 3, 31)),
        april_first,
    ]
    alone = {
        (f.__name__, p): f(ids, p)
        for p in periods
        for f in (
            sources.per_unit_total_visits,
            sources.total_visits_by_day,
            sources.total_visits_by_unit_day,
        )
        if span.start <= p.start and p.end <= span.end
    }
    assert alone[("per_unit_total_visits", span)][v1.pk] >= 40
    assert alone[("per_unit_total_visits", april_first)][station.pk] == before + 1
    with metric_cache(scope=unit("YX"), span=span):
        for (name, p), figures in alone.items():
            assert getattr(sources, name)(ids, p) == figures, (name, p)


def test_month_by_month_series_equal_each_months_figure_computed_alone(unit, history):
    """The series the dashboards draw add up days in one query; each month must be the figure asked
    for that month alone."""
    from decimal import Decimal

    from wenyun.volunteers.models import Project, Shift, Volunteer

    station, v1 = unit("YX-S01"), unit("YX-S01-V01")
    volunteer = Volunteer.objects.create(
        unit=v1, name="志愿者", phone="13900000001", joined_on=dt.date(YEAR, 1, 1)
    )
    for starts, hours, status in (
        (local(3, 31, 23, 30), "1.5", "confirmed"),  # the last half hour of March in Shanghai
        (local(4, 1, 0, 30), "2.5", "confirmed"),
        (local(4, 9), "0.5", "confirmed"),
        (local(4, 9), "9.0", "signed_up"),  # not confirmed: no hours
    ):
        project = Project.objects.create(
            unit=v1, title="服务", starts_at=starts, ends_at=starts + dt.timedelta(hours=2), places=5
        )
        Shift.objects.create(
            project=project, volunteer=volunteer, status=status, signed_up_at=starts, hours=Decimal(hours)
        )
    months = [
        Period(dt.date(YEAR, m, 1), dt.date(YEAR, m + 1, 1) - dt.timedelta(days=1)) for m in range(1, 12)
    ]
    # Months a span cuts at both ends (a dashboard's first and current month), and weeks, which are
    # not a month each (loans are then added up by day, not from the monthly sums).
    cut = [
        Period(dt.date(YEAR, 3, 16), dt.date(YEAR, 3, 31)),
        Period(dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 30)),
        Period(dt.date(YEAR, 5, 1), dt.date(YEAR, 5, 10)),
    ]
    weeks = [Period(dt.date(YEAR, 3, 10 + 7 * w), dt.date(YEAR, 3, 16 + 7 * w)) for w in range(3)]
    for periods in (months, cut, weeks):
        for code in ("loans", "visits_total", "visits_system", "volunteer_hours"):
            series = metric_series(code=code, unit=station, include_sub_units=True, periods=periods)
            alone = [
                metric_value(
                    code=code, unit=station, include_sub_units=True, period_start=m.start, period_end=m.end
                )
                for m in periods
            ]
            assert series == alone, (code, periods)
            if code == "loans":
                assert sum(series) > 0
    hours = metric_series(code="volunteer_hours", unit=station, include_sub_units=True, periods=months)
    assert hours[2:4] == [Decimal("1.5"), Decimal("3.0")]


def test_a_unit_added_to_the_tree_keeps_the_roll_ups_and_a_unit_moved_derives_them_again(
    unit, history, monkeypatch
):
    from wenyun.network.models import Unit

    summary.circulation_summary_current()
    derived = []
    original = summary._roll_up_again
    monkeypatch.setattr(summary, "_roll_up_again", lambda: derived.append(1) or original())
    station, other = unit("YX-S01"), unit("YX-S02")
    village = Unit.objects.create(
        code="YX-S01-VNEW", name="新村", kind="village", parent=station, path="", depth=station.depth + 1
    )
    Unit.objects.filter(pk=village.pk).update(path=f"{station.path}{village.pk}/")
    event("checkout", village, local(6, 1), history["readers"][0])
    assert_summary_equals_raw(unit)
    assert derived == []
    # The new village moves to the second station: what it lent now counts there.
    Unit.objects.filter(pk=village.pk).update(parent=other, path=f"{other.path}{village.pk}/")
    year = Period.year(YEAR)
    for code in ("YX-S01", "YX-S02"):
        units = subtree(unit(code))
        assert summary.over_borrowers([u.pk for u in units], year) == raw_borrowers(units, year), code
    assert derived == [1]
