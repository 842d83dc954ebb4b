"""The kiosk path's copy by barcode (one prepared statement) is the copy the ORM reads."""

from __future__ import annotations

import pytest

from wenyun.catalog import selectors
from wenyun.catalog.models import Item
from wenyun.core.errors import NotFound

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_a_copy_by_barcode_is_the_orm_row_with_its_title_units_and_type_attached(
    make_record, make_item, unit
):
    record = make_record("三体", call_number="I247.55/1")
    copy = make_item(record, "B0000001", call_number="I247.55/1:2")
    Item.objects.filter(pk=copy.pk).update(current_unit=unit("YX-S01"))

    quick = selectors.item_by_barcode(barcode=" B0000001 ")

    orm = Item.objects.select_related("record", "home_unit", "current_unit", "item_type").get(pk=copy.pk)
    assert _fields(quick) == _fields(orm)
    assert (quick.record.title, quick.record.call_number) == (orm.record.title, orm.record.call_number)
    assert (quick.home_unit.code, quick.home_unit.name) == (orm.home_unit.code, orm.home_unit.name)
    assert (quick.current_unit.code, quick.current_unit.name) == ("YX-S01", orm.current_unit.name)
    assert (quick.item_type.code, quick.item_type.name) == (orm.item_type.code, orm.item_type.name)


def test_an_unknown_barcode_is_refused_as_item_get_words_it():
    with pytest.raises(NotFound) as quick:
        selectors.item_by_barcode(barcode="NOPE")
    with pytest.raises(NotFound) as slow:
        selectors.item_get(barcode="NOPE")

    assert (quick.value.code, quick.value.message) == (slow.value.code, slow.value.message)
