"""The commonest PINs are refused when a PIN is set at the desk or changed (issue 15 item 9); PINs
imported from a legacy system are kept, and the report counts the weak ones."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from wenyun.circulation import services
from wenyun.circulation.imports import patrons_import
from wenyun.circulation.models import Reader
from wenyun.core.errors import DomainError

from . import factories as f

pytestmark = pytest.mark.django_db

TOO_COMMON = "This PIN is among the first anyone would guess (repeated digits, a run such as 1234, or a common PIN); choose another."
CARD_DIGITS = "This PIN is the last digits of the card number; choose another."
BIRTH_DATE = "This PIN is the reader's birth date; choose another."


def register(pin: str, *, card: str = "YX5001", id_number: str = "", actor=None, unit=None):
    return services.reader_register(
        actor=actor,
        card=card,
        name="周明",
        category=f.category("adult", "成人"),
        home_unit=unit,
        pin=pin,
        id_number=id_number,
    )


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("1234", TOO_COMMON),
        ("0000", TOO_COMMON),
        ("1111", TOO_COMMON),
        ("123456", TOO_COMMON),
        ("654321", TOO_COMMON),
        ("888888", TOO_COMMON),
        ("1212", TOO_COMMON),
        ("5201314", TOO_COMMON),
        ("5001", CARD_DIGITS),
        ("19491231", BIRTH_DATE),
        ("491231", BIRTH_DATE),
        ("1231", BIRTH_DATE),
    ],
)
def test_a_common_pin_is_refused_at_registration_and_no_reader_is_saved(unit, pin, reason):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        register(pin, id_number="11010519491231002X", unit=unit("YX-LIB"))

    assert refused.value.message == reason
    assert Reader.objects.filter(card="YX5001").exists() is False


def test_a_pin_nobody_guesses_first_is_accepted(unit):
    reader = register("3859", id_number="11010519491231002X", unit=unit("YX-LIB"))

    assert services.reader_pin_check(reader=reader, pin="3859") is True


def test_changing_to_a_common_pin_is_refused_and_the_old_pin_stays(unit):
    reader = register("3859", unit=unit("YX-LIB"))

    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        services.reader_update(actor=None, reader=reader, pin="0000")

    assert (
        refused.value.message
        == "这个密码太容易被猜到（重复的数字、1234 这样的顺序数字或常见密码），请换一个。"
    )
    assert services.reader_pin_check(reader=Reader.objects.get(pk=reader.pk), pin="3859") is True


def test_the_desk_form_shows_the_sentence_and_saves_no_reader(county, library_staff):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(library_staff)
    f.category("adult", "成人")

    page = client.post(
        "/staff/circulation/readers/new/",
        {"card": "YX5002", "name": "周明", "pin": "1111", "category": "adult", "home_unit": "YX-LIB"},
    )

    assert page.status_code == 200
    assert TOO_COMMON.replace("'", "&#x27;") in page.content.decode()
    assert Reader.objects.filter(card="YX5002").exists() is False


def test_imported_legacy_pins_are_kept_and_the_weak_ones_counted(county, tmp_path):
    f.category("adult", "成人")
    path = tmp_path / "legacy.csv"
    path.write_text(
        "card,name,pin,category,unit\n"
        "L0001,赵一,1234,adult,YX-LIB\n"
        "L0002,钱二,3859,adult,YX-LIB\n"
        "L0003,孙三,0003,adult,YX-LIB\n",
        encoding="utf-8",
    )

    report = patrons_import(path=path)

    assert (report.added, report.weak_pins, report.problems) == (3, 2, [])
    assert services.reader_pin_check(reader=Reader.objects.get(card="L0001"), pin="1234") is True
