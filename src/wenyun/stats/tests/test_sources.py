"""The metrics computed from the other apps' records: known rows in, exact figures out.

Rows are written straight into the registers and event logs (as the apps' services leave them), so each
test states exactly what happened and when.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from wenyun.catalog.models import Item, ItemType, Record
from wenyun.circulation.models import CirculationEvent, Hold, Reader, ReaderCategory, Transit
from wenyun.stats import services
from wenyun.stats.metrics import metric_value, metric_values

LAST_YEAR = timezone.localdate().year - 1
START, END = dt.date(LAST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
_serial = itertools.count(1)


def at(month: int, day: int, hour: int = 10, year: int = LAST_YEAR) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def value(code, unit, *, sub_units=True, start=START, end=END):
    return metric_value(code=code, unit=unit, include_sub_units=sub_units, period_start=start, period_end=end)


@pytest.fixture
def make():
    class Make:
        def record(self, title="书"):
            return Record.objects.create(title=title)

        def item(
            self, unit, *, type_code="book", acquired=None, status="available", changed=None, record=None
        ):
            item_type, _ = ItemType.objects.get_or_create(code=type_code, defaults={"name": type_code})
            return Item.objects.create(
                barcode=f"T{next(_serial):07d}",
                record=record or self.record(),
                home_unit=unit,
                current_unit=unit,
                item_type=item_type,
                status=status,
                acquired_on=acquired,
                status_changed_at=changed,
            )

        def reader(self, unit, *, expires=None, registered=None):
            category, _ = ReaderCategory.objects.get_or_create(code="adult", defaults={"name": "成人"})
            reader = Reader.objects.create(
                card=f"C{next(_serial):07d}",
                name="读者",
                category=category,
                home_unit=unit,
                expires_on=expires,
            )
            if registered is not None:
                Reader.objects.filter(pk=reader.pk).update(registered_at=registered)
            return reader

        def event(self, type, unit, when, *, reader=None, item=None):
            return CirculationEvent.objects.create(type=type, unit=unit, at=when, reader=reader, item=item)

    return Make()


def test_holdings_count_the_copies_held_at_the_periods_end(unit, make):
    village, station = unit("YX-S01-V01"), unit("YX-S01")
    make.item(village, acquired=dt.date(LAST_YEAR - 3, 5, 1))
    make.item(village, acquired=None, type_code="periodical")
    make.item(village, acquired=dt.date(LAST_YEAR, 11, 1), type_code="av")
    make.item(village, acquired=dt.date(LAST_YEAR + 1, 1, 2))  # after the period
    make.item(village, acquired=dt.date(LAST_YEAR - 2, 1, 1), status="withdrawn", changed=at(6, 1))
    make.item(
        village, acquired=dt.date(LAST_YEAR - 2, 1, 1), status="lost", changed=at(1, 2, year=LAST_YEAR + 1)
    )
    make.item(station, acquired=dt.date(LAST_YEAR, 3, 3))

    assert value("holdings", village) == 4  # the withdrawn copy went in June; the lost one after the year
    assert value("holdings", station) == 5
    assert value("holdings", station, sub_units=False) == 1
    assert value("holdings_books", station) == 3
    assert value("holdings_periodicals", station) == 1
    assert value("holdings_audiovisual", station) == 1
    assert value("new_acquisitions", station) == 2
    assert value("new_acquisitions", station, start=dt.date(LAST_YEAR, 6, 1)) == 1


def test_loans_renewals_returns_and_borrowers_come_from_the_event_log(unit, make):
    v1, v2, station = unit("YX-S01-V01"), unit("YX-S01-V02"), unit("YX-S01")
    ann, bo = make.reader(v1), make.reader(v2)
    make.event("checkout", v1, at(3, 1), reader=ann)
    make.event("checkout", v1, at(3, 1, 11), reader=ann)
    make.event("checkout", v2, at(4, 1), reader=ann)
    make.event("checkout", v2, at(4, 2), reader=bo)
    make.event("checkout", v2, at(12, 31, 23), reader=bo)  # 23:00 on the last evening is still the year
    make.event("checkout", v2, at(1, 1, 0, year=LAST_YEAR + 1), reader=bo)
    make.event("renew", v1, at(3, 20), reader=ann)
    make.event("checkin", station, at(3, 30), reader=ann)

    assert value("loans", station) == 5
    assert value("loans", v1) == 2
    assert value("renewals", station) == 1
    assert value("returns", station) == 1
    assert value("returns", station, sub_units=False) == 1
    # Ann borrowed at both villages: one borrower for the station, one at each village.
    assert value("borrowers", station) == 2
    assert value("borrowers", v1) == 1
    assert value("borrowers", v2) == 2
    assert metric_values(
        code="borrowers", units=[v1, v2, station], include_sub_units=True, period_start=START, period_end=END
    ) == {"YX-S01-V01": 1, "YX-S01-V02": 2, "YX-S01": 2}


def test_valid_cards_and_new_readers(unit, make):
    village = unit("YX-S01-V01")
    make.reader(village, expires=None, registered=at(2, 1))
    make.reader(village, expires=dt.date(LAST_YEAR + 2, 1, 1), registered=at(5, 1, year=LAST_YEAR - 1))
    make.reader(village, expires=dt.date(LAST_YEAR, 6, 30), registered=at(5, 1, year=LAST_YEAR - 1))
    make.reader(village, expires=None, registered=at(1, 3, year=LAST_YEAR + 1))
    assert value("valid_cards", village) == 2
    assert value("new_readers", village) == 1


def test_holds_waiting_and_transits_in_flight_at_the_periods_end(unit, make):
    village, library = unit("YX-S01-V01"), unit("YX-LIB")
    reader = make.reader(village)
    record = make.record()
    Hold.objects.create(reader=reader, record=record, pickup_unit=village, placed_at=at(12, 1))
    Hold.objects.create(
        reader=reader,
        record=record,
        pickup_unit=village,
        placed_at=at(12, 2),
        ready_at=at(12, 20),
        status="ready",
    )
    Hold.objects.create(
        reader=reader,
        record=record,
        pickup_unit=village,
        placed_at=at(12, 3),
        ready_at=at(1, 5, year=LAST_YEAR + 1),
    )
    Hold.objects.create(
        reader=reader,
        record=record,
        pickup_unit=village,
        placed_at=at(11, 3),
        closed_at=at(11, 5),
        status="cancelled",
    )
    for created, received in (
        (at(12, 30), None),
        (at(12, 1), at(12, 3)),
        (at(12, 29), at(1, 4, year=LAST_YEAR + 1)),
    ):
        Transit.objects.create(
            item=make.item(library),
            from_unit=library,
            to_unit=village,
            reason="hold",
            created_at=created,
            received_at=received,
        )
    assert value("holds_waiting", village) == 2
    assert value("holds_waiting", unit("YX")) == 2
    assert value("transits_in_flight", village) == 2
    assert value("transits_in_flight", library) == 0


def test_visits_take_the_door_count_where_there_is_one_and_what_the_system_saw_elsewhere(unit, make):
    from wenyun.programs.models import Activity, Attendance, Registration, Session

    village, library = unit("YX-S01-V01"), unit("YX-LIB")
    ann, bo = make.reader(village), make.reader(village)
    make.event("checkout", village, at(3, 1, 9), reader=ann)
    make.event("checkout", village, at(3, 1, 15), reader=ann)  # the same reader the same day: one visit
    make.event("checkout", village, at(3, 1, 16), reader=bo)
    make.event("checkout", village, at(3, 2), reader=ann)
    make.event("checkout", library, at(3, 2), reader=bo)
    activity = Activity.objects.create(
        unit=village, title="讲座", category="lecture", status="published", starts_at=at(3, 2, 14)
    )
    session = Session.objects.create(
        activity=activity, starts_at=at(3, 2, 14), ends_at=at(3, 2, 16), walk_ins=5
    )
    for n in range(3):
        registration = Registration.objects.create(
            activity=activity, party=f"phone:{n}", name="某", status="confirmed", registered_at=at(2, 1)
        )
        Attendance.objects.create(session=session, registration=registration, at=at(3, 2, 14), method="qr")
    services.door_count_set(actor=None, unit=library, day=dt.date(LAST_YEAR, 3, 2), visits=240)

    assert value("visits_system", village) == 6  # 2 readers on 1 March, Ann on 2 March, 3 check-ins
    assert value("visits_system", library) == 1
    assert value("visits_door", library) == 240
    assert value("visits_total", library) == 240  # the counter saw Bo come in too
    assert value("visits_total", village) == 6
    assert value("visits_total", unit("YX")) == 246
    assert value("activity_attendance", village) == 8  # three checked in and five walk-ins
    assert value("attendance_category_lecture", unit("YX")) == 8
    assert value("attendance_category_film", unit("YX")) == 0


def test_activities_by_category_sessions_and_trainees(unit):
    from wenyun.programs.models import Activity, Session

    centre, station = unit("YX-CC"), unit("YX-S02")

    def activity(unit, category, starts, *, status="published", sessions=1, walk_ins=0):
        made = Activity.objects.create(
            unit=unit, title=category, category=category, status=status, starts_at=starts
        )
        for week in range(sessions):
            begin = starts + dt.timedelta(days=7 * week)
            Session.objects.create(
                activity=made, starts_at=begin, ends_at=begin + dt.timedelta(hours=2), walk_ins=walk_ins
            )
        return made

    activity(centre, "training", at(3, 1), sessions=4, walk_ins=12)
    activity(centre, "lecture", at(4, 1))
    activity(centre, "exhibition", at(5, 1))
    activity(centre, "performance", at(6, 1), walk_ins=300)
    activity(centre, "film", at(7, 1), walk_ins=80)
    activity(centre, "lecture", at(8, 1), status="cancelled")
    activity(centre, "lecture", at(1, 5, year=LAST_YEAR + 1))
    activity(
        station, "training", at(12, 20), sessions=3, walk_ins=10
    )  # 20 and 27 December; 3 January is next year

    assert value("activities", centre) == 5
    assert value("lectures", centre) == 1
    assert value("exhibitions", centre) == 1
    assert value("training_classes", unit("YX")) == 2
    assert value("training_sessions", centre) == 4
    assert value("training_sessions", station) == 2
    assert value("trainees", centre) == 48
    assert value("trainees", station) == 20
    assert value("arts_activities", centre) == 2
    assert value("arts_activity_attendance", centre) == 380


def test_menu_performances_troupes_bookings_museum_and_digital_use(unit):
    from wenyun.programs.models import (
        Booking,
        DigitalResource,
        DigitalUsage,
        MenuItem,
        MenuOrder,
        Troupe,
        Venue,
        VisitSlot,
        VisitTicket,
    )

    centre, village, museum = unit("YX-CC"), unit("YX-S03-V02"), unit("YX-MUS")
    show = MenuItem.objects.create(provider=centre, title="黄梅戏专场", kind="performance")
    film = MenuItem.objects.create(provider=centre, title="露天电影", kind="film")
    for item, status, when, audience in (
        (show, "delivered", at(5, 1), 220),
        (show, "delivered", at(9, 9), 180),
        (show, "confirmed", at(10, 1), None),
        (film, "delivered", at(5, 2), 90),
    ):
        MenuOrder.objects.create(
            item=item,
            unit=village,
            wanted_on=when.date(),
            status=status,
            scheduled_at=when,
            attendance=audience,
            ordered_at=at(1, 1),
        )
    Troupe.objects.create(
        unit=village, name="腰鼓队", art_form="腰鼓", leader="王", founded_on=dt.date(2015, 1, 1)
    )
    Troupe.objects.create(
        unit=village, name="新队", art_form="舞蹈", leader="李", founded_on=dt.date(LAST_YEAR + 1, 1, 1)
    )
    Troupe.objects.create(unit=village, name="散了", art_form="合唱", leader="赵", active=False)
    room = Venue.objects.create(unit=centre, name="排练厅", opens=dt.time(8), closes=dt.time(21))
    for status in ("approved", "approved", "refused"):
        Booking.objects.create(
            venue=room,
            requester_kind="troupe",
            requester_name="腰鼓队",
            phone="1",
            purpose="排练",
            starts_at=at(6, 6),
            ends_at=at(6, 6, 12),
            status=status,
            created_at=at(6, 1),
        )
    slot = VisitSlot.objects.create(
        unit=museum, day=dt.date(LAST_YEAR, 5, 1), starts=dt.time(9), ends=dt.time(10), capacity=30
    )
    for entered in (at(5, 1, 9), at(5, 1, 9), None):
        VisitTicket.objects.create(slot=slot, name="游客", phone="1", booked_at=at(4, 1), entered_at=entered)
    resource = DigitalResource.objects.create(title="电子书", kind="ebooks", url="http://example.org/")
    DigitalUsage.objects.create(
        resource=resource, unit=village, month=dt.date(LAST_YEAR, 2, 1), visits=40, downloads=7
    )
    DigitalUsage.objects.create(
        resource=resource, unit=village, month=dt.date(LAST_YEAR + 1, 1, 1), visits=99, downloads=9
    )

    assert value("performances_sent", unit("YX-S03")) == 2
    assert value("performance_audience", unit("YX-S03")) == 400
    assert value("performances_sent", centre) == 0  # counted where they were delivered
    assert value("troupes_guided", village) == 1
    assert value("bookings", centre) == 2
    assert value("museum_entries", museum) == 2
    assert value("visits_system", museum) == 2
    assert value("digital_visits", unit("YX")) == 40
    assert value("digital_downloads", unit("YX")) == 7


def test_volunteer_hours_and_staff(unit):
    from wenyun.volunteers.models import Project, Shift, Volunteer
    from wenyun.workforce.models import Appointment, Qualification, StaffMember

    station = unit("YX-S04")
    volunteer = Volunteer.objects.create(
        unit=station, name="志愿者", phone="13800000000", joined_on=dt.date(2020, 1, 1)
    )
    other = Volunteer.objects.create(
        unit=station, name="另一位", phone="13800000001", joined_on=dt.date(2020, 1, 1)
    )
    project = Project.objects.create(
        unit=station, title="读书会", starts_at=at(4, 4), ends_at=at(4, 4, 16), places=5
    )
    later = Project.objects.create(
        unit=station,
        title="明年",
        starts_at=at(1, 4, year=LAST_YEAR + 1),
        ends_at=at(1, 4, 16, year=LAST_YEAR + 1),
        places=5,
    )
    Shift.objects.create(
        project=project, volunteer=volunteer, status="confirmed", signed_up_at=at(4, 1), hours=Decimal("3.5")
    )
    Shift.objects.create(
        project=project, volunteer=other, status="signed_out", signed_up_at=at(4, 1), hours=Decimal("2")
    )
    Shift.objects.create(
        project=later, volunteer=volunteer, status="confirmed", signed_up_at=at(4, 1), hours=Decimal("9")
    )
    assert value("volunteer_hours", unit("YX")) == Decimal("3.5")

    head, worker, gone = (StaffMember.objects.create(name=n) for n in ("站长", "专干", "离职"))
    Qualification.objects.create(person=head, kind="title", name="副研究馆员（副高）")
    Qualification.objects.create(person=worker, kind="title", name="助理馆员")
    for person, start, end in (
        (head, dt.date(2019, 1, 1), None),
        (worker, dt.date(LAST_YEAR, 5, 1), None),
        (gone, dt.date(2019, 1, 1), dt.date(LAST_YEAR, 6, 30)),
    ):
        Appointment.objects.create(
            person=person,
            unit=station,
            post="station_head",
            employment="established",
            start_date=start,
            end_date=end,
        )
    assert value("staff", station) == 2
    assert value("staff_senior_title", station) == 1


def test_the_ratios_divide_one_metric_by_another_for_the_same_unit_and_period(unit, make):
    station = unit("YX-S05")
    for _n in range(30):
        make.item(station, acquired=dt.date(LAST_YEAR, 2, 1))
    reader = make.reader(station)
    for day in range(1, 10):
        make.event("checkout", station, at(3, day), reader=reader)
    population = station.population
    assert value("holdings_per_resident", station) == round(Decimal(30) / population, 3)
    assert value("new_acquisitions_per_resident", station) == round(Decimal(30) / population, 3)
    assert value("visits_per_resident", station) == round(Decimal(9) / population, 3)
    assert value("loans_per_volume", station) == Decimal("0.300")
    assert value("loans_per_volume", unit("YX-S06")) is None  # nothing held: no ratio


def test_a_series_month_by_month_gives_the_same_figures_as_each_month_alone(unit, make):
    from wenyun.stats.metrics import metric_series
    from wenyun.stats.periods import Period

    village, station = unit("YX-S02-V01"), unit("YX-S02")
    reader = make.reader(village)
    for month, day, hour in ((1, 31, 23), (2, 1, 0), (2, 1, 9), (3, 15, 10), (3, 16, 10)):
        make.event("checkout", village, at(month, day, hour), reader=reader)
    services.door_count_set(actor=None, unit=station, day=dt.date(LAST_YEAR, 2, 3), visits=70)
    months = [
        Period(dt.date(LAST_YEAR, 1, 1), dt.date(LAST_YEAR, 1, 31)),
        Period(dt.date(LAST_YEAR, 2, 1), dt.date(LAST_YEAR, 2, 28)),
        Period(dt.date(LAST_YEAR, 3, 1), dt.date(LAST_YEAR, 3, 31)),
    ]
    for code, expected in (("loans", [1, 2, 2]), ("visits_total", [1, 71, 2]), ("visits_door", [0, 70, 0])):
        series = metric_series(code=code, unit=station, include_sub_units=True, periods=months)
        assert series == expected, code
        assert series == [value(code, station, start=p.start, end=p.end) for p in months], code
