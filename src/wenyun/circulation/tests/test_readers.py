"""Readers: one card for the county, identity numbers kept minimally, PINs, blocks that say why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from wenyun.circulation import services
from wenyun.circulation.models import CirculationEvent, Reader
from wenyun.circulation.rules import rule_match
from wenyun.core.errors import DomainError

from . import factories as f

pytestmark = pytest.mark.django_db


def test_a_reader_registered_with_an_identity_number_keeps_only_a_hash_and_its_last_four(
    lib, adult, library_staff
):
    reader = services.reader_register(
        actor=library_staff,
        card="YX100001",
        name="赵六",
        category=adult,
        home_unit=lib,
        phone="13800001234",
        id_number="11010519491231002x",
        pin="2468",
        expires_on=dt.date(2029, 12, 31),
    )

    reader.refresh_from_db()
    assert reader.id_number_last4 == "002X"
    assert reader.id_number_masked == "**************002X"
    assert len(reader.id_number_hash) == 64 and "110105" not in reader.id_number_hash
    assert services.reader_pin_check(reader=reader, pin="2468") is True
    assert services.reader_pin_check(reader=reader, pin="2469") is False
    event = CirculationEvent.objects.get(reader=reader)
    assert (event.type, event.details) == ("reader_registered", {"category": "adult"})


@pytest.mark.parametrize(
    "number, message",
    [
        ("110105194912310021", "The identity number's check digit is wrong: it should be X."),
        ("11010519491331002X", "The identity number's date of birth 19491331 is not a date."),
        ("1101051949123100", "An identity number has 17 digits and a check digit (0-9 or X)."),
    ],
)
def test_a_wrong_identity_number_is_refused_and_nobody_is_registered(
    lib, adult, library_staff, number, message
):
    with pytest.raises(DomainError) as refused:
        services.reader_register(
            actor=library_staff, card="YX100002", name="钱七", category=adult, home_unit=lib, id_number=number
        )

    assert (refused.value.code, refused.value.message) == ("id_number_invalid", message)
    assert not Reader.objects.filter(card="YX100002").exists()


def test_a_card_number_is_used_once_in_the_county(lib, v01, adult, library_staff):
    f.reader(home=v01, card="YX100003")

    with pytest.raises(DomainError) as refused:
        services.reader_register(
            actor=library_staff, card="YX100003", name="孙八", category=adult, home_unit=lib
        )

    assert (refused.value.code, refused.value.message) == (
        "reader_card_taken",
        "The card number YX100003 is already someone's card.",
    )
    assert Reader.objects.filter(card="YX100003").count() == 1


def test_a_manual_block_says_why_until_it_is_lifted(zhang, library_staff):
    blocked = services.reader_block(actor=library_staff, reader=zhang, reason="损坏图书未赔偿")

    status = services.reader_status(reader=blocked, today=dt.date(2026, 6, 1))
    assert [(b.code, b.message) for b in status.blocks] == [
        ("blocked", "The card is blocked: 损坏图书未赔偿")
    ]

    unblocked = services.reader_unblock(actor=library_staff, reader=zhang)

    assert services.reader_status(reader=unblocked, today=dt.date(2026, 6, 1)).blocks == []
    assert list(CirculationEvent.objects.filter(reader=zhang).values_list("type", flat=True)) == [
        "reader_blocked",
        "reader_unblocked",
    ]


def test_a_pin_hashed_the_old_slow_way_still_opens_the_card_and_is_stored_again_with_the_pin_hasher(zhang):
    from django.contrib.auth.hashers import make_password

    from wenyun.circulation.models import Reader

    Reader.objects.filter(pk=zhang.pk).update(pin_hash=make_password("2468"))
    zhang.refresh_from_db()
    assert not zhang.pin_hash.startswith("pbkdf2_pin$")

    assert services.reader_pin_check(reader=zhang, pin="1357") is False
    assert not Reader.objects.get(pk=zhang.pk).pin_hash.startswith(
        "pbkdf2_pin$"
    )  # a wrong PIN changes nothing
    assert services.reader_pin_check(reader=zhang, pin="2468") is True

    stored = Reader.objects.get(pk=zhang.pk).pin_hash
    assert stored.startswith("pbkdf2_pin$")
    assert services.reader_pin_check(reader=Reader.objects.get(pk=zhang.pk), pin="2468") is True
    assert services.reader_pin_check(reader=Reader.objects.get(pk=zhang.pk), pin="2469") is False


def test_the_most_specific_row_of_the_matrix_wins_and_says_why(lib, s01, v01, adult, book):
    minor = f.category("minor", "少儿")
    county = f.rule(loan_days=30)
    township = f.rule(unit=s01, loan_days=21)
    township_minors = f.rule(unit=s01, category=minor, loan_days=14)
    f.rule(unit=s01, category=minor, item_type=f.item_type("av", "音像"), loan_days=7)

    assert rule_match(unit=v01, category_id=adult.pk, item_type_id=book.pk).rule == township
    assert rule_match(unit=lib, category_id=minor.pk, item_type_id=book.pk).rule == county
    match = rule_match(unit=v01, category_id=minor.pk, item_type_id=book.pk, explain=True)
    assert match.rule == township_minors
    assert [(r.pk, why) for r, why in match.considered] == [
        (township_minors.pk, "the most specific row that matches"),
        (township.pk, "matches too, but is less specific"),
        (county.pk, "matches too, but is less specific"),
    ]


def test_a_type_kept_in_the_library_is_not_lent_by_a_wider_row_that_does_not_name_it(lib, s01, v01, adult):
    village = f.category("village", "农村读者")
    reference = f.item_type("reference", "工具书")
    f.rule(loan_days=30)
    villagers = f.rule(category=village, loan_limit=15)
    upland = f.rule(unit=s01, loan_days=60)
    kept = f.rule(item_type=reference, loan_limit=0, holds_allowed=False)

    match = rule_match(unit=v01, category_id=village.pk, item_type_id=reference.pk, explain=True)

    assert match.rule == kept
    assert [(r.pk, why) for r, why in match.considered][:1] == [
        (kept.pk, "names this item type and lends none: rows that do not name the type cannot lend it")
    ]
    assert {r.pk for r, _why in match.considered} >= {villagers.pk, upland.pk}
    # Other types are lent by the same rows as before.
    book = f.item_type("book2", "图书")
    assert rule_match(unit=v01, category_id=village.pk, item_type_id=book.pk).rule == upland
    # A row naming the type where it is lent still lends it there.
    lent_at_s01 = f.rule(unit=s01, item_type=reference, loan_days=7, loan_limit=2)
    assert rule_match(unit=v01, category_id=village.pk, item_type_id=reference.pk).rule == lent_at_s01


def test_with_no_row_the_county_default_applies(county, adult, book, lib):
    match = rule_match(unit=lib, category_id=adult.pk, item_type_id=book.pk)

    assert match.is_default is True
    assert (match.rule.loan_days, match.rule.loan_limit, match.rule.fee_per_day) == (30, 10, Decimal("0"))
