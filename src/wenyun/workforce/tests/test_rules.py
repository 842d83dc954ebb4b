import datetime as dt
from decimal import Decimal

import pytest

from wenyun.core.errors import DomainError
from wenyun.workforce import rules


def test_a_month_is_written_year_dash_month():
    assert rules.parse_month("2026-03") == dt.date(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "March", "", "2026-00", "0999-01"])
def test_anything_else_is_not_a_month(text):
    with pytest.raises(DomainError) as refused:
        rules.parse_month(text)

    assert refused.value.code == "month_invalid"
    assert "YYYY-MM" in refused.value.message


def test_a_partial_month_is_paid_by_calendar_days_to_the_fen():
    assert rules.prorate(monthly=Decimal(700), days=10, days_in_month=31) == Decimal("225.81")
    assert rules.prorate(monthly=Decimal(800), days=14, days_in_month=28) == Decimal("400.00")
    assert rules.prorate(monthly=Decimal(700), days=30, days_in_month=30) == Decimal("700.00")


def test_an_identity_number_is_checked_against_its_check_digit():
    good = rules.id_number_with_check("11010519491231002")

    assert good == "11010519491231002X"
    assert rules.id_number_clean(good.lower()) == good
    with pytest.raises(DomainError) as refused:
        rules.id_number_clean("110105194912310021")
    assert refused.value.message == "The identity number's check digit is wrong: it should end in X."


@pytest.mark.parametrize("number", ["1101051949123100", "11010519491331002X", "A10105194912310021"])
def test_a_malformed_identity_number_is_refused(number):
    with pytest.raises(DomainError) as refused:
        rules.id_number_clean(number)

    assert refused.value.code == "id_number_invalid"


def test_a_bank_account_may_be_written_with_spaces():
    assert rules.bank_account_clean("6228 4800 1234 5678 901") == "6228480012345678901"
    with pytest.raises(DomainError):
        rules.bank_account_clean("6228-48")
