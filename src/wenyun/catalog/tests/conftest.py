from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_file():
    return lambda name: DATA / name


@pytest.fixture
def item_types(db):
    from wenyun.catalog.models import ItemType

    book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "图书", "name_en": "Book"})
    children, _ = ItemType.objects.get_or_create(
        code="children", defaults={"name": "少儿图书", "name_en": "Children's book"}
    )
    return {"book": book, "children": children}


@pytest.fixture
def make_record(county_admin):
    from wenyun.catalog import services

    def make(title="三体", **fields):
        return services.record_create(actor=county_admin, title=title, **fields)

    return make


@pytest.fixture
def make_item(county_admin, item_types, unit):
    from wenyun.catalog import services

    def make(record, barcode, unit_code="YX-LIB", **fields):
        return services.item_create(
            actor=county_admin,
            record=record,
            barcode=barcode,
            home_unit=unit(unit_code),
            item_type=item_types["book"],
            **fields,
        )

    return make


@pytest.fixture
def shelf(make_record, make_item):
    """A small catalogue: 三体 with copies at the library and YX-S01, 活着 at YX-S01, an English book."""
    santi = make_record(
        "三体",
        responsibility="刘慈欣著",
        publisher="重庆出版社",
        year=2008,
        isbn="9787536692930",
        clc="I247.55",
    )
    huozhe = make_record("活着", responsibility="余华著", publisher="作家出版社", year=2012, clc="I247.57")
    english = make_record(
        "The three-body problem",
        responsibility="Cixin Liu",
        publisher="Tor Books",
        year=2014,
        language="eng",
        clc="I247.55",
    )
    make_item(santi, "B001")
    make_item(santi, "B002")
    make_item(santi, "B003", "YX-S01")
    make_item(huozhe, "B004", "YX-S01")
    return {"santi": santi, "huozhe": huozhe, "english": english}
