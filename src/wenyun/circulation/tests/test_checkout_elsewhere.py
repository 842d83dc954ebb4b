"""Lending a copy that the catalogue has on another unit's shelf: lent all the same, the desk is told, and
the loan's event says where the copy was recorded."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from wenyun.circulation import services
from wenyun.circulation.models import CirculationEvent, Loan

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

ELSEWHERE = (
    "E0001 was recorded on the shelf of Chengguan Town Cultural Station, not here: it is lent here all the same, "
    "and the loan notes where it was."
)


def test_lending_a_copy_shelved_at_another_unit_warns_and_records_where_it_was(
    library_staff, zhang, lib, s01
):
    copy = f.item(home=s01, barcode="E0001")

    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert loan.warning == ELSEWHERE
    event = CirculationEvent.objects.get(type="checkout")
    assert event.details == {"loan": loan.pk, "due": "2026-06-16", "shelved_at": "YX-S01"}
    copy.refresh_from_db()
    assert copy.current_unit == lib


def test_lending_a_copy_from_this_units_own_shelf_says_nothing_more(library_staff, zhang, lib):
    copy = f.item(home=lib, barcode="E0002")

    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert loan.warning == ""
    assert CirculationEvent.objects.get(type="checkout").details == {"loan": loan.pk, "due": "2026-06-16"}


def test_the_desk_shows_the_warning_beside_the_loan(library_staff, zhang, lib, s01):
    f.item(home=s01, barcode="E0001", rec=f.record("平凡的世界"))
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(library_staff)

    page = desk.post("/staff/circulation/scan/", {"scan": "E0001", "card": "YX0001"}, follow=True)

    html = page.content.decode()
    assert "平凡的世界 lent, due" in html
    assert f'<li class="msg msg-warning" role="status">{ELSEWHERE}</li>' in html
    assert Loan.objects.filter(item__barcode="E0001", reader=zhang, lending_unit=lib).count() == 1


def test_the_api_checkout_answers_the_warning(api_client, library_staff, zhang, lib, s01):
    f.item(home=s01, barcode="E0001")
    f.item(home=lib, barcode="E0002")
    client = api_client(library_staff)

    def lend(barcode):
        return client.post(
            "/api/v1/circulation/checkout",
            data=json.dumps({"card": "YX0001", "barcode": barcode, "unit": "YX-LIB"}),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    elsewhere, here = lend("E0001"), lend("E0002")

    assert (elsewhere.status_code, elsewhere.json()["warning"]) == (200, ELSEWHERE)
    assert (here.status_code, here.json()["warning"]) == (200, None)


def test_the_phone_page_shows_the_warning_after_the_loan(village_manager, zhang, v01, unit):
    f.item(home=unit("YX-S01-V02"), barcode="E0003", rec=f.record("红岩"))
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    phone.force_login(village_manager)

    lent = phone.post("/staff/circulation/m/", {"action": "lend", "card": "YX0001", "barcode": "E0003"})

    due = Loan.objects.get(item__barcode="E0003").due_on.isoformat()
    village = unit("YX-S01-V02").display_name
    assert (
        f'<p class="result result-warning" role="status" id="result">红岩 lent to 张三, due {due}. '
        f"E0003 was recorded on the shelf of {village}, not here: it is lent here all the same, "
        "and the loan notes where it was.</p>"
    ) in lent.content.decode()
