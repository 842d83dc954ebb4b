"""Values as people write them in migration files, read as what they meant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from wenyun.core.errors import DomainError
from wenyun.core.normalise import date_parse, phone_normalise, plain, price_parse


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_full_width_digits_and_letters_read_as_ascii():
    assert plain(" １３８０００Ａ ") == "138000A"


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("(519) 555 1234", "5195551234"),
        ("138-0000-0001", "13800000001"),
        ("138 0000 0001", "13800000001"),
        ("+86 138 0000 0001", "13800000001"),
        ("0086-13800000001", "13800000001"),
        ("+8613800000001", "13800000001"),
        ("１３８０００００００１", "13800000001"),
        ("（0871）6512 3456", "087165123456"),
        ("0871-65123456", "087165123456"),
        ("+1 (519) 555-1234", "+15195551234"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_a_phone_is_kept_as_its_digits_whatever_the_spaces_dashes_brackets_and_prefix(written, digits):
    assert phone_normalise(written) == digits


@pytest.mark.parametrize("written", ["1234", "call me", "138000000012345678", "13800000001 ext", "++86 1380"])
def test_a_phone_that_is_not_a_number_after_normalising_is_refused_by_name(written):
    with pytest.raises(DomainError) as refused:
        phone_normalise(written)

    assert refused.value.message == (
        f"{written} is not a phone number: give 5 to 15 digits (spaces, dashes and brackets may stay)."
    )


@pytest.mark.parametrize(
    ("written", "price"),
    [
        ("35", Decimal("35.00")),
        ("35.5", Decimal("35.50")),
        ("¥35.00", Decimal("35.00")),
        ("￥ 35.00", Decimal("35.00")),
        ("35元", Decimal("35.00")),
        ("35.00 元", Decimal("35.00")),
        ("RMB 35", Decimal("35.00")),
        ("３５．００", Decimal("35.00")),
        ("¥1,280.50", Decimal("1280.50")),
        ("１，２８０元", Decimal("1280.00")),
        ("", None),
    ],
)
def test_a_price_is_read_with_its_currency_marks_full_width_digits_and_thousand_separators(written, price):
    assert price_parse(written) == price


@pytest.mark.parametrize("written", ["free", "1,28", "-3", "12,345,67", "1e400", "NaN", "99999999"])
def test_a_price_that_is_not_one_is_refused_by_name(written):
    with pytest.raises(DomainError) as refused:
        price_parse(written)

    assert refused.value.message == f"{written} is not a price."


@pytest.mark.parametrize(
    "written",
    [
        "2026-01-05",
        "2026/1/5",
        "2026/01/05",
        "2026.1.5",
        "2026年1月5日",
        "2026 年 1 月 5 日",
        "２０２６年１月５日",
        "20260105",
        "2026-01-05 00:00:00",
    ],
)
def test_a_date_is_read_in_the_ways_people_write_it(written):
    assert date_parse(written) == dt.date(2026, 1, 5)


def test_an_empty_date_is_none():
    assert date_parse("  ") is None


@pytest.mark.parametrize("written", ["2026-02-30", "5/1/2026", "next week", "2026年13月1日", "99999-01-01"])
def test_a_date_that_is_not_one_is_refused_by_name(written):
    with pytest.raises(DomainError) as refused:
        date_parse(written)

    assert refused.value.message == f"{written} is not a date (e.g. 2026-01-05, 2026/1/5 or 2026年1月5日)."
