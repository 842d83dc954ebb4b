from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wenyun.volunteers import services
from wenyun.volunteers.models import Shift, Volunteer


@pytest.fixture
def project(unit):
    start = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    return services.project_post(
        actor=None,
        unit=unit("YX-LIB"),
        title="周末绘本故事会",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        places=2,
    )


@pytest.mark.django_db
class TestVolunteerPortal:
    def test_a_person_joins_and_signs_up_for_a_project_with_his_phone(self, client, unit, project):
        joined = client.post(
            "/volunteer/join/",
            {"name": "陈静", "phone": "13500001111", "unit": unit("YX-LIB").pk, "availability": ["weekends"]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        signed = client.post(
            f"/volunteer/projects/{project.pk}/sign-up/",
            {"phone": "135 0000 1111"},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )

        assert joined.status_code == 302
        assert "陈静, you are signed up for 周末绘本故事会." in signed.content.decode()
        assert list(Shift.objects.values_list("volunteer__name", "status")) == [("陈静", "signed_up")]
        assert list(Volunteer.objects.values_list("availability", flat=True)) == [["weekends"]]

    def test_signing_up_with_an_unknown_phone_says_to_join_first(self, client, project):
        page = client.post(
            f"/volunteer/projects/{project.pk}/sign-up/",
            {"phone": "13500009999"},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )

        assert "No volunteer has the phone 13500009999: join as a volunteer first." in page.content.decode()
        assert Shift.objects.count() == 0

    def test_joining_twice_with_one_phone_is_refused(self, client, unit):
        data = {"name": "陈静", "phone": "13500001111", "unit": unit("YX-LIB").pk}
        client.post("/volunteer/join/", data)

        again = client.post("/volunteer/join/", data, HTTP_ACCEPT_LANGUAGE="en")

        assert "A volunteer with the phone 13500001111 is already registered." in again.content.decode()
        assert Volunteer.objects.count() == 1
