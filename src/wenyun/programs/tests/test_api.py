from __future__ import annotations

import json

import pytest

from wenyun.programs.models import Registration

from .conftest import SATURDAY


@pytest.mark.django_db
class TestCalendarApi:
    def test_the_calendar_is_public_and_filters_by_dates_and_unit(self, client, lecture):
        got = client.get("/api/v1/activities", {"from": "2026-06-06", "to": "2026-06-07", "unit": "YX-LIB"})

        assert got.status_code == 200
        body = got.json()
        assert [
            (a["id"], a["title"], a["unit"], a["venue"], a["capacity"], a["places_left"]) for a in body
        ] == [(lecture.pk, "家风家训讲座", "YX-LIB", "报告厅", 3, 3)]
        assert body[0]["sessions"] == [
            {"starts_at": "2026-06-06T09:30:00+08:00", "ends_at": "2026-06-06T11:00:00+08:00"}
        ]
        assert (
            client.get(
                "/api/v1/activities", {"from": "2026-06-06", "to": "2026-06-07", "unit": "YX-S01"}
            ).json()
            == []
        )

    def test_a_reversed_range_is_refused(self, client):
        got = client.get(
            "/api/v1/activities", {"from": "2026-06-07", "to": "2026-06-06"}, HTTP_ACCEPT_LANGUAGE="en"
        )

        assert (got.status_code, got.json()) == (
            400,
            {"error": "invalid", "message": "'to' must not be before 'from'."},
        )


@pytest.mark.django_db
class TestRegistrationApi:
    @pytest.fixture(autouse=True)
    def _before_saturday(self, monkeypatch):
        import datetime as dt

        from django.utils import timezone

        monkeypatch.setattr(timezone, "now", lambda: SATURDAY - dt.timedelta(days=5))

    def test_register_then_cancel_moves_the_waiting_list_up(
        self, api_client, library_staff, lecture, make_reader
    ):
        client = api_client(library_staff)
        for number in range(4):
            make_reader(f"YX00000{number}", f"读者{number}")
            got = client.post(
                f"/api/v1/activities/{lecture.pk}/registrations",
                json.dumps({"card": f"YX00000{number}"}),
                content_type="application/json",
            )
            assert got.status_code == 201
        assert (got.json()["status"], got.json()["waiting_position"]) == ("waiting", 1)

        cancelled = client.delete(f"/api/v1/activities/{lecture.pk}/registrations/YX000000")

        assert cancelled.status_code == 200
        body = cancelled.json()
        assert (body["cancelled"]["card"], body["cancelled"]["status"]) == ("YX000000", "cancelled")
        assert (body["promoted"]["card"], body["promoted"]["status"]) == ("YX000003", "confirmed")

    def test_staff_of_another_unit_may_not_cancel_a_registration_and_nothing_changes(
        self, api_client, library_staff, station_manager, lecture, make_reader
    ):
        make_reader("YX0000001", "李雷")
        url = f"/api/v1/activities/{lecture.pk}/registrations"
        api_client(library_staff).post(
            url, json.dumps({"card": "YX0000001"}), content_type="application/json"
        )

        got = api_client(station_manager).delete(f"{url}/YX0000001", HTTP_ACCEPT_LANGUAGE="en")

        assert (got.status_code, got.json()) == (
            403,
            {
                "error": "unit_forbidden",
                "message": "You may not act for 云溪县图书馆: it is outside your unit.",
            },
        )
        assert list(Registration.objects.values_list("status", flat=True)) == ["confirmed"]
        lecture.refresh_from_db()
        assert lecture.confirmed_count == 1

    def test_registering_twice_answers_409_with_the_reason(
        self, api_client, library_staff, lecture, make_reader
    ):
        client = api_client(library_staff)
        make_reader("YX0000001", "李雷")
        url = f"/api/v1/activities/{lecture.pk}/registrations"
        client.post(url, json.dumps({"card": "YX0000001"}), content_type="application/json")

        got = client.post(
            url, json.dumps({"card": "YX0000001"}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )

        assert (got.status_code, got.json()) == (
            409,
            {"error": "already_registered", "message": "李雷 is already registered for 家风家训讲座."},
        )
        assert Registration.objects.count() == 1

    def test_registration_needs_a_staff_token(self, client, lecture):
        got = client.post(
            f"/api/v1/activities/{lecture.pk}/registrations",
            json.dumps({"card": "X"}),
            content_type="application/json",
        )

        assert got.status_code == 401
        assert Registration.objects.count() == 0

    def test_an_unknown_card_is_named(self, api_client, library_staff, lecture):
        got = api_client(library_staff).post(
            f"/api/v1/activities/{lecture.pk}/registrations",
            json.dumps({"card": "NOPE"}),
            content_type="application/json",
        )

        assert (got.status_code, got.json()["error"]) == (404, "reader_not_found")
        assert Registration.objects.count() == 0
