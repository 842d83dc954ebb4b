"""The integration contract: readers, loans, checkout, checkin and holds over JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from wenyun.circulation.models import Hold, Loan

from . import factories as f

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(
        f"/api/v1/{path}", data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_a_reader_is_found_by_card_name_or_phone(api_client, library_staff, zhang):
    client = api_client(library_staff)

    by_name = client.get("/api/v1/readers", {"q": "张"}).json()
    one = client.get("/api/v1/readers/YX0001").json()

    assert by_name == [
        {
            "card": "YX0001",
            "name": "张三",
            "category": "adult",
            "home_unit": "YX-LIB",
            "expires_on": "2030-01-01",
        }
    ]
    assert (one["blocks"], one["loans"], one["fees_owed"], one["id_number"]) == ([], 0, "0.00", "")


def test_checkout_then_checkin_away_from_home_over_the_api(
    api_client, library_staff, village_manager, zhang, v01
):
    copy = f.item(home=v01, barcode="API001")

    lent = _post(
        api_client(village_manager),
        "circulation/checkout",
        {"card": "YX0001", "barcode": "API001", "unit": "YX-S01-V01"},
    )
    loans = api_client(library_staff).get("/api/v1/readers/YX0001/loans").json()
    back = _post(api_client(library_staff), "circulation/checkin", {"barcode": "API001", "unit": "YX-LIB"})

    due = Loan.objects.get(item=copy).due_on
    assert lent.status_code == 200
    assert lent.json() == {"barcode": "API001", "card": "YX0001", "due": due.isoformat(), "warning": None}
    assert [(loan["barcode"], loan["due"], loan["lending_unit"]) for loan in loans] == [
        ("API001", due.isoformat(), "YX-S01-V01")
    ]
    assert back.json() == {
        "barcode": "API001",
        "destination": {"action": "transit", "unit": "YX-S01-V01"},
        "hold_card": None,
        "fee": None,
    }


def test_a_refused_checkout_says_why_in_the_error_shape(api_client, library_staff, zhang, lib):
    zhang.expires_on = dt.date(2020, 1, 1)
    zhang.save()
    f.item(home=lib, barcode="API002")

    response = _post(
        api_client(library_staff),
        "circulation/checkout",
        {"card": "YX0001", "barcode": "API002", "unit": "YX-LIB"},
    )

    assert response.status_code == 409
    assert response.json() == {"error": "card_expired", "message": "Card YX0001 expired on 2020-01-01."}
    assert Loan.objects.count() == 0


def test_a_village_manager_cannot_lend_at_another_village(api_client, village_manager, zhang, unit):
    f.item(home=unit("YX-S02-V01"), barcode="API003")

    response = _post(
        api_client(village_manager),
        "circulation/checkout",
        {"card": "YX0001", "barcode": "API003", "unit": "YX-S02-V01"},
    )

    assert response.status_code == 403
    assert response.json()["error"] == "unit_forbidden"
    assert Loan.objects.count() == 0


def test_unknown_card_and_barcode_are_named(api_client, library_staff, zhang):
    client = api_client(library_staff)

    no_reader = _post(client, "circulation/checkout", {"card": "NOPE", "barcode": "X", "unit": "YX-LIB"})
    no_item = _post(client, "circulation/checkout", {"card": "YX0001", "barcode": "X404", "unit": "YX-LIB"})

    assert (no_reader.status_code, no_reader.json()) == (
        404,
        {"error": "reader_not_found", "message": "There is no reader with the card NOPE."},
    )
    assert (no_item.status_code, no_item.json()) == (
        404,
        {"error": "item_not_found", "message": "There is no copy with the barcode X404."},
    )


def test_holds_are_placed_with_their_place_in_the_queue(api_client, library_staff, zhang, wang, lib, s01):
    book = f.record("三体")
    f.item(home=lib, rec=book, barcode="API004")
    client = api_client(library_staff)

    first = _post(client, "holds", {"card": "YX0002", "record_id": book.pk, "pickup_unit": "YX-S01"})
    second = _post(client, "holds", {"card": "YX0001", "barcode": "API004", "pickup_unit": "YX-LIB"})
    both = _post(
        client,
        "holds",
        {"card": "YX0001", "barcode": "API004", "record_id": book.pk, "pickup_unit": "YX-LIB"},
    )

    assert first.json() == {
        "id": Hold.objects.get(reader=wang).pk,
        "card": "YX0002",
        "record_id": book.pk,
        "barcode": None,
        "pickup_unit": "YX-S01",
        "status": "waiting",
        "position": 1,
    }
    assert (second.json()["position"], second.json()["barcode"]) == (2, "API004")
    assert (both.status_code, both.json()["error"]) == (400, "hold_target_invalid")
    assert Hold.objects.count() == 2


def test_refusals_speak_chinese_by_default(api_client, library_staff):
    response = api_client(library_staff).post(
        "/api/v1/circulation/checkout",
        data=json.dumps({"card": "NOPE", "barcode": "X404", "unit": "YX-LIB"}),
        content_type="application/json",
    )

    assert response.json() == {"error": "reader_not_found", "message": "没有读者证号为 NOPE 的读者。"}


def test_the_api_needs_a_staff_token(client, zhang):
    response = client.get("/api/v1/readers/YX0001")

    assert response.status_code == 401
