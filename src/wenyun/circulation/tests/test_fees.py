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
    return Fee.objects.create(reader=reader, kind="lost", amount=Decimal(amount), unit=unit, created_at=MONDAY)


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
