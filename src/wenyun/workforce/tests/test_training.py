import datetime as dt
from decimal import Decimal

import pytest

from wenyun.core.errors import Conflict, DomainError, Forbidden
from wenyun.workforce import selectors, services
from wenyun.workforce.models import Attendance, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(county):
    return services.training_record(
        actor=None,
        unit=county,
        topic="农家书屋管理",
        date=dt.date(2026, 4, 8),
        trainer="县图书馆 刘馆员",
        hours="6",
    )


def test_training_hours_add_up_per_person_and_year(session, hire, unit, county):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    later = services.training_record(
        actor=None, unit=county, topic="台账规范", date=dt.date(2026, 9, 1), trainer="创建办", hours="8"
    )
    last_year = services.training_record(
        actor=None, unit=county, topic="消防", date=dt.date(2025, 9, 1), trainer="消防大队", hours="3"
    )
    services.attendance_record(actor=None, session=session, person=person)
    services.attendance_record(actor=None, session=later, person=person, hours="4.5")
    services.attendance_record(actor=None, session=last_year, person=person)

    assert selectors.training_hours_by_person(year=2026) == {person.pk: Decimal("10.5")}
    assert selectors.training_hours_of(person=person) == [(2026, Decimal("10.5")), (2025, Decimal("3.0"))]


def test_attending_longer_than_the_session_is_refused(session, hire, unit):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)

    with pytest.raises(DomainError) as refused:
        services.attendance_record(actor=None, session=session, person=person, hours="7")

    assert refused.value.message == "Hours attended must be more than 0 and at most the session's 6.0 hours."
    assert Attendance.objects.count() == 0


def test_a_person_is_recorded_once_per_session(session, hire, unit):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    services.attendance_record(actor=None, session=session, person=person)

    with pytest.raises(Conflict):
        services.attendance_record(actor=None, session=session, person=person)

    assert Attendance.objects.count() == 1


def test_a_station_manager_cannot_record_another_townships_staff(hire, unit, station_manager):
    theirs = hire(unit("YX-S02-V01"), Post.BOOKSTORE_MANAGER)
    mine = services.training_record(
        actor=station_manager,
        unit=unit("YX-S01"),
        topic="图书分类",
        date=dt.date(2026, 5, 6),
        trainer="站长",
        hours=2,
    )

    with pytest.raises(Forbidden) as refused:
        services.attendance_record(actor=station_manager, session=mine, person=theirs)

    assert refused.value.code == "staff_forbidden"
    assert Attendance.objects.count() == 0


def test_a_session_without_a_topic_is_not_saved(county):
    with pytest.raises(DomainError) as refused:
        services.training_record(
            actor=None, unit=county, topic=" ", date=dt.date(2026, 4, 8), trainer="某人", hours=2
        )

    assert refused.value.message == "Topic is required."
