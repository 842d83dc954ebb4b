"""Paying a fee in parts or in full, waiving what is left, and the blocks that read the balance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wenyun.circulation import services
from wenyun.circulation.models import CirculationEvent, Fee
from wenyun.core.errors import DomainError

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _fee(reader, unit, amount: str) -> Fee:
    return Fee.objects.create(
        reader=reader, kind="lost", amount=Decimal(amount), unit=unit, created_at=MONDAY
    )


def _state(fee: Fee) -> tuple:
    fee.refresh_from_db()
    return (fee.status, fee.paid, fee.balance, fee.settled_at, CirculationEvent.objects.count())


def test_a_fee_paid_in_two_parts_is_settled_by_the_second(zhang, lib, library_staff):
    fee = _fee(zhang, lib, "38.00")

    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib, amount=Decimal("20.50"))
    fee.refresh_from_db()
    assert (fee.status, fee.paid, fee.balance, fee.settled_at) == (
        "open",
        Decimal("20.50"),
        Decimal("17.50"),
        None,
    )
    assert services.reader_status(reader=zhang).fees_owed == Decimal("17.50")

    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib)

    fee.refresh_from_db()
    assert (fee.status, fee.paid, fee.balance) == ("paid", Decimal("38.00"), Decimal("0.00"))
    assert fee.settled_at is not None
    assert services.reader_status(reader=zhang).fees_owed == Decimal("0.00")
    events = CirculationEvent.objects.filter(type="fee_paid").order_by("pk")
    assert [(e.details["amount"], e.details["paid"], e.details["balance"], e.via) for e in events] == [
        ("20.50", "20.50", "17.50", "desk"),
        ("17.50", "38.00", "0.00", "desk"),
    ]
    assert {e.reader_id for e in events} == {zhang.pk}


def test_an_amount_equal_to_the_balance_settles_the_fee(zhang, lib):
    fee = _fee(zhang, lib, "1.20")

    services.fee_pay(fee=fee, actor=None, at_unit=lib, via="sip2:kiosk", amount=Decimal("1.2"))

    fee.refresh_from_db()
    assert (fee.status, fee.paid, fee.balance) == ("paid", Decimal("1.20"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (Decimal("0"), "fee_amount_invalid", "The amount paid must be more than 0 yuan."),
        (Decimal("-1.00"), "fee_amount_invalid", "The amount paid must be more than 0 yuan."),
        (
            Decimal("5.001"),
            "fee_amount_invalid",
            "5.001 yuan has more than two decimals: the fen is the smallest unit.",
        ),
        (
            Decimal("17.51"),
            "fee_amount_over_balance",
            "17.51 yuan is more than the 17.50 yuan still owed on this fee.",
        ),
        ("abc", "fee_amount_invalid", "abc is not an amount in yuan."),
        (Decimal("NaN"), "fee_amount_invalid", "NaN is not an amount in yuan."),
    ],
)
def test_a_wrong_amount_is_refused_and_changes_nothing(zhang, lib, library_staff, amount, code, message):
    fee = _fee(zhang, lib, "38.00")
    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib, amount=Decimal("20.50"))
    before = _state(fee)

    with pytest.raises(DomainError) as refused:
        services.fee_pay(fee=fee, actor=library_staff, at_unit=lib, amount=amount)

    assert (refused.value.code, refused.value.message) == (code, message)
    assert _state(fee) == before


def test_a_settled_fee_takes_no_more_payments(zhang, lib, library_staff):
    fee = _fee(zhang, lib, "2.00")
    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib)
    before = _state(fee)

    with pytest.raises(DomainError) as refused:
        services.fee_pay(fee=fee, actor=library_staff, at_unit=lib, amount=Decimal("1.00"))

    assert (refused.value.code, refused.value.message) == ("fee_not_open", "This fee is already Paid.")
    assert _state(fee) == before


def test_waiving_a_part_paid_fee_forgives_only_the_balance(zhang, lib, library_staff):
    fee = _fee(zhang, lib, "38.00")
    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib, amount=Decimal("8.00"))

    services.fee_waive(fee=fee, actor=library_staff, at_unit=lib, reason="困难读者")

    fee.refresh_from_db()
    assert (fee.status, fee.paid, fee.balance, fee.note) == (
        "waived",
        Decimal("8.00"),
        Decimal("0.00"),
        "困难读者",
    )
    waived = CirculationEvent.objects.get(type="fee_waived")
    assert (waived.details["amount"], waived.details["note"]) == ("30.00", "困难读者")


def test_the_fees_block_lifts_when_the_balance_drops_to_the_limit(zhang, lib, library_staff):
    fee = _fee(zhang, lib, "12.00")
    copy = f.item(home=lib)
    assert [b.code for b in services.reader_blocks(reader=zhang)] == ["fees_over_limit"]

    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib, amount=Decimal("1.99"))
    blocks = services.reader_blocks(reader=zhang)
    assert [(b.code, b.message) for b in blocks] == [
        ("fees_over_limit", "10.01 yuan is owed, more than the limit of 10.00 yuan.")
    ]

    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib, amount=Decimal("0.01"))

    assert services.reader_blocks(reader=zhang) == []
    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff)
    assert loan.reader_id == zhang.pk


def test_a_village_manager_cannot_take_a_payment_at_another_unit(zhang, lib, village_manager):
    fee = _fee(zhang, lib, "3.00")
    before = _state(fee)

    with pytest.raises(DomainError) as refused:
        services.fee_pay(fee=fee, actor=village_manager, at_unit=lib, amount=Decimal("1.00"))

    assert refused.value.code == "unit_forbidden"
    assert _state(fee) == before


# ---------------------------------------------------------------- the desk and the API


def _desk(user, lang="en"):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_desk_takes_part_of_a_fee_and_prints_what_is_left(zhang, lib, library_staff):
    fee = _fee(zhang, lib, "38.00")
    desk = _desk(library_staff)

    shown = desk.get("/staff/circulation/?card=YX0001").content.decode()
    paid = desk.post(f"/staff/circulation/fees/{fee.pk}/", {"action": "pay", "amount": "20"}, follow=True)

    assert f'id="amount-{fee.pk}" name="amount" value="38.00"' in shown
    page = paid.content.decode()
    assert "Paid 20.00 yuan; 18.00 yuan still owed on this fee." in page
    payment = CirculationEvent.objects.get(type="fee_paid")
    assert f"/staff/circulation/fees/payments/{payment.pk}/receipt/" in page
    receipt = desk.get(f"/staff/circulation/fees/payments/{payment.pk}/receipt/").content.decode()
    assert '<span class="big" data-testid="paid-now">20.00</span>' in receipt
    assert '<strong data-testid="balance">18.00</strong>' in receipt
    fee.refresh_from_db()
    assert (fee.status, fee.paid) == ("open", Decimal("20.00"))


def test_the_desk_pays_the_balance_and_explains_a_wrong_amount_in_chinese(zhang, lib, library_staff):
    fee = _fee(zhang, lib, "3.00")
    desk = _desk(library_staff, lang="zh-hans")

    wrong = desk.post(f"/staff/circulation/fees/{fee.pk}/", {"action": "pay", "amount": "三元"}, follow=True)
    fee.refresh_from_db()
    assert (fee.paid, CirculationEvent.objects.count()) == (Decimal("0.00"), 0)
    assert "三元 不是以元计的金额。" in wrong.content.decode()

    desk.post(f"/staff/circulation/fees/{fee.pk}/", {"action": "pay", "amount": ""})

    fee.refresh_from_db()
    assert (fee.status, fee.paid, fee.balance) == ("paid", Decimal("3.00"), Decimal("0.00"))


def _post(client, path, body):
    import json

    return client.post(
        f"/api/v1/{path}", data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_api_lists_fees_and_takes_a_part_payment(api_client, zhang, lib, library_staff):
    fee = _fee(zhang, lib, "38.00")
    client = api_client(library_staff)

    part = _post(client, f"fees/{fee.pk}/pay", {"unit": "YX-LIB", "amount": "8.5"})
    listed = client.get("/api/v1/readers/YX0001/fees").json()
    owed = client.get("/api/v1/readers/YX0001").json()["fees_owed"]
    too_much = _post(client, f"fees/{fee.pk}/pay", {"unit": "YX-LIB", "amount": "30.00"})
    rest = _post(client, f"fees/{fee.pk}/pay", {"unit": "YX-LIB"})

    assert part.status_code == 200
    assert {k: part.json()[k] for k in ("paid_now", "paid", "balance", "status")} == {
        "paid_now": "8.50",
        "paid": "8.50",
        "balance": "29.50",
        "status": "open",
    }
    assert [(x["id"], x["amount"], x["paid"], x["balance"]) for x in listed] == [
        (fee.pk, "38.00", "8.50", "29.50")
    ]
    assert owed == "29.50"
    assert (too_much.status_code, too_much.json()) == (
        409,
        {
            "error": "fee_amount_over_balance",
            "message": "30.00 yuan is more than the 29.50 yuan still owed on this fee.",
        },
    )
    assert {k: rest.json()[k] for k in ("paid_now", "balance", "status")} == {
        "paid_now": "29.50",
        "balance": "0.00",
        "status": "paid",
    }
