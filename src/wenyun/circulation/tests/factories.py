"""Records, copies, readers and matrix rows made directly, for circulation's tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from wenyun.catalog.models import Item, ItemStatus, ItemType, Record
from wenyun.circulation.models import CirculationRule, Reader, ReaderCategory
from wenyun.core import versions
from wenyun.network.models import Unit

_seq = itertools.count(1)
_PIN_1234 = None


def item_type(code: str = "book", name: str = "图书") -> ItemType:
    return ItemType.objects.get_or_create(code=code, defaults={"name": name, "name_en": code})[0]


def category(code: str = "adult", name: str = "成人") -> ReaderCategory:
    return ReaderCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": code})[0]


def record(title: str = "平凡的世界", **fields) -> Record:
    return Record.objects.create(title=title, responsibility=fields.pop("author", "路遥"), **fields)


def item(
    *,
    home: Unit,
    rec: Record | None = None,
    barcode: str | None = None,
    type: ItemType | None = None,
    status: str = ItemStatus.AVAILABLE,
    current: Unit | None = None,
    price: Decimal | None = None,
) -> Item:
    return Item.objects.create(
        barcode=barcode or f"T{next(_seq):07d}",
        record=rec or record(),
        home_unit=home,
        current_unit=current or home,
        item_type=type or item_type(),
        status=status,
        price=price,
    )


def reader(
    *,
    home: Unit,
    card: str | None = None,
    name: str = "李四",
    cat: ReaderCategory | None = None,
    expires_on: dt.date | None = None,
    pin: str = "",
) -> Reader:
    global _PIN_1234
    pin_hash = ""
    if pin == "1234":
        _PIN_1234 = _PIN_1234 or make_password("1234")
        pin_hash = _PIN_1234
    elif pin:
        pin_hash = make_password(pin)
    return Reader.objects.create(
        card=card or f"R{next(_seq):08d}",
        name=name,
        category=cat or category(),
        home_unit=home,
        expires_on=expires_on,
        pin_hash=pin_hash,
    )


def rule(**fields) -> CirculationRule:
    fields.setdefault("loan_days", 30)
    fields.setdefault("loan_limit", 10)
    fields.setdefault("renewals", 1)
    row = CirculationRule.objects.create(**fields)
    versions.bump(versions.CIRCULATION_RULES)  # written directly, as a data migration would
    return row
