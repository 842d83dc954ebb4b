import datetime as dt
import json

import pytest
from django.utils import timezone

from wenyun.core.errors import Conflict, DomainError, Forbidden, NotFound
from wenyun.workforce import selectors, services
from wenyun.workforce.access import access_staff, staff_visible_to
from wenyun.workforce.models import Appointment, EmploymentType, Post, StaffMember, WorkforceEvent

from .conftest import BANK_ACCOUNT, ID_NUMBER

pytestmark = pytest.mark.django_db


def test_a_station_manager_adds_a_bookstore_manager_to_one_of_his_villages(station_manager, unit):
    person = services.staff_add(
        actor=station_manager,
        name="王秀英",
        unit=unit("YX-S01-V03"),
        post=Post.BOOKSTORE_MANAGER,
        employment=EmploymentType.CONTRACT,
        start_date=dt.date(2026, 4, 1),
        id_number=ID_NUMBER,
        bank_account="6228 4800 1234 5678 901",
        birth_year="1985",
    )

    assert (person.name, person.birth_year, person.bank_account) == ("王秀英", 1985, BANK_ACCOUNT)
    assert person.id_number_masked == "**************" + ID_NUMBER[-4:]
    assert person.bank_account_masked == "***************8901"
    assert list(person.appointments.values_list("unit__code", "post", "start_date", "end_date")) == [
        ("YX-S01-V03", Post.BOOKSTORE_MANAGER, dt.date(2026, 4, 1), None)
    ]


def test_identity_and_bank_numbers_never_reach_the_event_log(hire, unit, county_admin):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, id_number=ID_NUMBER, bank_account=BANK_ACCOUNT)
    services.staff_update(
        actor=county_admin, person=person, bank_account="6228480099998888777", phone="13900000000"
    )

    logged = json.dumps(list(WorkforceEvent.objects.values("details")), ensure_ascii=False)
    assert ID_NUMBER not in logged and ID_NUMBER[-4:] not in logged
    assert BANK_ACCOUNT not in logged and "6228480099998888777" not in logged
    assert WorkforceEvent.objects.filter(type="staff_updated").get().details == {
        "person": person.pk,
        "fields": ["bank_account", "phone"],
    }


def test_a_wrong_identity_number_saves_nobody(station_manager, unit):
    with pytest.raises(DomainError) as refused:
        services.staff_add(
            actor=station_manager,
            name="王秀英",
            unit=unit("YX-S01-V03"),
            post=Post.BOOKSTORE_MANAGER,
            employment=EmploymentType.CONTRACT,
            start_date=dt.date(2026, 4, 1),
            id_number=ID_NUMBER[:-1] + "0" if ID_NUMBER[-1] != "0" else ID_NUMBER[:-1] + "1",
        )

    assert refused.value.code == "id_number_invalid"
    assert StaffMember.objects.count() == 0
    assert Appointment.objects.count() == 0


def test_the_same_identity_number_is_not_registered_twice(hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, id_number=ID_NUMBER)

    with pytest.raises(Conflict) as refused:
        services.staff_add(
            actor=county_admin,
            name="另一人",
            unit=unit("YX-S02-V01"),
            post=Post.BOOKSTORE_MANAGER,
            employment=EmploymentType.CONTRACT,
            start_date=dt.date(2026, 1, 1),
            id_number=ID_NUMBER,
        )

    assert refused.value.message == "A person with this identity number is already in the register."
    assert StaffMember.objects.count() == 1


def test_a_station_manager_may_not_add_staff_to_another_township(station_manager, unit):
    with pytest.raises(Forbidden) as refused:
        services.staff_add(
            actor=station_manager,
            name="王秀英",
            unit=unit("YX-S02-V01"),
            post=Post.BOOKSTORE_MANAGER,
            employment=EmploymentType.CONTRACT,
            start_date=dt.date(2026, 4, 1),
        )

    assert refused.value.code == "unit_forbidden"
    assert StaffMember.objects.count() == 0


def test_a_station_manager_sees_his_townships_staff_and_not_anothers(
    hire, unit, station_manager, other_station_manager
):
    mine = hire(unit("YX-S01-V02"), Post.BOOKSTORE_MANAGER, name="城关的人")
    theirs = hire(unit("YX-S02-V01"), Post.BOOKSTORE_MANAGER, name="东坝的人")

    assert list(staff_visible_to(station_manager)) == [mine]
    assert list(staff_visible_to(other_station_manager)) == [theirs]
    with pytest.raises(NotFound) as refused:
        access_staff(station_manager, theirs.pk)
    assert refused.value.message == f"There is no staff member number {theirs.pk}."


def test_a_village_manager_sees_only_his_village(hire, unit, village_manager):
    mine = hire(unit("YX-S01-V01"), Post.FULL_TIME_WORKER, name="本村专职")
    hire(unit("YX-S01-V02"), Post.FULL_TIME_WORKER, name="邻村专职")

    assert list(staff_visible_to(village_manager)) == [mine]


def test_a_person_cannot_hold_the_same_post_twice_at_once(hire, unit, county_admin):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, start=dt.date(2024, 1, 1))

    with pytest.raises(Conflict) as refused:
        services.appointment_start(
            actor=county_admin,
            person=person,
            unit=unit("YX-S01-V01"),
            post=Post.BOOKSTORE_MANAGER,
            employment=EmploymentType.CONTRACT,
            start_date=dt.date(2025, 6, 1),
        )

    assert refused.value.code == "appointment_overlaps"
    assert person.appointments.count() == 1


def test_ending_a_post_before_it_began_is_refused(hire, unit, county_admin):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, start=dt.date(2024, 1, 1))
    appointment = person.appointments.get()

    with pytest.raises(DomainError) as refused:
        services.appointment_end(actor=county_admin, appointment=appointment, end_date=dt.date(2023, 12, 31))

    assert refused.value.message == "A post cannot end before it starts (2024-01-01)."
    appointment.refresh_from_db()
    assert appointment.end_date is None


def test_a_village_shows_which_posts_it_lacks(rules_village, hire, unit):
    village = unit("YX-S01-V01")
    hire(village, Post.BOOKSTORE_MANAGER)
    hire(village, Post.FULL_TIME_WORKER, name="已离职", end=dt.date(2026, 1, 31))

    staffing = selectors.unit_staffing(unit=village, on=dt.date(2026, 6, 1))

    assert not staffing.met
    assert staffing.gaps == [
        {
            "post": "full_time_worker",
            "label": "Full-time cultural worker",
            "required": 1,
            "present": 0,
            "missing": 1,
        }
    ]
    assert selectors.unit_staffing(unit=village, on=dt.date(2026, 1, 15)).met


def test_the_demo_county_has_a_few_villages_without_a_full_time_worker(demo_staff, unit):
    today = timezone.localdate()

    gaps = selectors.staffing_gaps(on=today, only_gaps=True)

    assert len(gaps) == 6
    assert {gap["post"] for row in gaps for gap in row.gaps} == {"full_time_worker"}
    assert all(row.unit.kind == "village" for row in gaps)
    assert len(selectors.staffing_gaps(on=today)) == 11 + 83
    counts = selectors.staff_counts(on=today)
    assert sum(posts.get("bookstore_manager", 0) for posts in counts.values()) == 83
    assert sum(posts.get("station_head", 0) for posts in counts.values()) == 11
    assert counts["YX-S01-V01"]["bookstore_manager"] == 1


def test_the_demo_logins_are_the_station_heads_and_bookstore_managers(demo_staff):
    station01 = StaffMember.objects.get(account__username="station01")
    village0101 = StaffMember.objects.get(account__username="village0101")

    assert list(station01.appointments.values_list("unit__code", "post")) == [("YX-S01", "station_head")]
    assert list(village0101.appointments.values_list("unit__code", "post")) == [
        ("YX-S01-V01", "bookstore_manager")
    ]
