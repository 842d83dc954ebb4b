from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused
from wenyun.volunteers import selectors, services
from wenyun.volunteers.models import Shift, VolunteerEvent


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 6, day, hour, minute))


@pytest.fixture
def team(unit):
    return services.team_create(actor=None, unit=unit("YX-LIB"), name="书香志愿服务队", brand="故事妈妈")


@pytest.fixture
def volunteer(unit, team):
    return services.volunteer_register(
        actor=None,
        unit=unit("YX-LIB"),
        name="陈静",
        phone="13500001111",
        skills="讲故事, 摄影",
        availability=["weekends"],
        teams=[team],
        joined_on=dt.date(2026, 1, 5),
    )


def _project(unit, day, places=2, title="周末故事会"):
    return services.project_post(
        actor=None, unit=unit("YX-LIB"), title=title, starts_at=at(day, 9), ends_at=at(day, 12), places=places
    )


def _serve(shift, staff, day, out_hour=11, out_minute=50, hours=None):
    services.shift_sign_in(actor=staff, shift=shift, at=at(day, 8, 55))
    services.shift_sign_out(actor=staff, shift=shift, at=at(day, out_hour, out_minute))
    return services.shift_confirm(actor=staff, shift=shift, hours=hours, at=at(day, 12))


@pytest.mark.django_db
class TestHours:
    def test_signed_hours_round_down_to_the_half_hour_and_count_once_confirmed(
        self, unit, volunteer, library_staff
    ):
        shift = services.shift_sign_up(volunteer=volunteer, project=_project(unit, 6), at=at(1, 10))
        services.shift_sign_in(actor=library_staff, shift=shift, at=at(6, 8, 55))
        services.shift_sign_out(actor=library_staff, shift=shift, at=at(6, 11, 50))

        assert selectors.volunteer_year(volunteer=volunteer, year=2026)["hours"] == 0
        services.shift_confirm(actor=library_staff, shift=shift, at=at(6, 12))

        shift.refresh_from_db()
        assert (shift.status, shift.hours) == ("confirmed", Decimal("2.5"))
        event = VolunteerEvent.objects.get(type="hours_confirmed")
        assert event.details == {
            "volunteer": volunteer.pk,
            "project": shift.project_id,
            "shift": shift.pk,
            "hours": "2.5",
            "year": 2026,
            "teams": [volunteer.teams.get().pk],
        }

    def test_a_volunteers_hours_add_up_on_his_certificate_and_his_team(
        self, unit, volunteer, team, library_staff
    ):
        for day, hours in ((6, None), (13, "3")):
            shift = services.shift_sign_up(volunteer=volunteer, project=_project(unit, day), at=at(1, 10))
            _serve(shift, library_staff, day, hours=hours)

        year = selectors.volunteer_year(volunteer=volunteer, year=2026)

        assert [s.hours for s in year["shifts"]] == [Decimal("2.5"), Decimal("3.0")]
        assert year["hours"] == Decimal("5.5")
        assert selectors.hours_by_volunteer(year=2026) == [
            {"volunteer": volunteer.pk, "name": "陈静", "hours": Decimal("5.5"), "shifts": 2}
        ]
        assert [(r["team"], r["hours"], r["members"]) for r in selectors.hours_by_team(year=2026)] == [
            (team, Decimal("5.5"), 1)
        ]
        assert selectors.volunteer_year(volunteer=volunteer, year=2025)["hours"] == 0


@pytest.mark.django_db
class TestRefused:
    def test_signing_up_twice_is_refused(self, unit, volunteer):
        project = _project(unit, 6)
        services.shift_sign_up(volunteer=volunteer, project=project, at=at(1, 10))

        with pytest.raises(Conflict) as refused:
            services.shift_sign_up(volunteer=volunteer, project=project, at=at(1, 10))

        assert refused.value.message == "陈静 has already signed up for 周末故事会."
        project.refresh_from_db()
        assert (project.signed_up, Shift.objects.count()) == (1, 1)

    def test_a_full_project_takes_nobody_more(self, unit, volunteer):
        project = _project(unit, 6, places=1)
        other = services.volunteer_register(actor=None, unit=unit("YX-LIB"), name="刘洋", phone="13500002222")
        services.shift_sign_up(volunteer=other, project=project, at=at(1, 10))

        with pytest.raises(Refused) as refused:
            services.shift_sign_up(volunteer=volunteer, project=project, at=at(1, 10))

        assert refused.value.code == "project_full"
        assert Shift.objects.count() == 1

    def test_confirming_before_signing_out_is_refused(self, unit, volunteer, library_staff):
        shift = services.shift_sign_up(volunteer=volunteer, project=_project(unit, 6), at=at(1, 10))

        with pytest.raises(Refused) as refused:
            services.shift_confirm(actor=library_staff, shift=shift)

        assert refused.value.message == "陈静's shift is Signed up: that cannot be done now."
        shift.refresh_from_db()
        assert (shift.status, shift.hours) == ("signed_up", 0)

    def test_staff_of_another_unit_cannot_confirm_hours(
        self, unit, volunteer, library_staff, station_manager
    ):
        shift = services.shift_sign_up(volunteer=volunteer, project=_project(unit, 6), at=at(1, 10))
        services.shift_sign_in(actor=library_staff, shift=shift, at=at(6, 9))
        services.shift_sign_out(actor=library_staff, shift=shift, at=at(6, 12))

        with pytest.raises(Forbidden):
            services.shift_confirm(actor=station_manager, shift=shift)

        shift.refresh_from_db()
        assert shift.status == "signed_out"

    def test_corrected_hours_must_be_a_sensible_number(self, unit, volunteer, library_staff):
        shift = services.shift_sign_up(volunteer=volunteer, project=_project(unit, 6), at=at(1, 10))
        services.shift_sign_in(actor=library_staff, shift=shift, at=at(6, 9))
        services.shift_sign_out(actor=library_staff, shift=shift, at=at(6, 12))

        with pytest.raises(DomainError) as refused:
            services.shift_confirm(actor=library_staff, shift=shift, hours="三")

        assert refused.value.message == "三 is not a number of hours."
        shift.refresh_from_db()
        assert (shift.status, shift.hours) == ("signed_out", Decimal("3.0"))

    def test_the_same_phone_cannot_register_twice(self, unit, volunteer):
        with pytest.raises(Conflict):
            services.volunteer_register(actor=None, unit=unit("YX-S01"), name="陈静", phone="135 0000 1111")


@pytest.mark.django_db
class TestCertificatePage:
    def test_the_certificate_prints_each_confirmed_service_and_the_total(
        self, client, unit, volunteer, library_staff
    ):
        for day in (6, 13):
            shift = services.shift_sign_up(volunteer=volunteer, project=_project(unit, day), at=at(1, 10))
            _serve(shift, library_staff, day)
        client.force_login(library_staff)

        page = client.get(
            f"/staff/volunteers/{volunteer.pk}/certificate/?year=2026", HTTP_ACCEPT_LANGUAGE="en"
        )

        text = page.content.decode()
        assert page.status_code == 200
        assert '<th class="num" id="total-hours">5.0</th>' in text
        assert text.count("周末故事会") == 2

    def test_staff_of_another_township_do_not_see_the_volunteer(self, client, unit, other_station_manager):
        volunteer = services.volunteer_register(
            actor=None, unit=unit("YX-S01"), name="刘洋", phone="13500002222"
        )
        client.force_login(other_station_manager)

        assert client.get(f"/staff/volunteers/{volunteer.pk}/certificate/").status_code == 404
