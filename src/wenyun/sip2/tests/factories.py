"""Readers, records, copies and kiosk accounts made directly, for the SIP2 tests."""

from __future__ import annotations

import itertools

from django.contrib.auth.hashers import make_password

from wenyun.catalog.models import Item, ItemStatus, ItemType, Record
from wenyun.circulation.models import Reader, ReaderCategory
from wenyun.network.models import Unit
from wenyun.sip2.models import KioskAccount

_seq = itertools.count(1)
KIOSK_PASSWORD = "kiosk-pass-1"
PIN = "1234"
# Hashing costs ~0.3 s with Django's default hasher; the same hash serves every test reader.
_PIN_HASH: dict[str, str] = {}


def pin_hash(pin: str) -> str:
    if pin not in _PIN_HASH:
        _PIN_HASH[pin] = make_password(pin)
    return _PIN_HASH[pin]


def item_type(code: str = "book", name: str = "图书") -> ItemType:
    return ItemType.objects.get_or_create(code=code, defaults={"name": name, "name_en": code})[0]


def category(code: str = "adult", name: str = "成人") -> ReaderCategory:
    return ReaderCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": code})[0]


def record(title: str = "平凡的世界", author: str = "路遥") -> Record:
    return Record.objects.create(title=title, responsibility=author)


def item(
    *, home: Unit, title: str = "平凡的世界", barcode: str | None = None, rec: Record | None = None
) -> Item:
    return Item.objects.create(
        barcode=barcode or f"S{next(_seq):07d}",
        record=rec or record(title),
        home_unit=home,
        current_unit=home,
        item_type=item_type(),
        status=ItemStatus.AVAILABLE,
    )


def reader(*, home: Unit, card: str | None = None, name: str = "王小明", pin: str = PIN) -> Reader:
    return Reader.objects.create(
        card=card or f"R{next(_seq):07d}",
        name=name,
        category=category(),
        home_unit=home,
        pin_hash=pin_hash(pin) if pin else "",
    )


def kiosk(
    *, unit: Unit, name: str = "kiosk-yx", encoding: str = "utf-8", pin_required: bool = True
) -> KioskAccount:
    if KIOSK_PASSWORD not in _PIN_HASH:
        _PIN_HASH[KIOSK_PASSWORD] = make_password(KIOSK_PASSWORD)
    return KioskAccount.objects.create(
        name=name,
        password_hash=_PIN_HASH[KIOSK_PASSWORD],
        institution="YX",
        unit=unit,
        encoding=encoding,
        patron_pin_required=pin_required,
    )
