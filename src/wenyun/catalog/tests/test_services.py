"""Staff add and edit records and copies; refusals say why and change nothing."""

import pytest

from wenyun.catalog import imports, services
from wenyun.catalog.models import CatalogEvent, Item, ItemStatus, Record
from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused


def test_a_record_is_created_with_its_marc_and_an_event(county_admin):
    record = services.record_create(
        actor=county_admin, title="活着", responsibility="余华著", isbn="978-7-5063-6543-7", clc="I247.57"
    )
    assert (record.isbn, record.control_number, record.call_number) == (
        "9787506365437",
        f"WY{record.pk:08d}",
        "I247.57",
    )
    from wenyun.catalog.marc import parse_iso2709

    marc = parse_iso2709(bytes(record.marc), encoding="utf-8")
    assert marc.first("245").subfields == [("a", "活着"), ("c", "余华著")]
    assert marc.first("020").get("a") == "9787506365437"
    assert CatalogEvent.objects.filter(type="record_created").count() == 1


def test_a_record_without_a_title_is_refused(county_admin):
    with pytest.raises(DomainError) as exc:
        services.record_create(actor=county_admin, title="  ")
    assert exc.value.code == "title_required"
    assert Record.objects.count() == 0


def test_a_wrong_isbn_check_digit_is_refused_for_staff_entry(county_admin):
    with pytest.raises(DomainError) as exc:
        services.record_create(actor=county_admin, title="三体", isbn="9787536692931")
    assert exc.value.code == "isbn_invalid"
    assert Record.objects.count() == 0


def test_an_implausible_year_is_refused(county_admin):
    with pytest.raises(DomainError) as exc:
        services.record_create(actor=county_admin, title="三体", year=3008)
    assert exc.value.code == "year_invalid"


def test_editing_a_record_changes_its_marc_and_keeps_the_other_fields(
    county_admin, item_types, data_file, unit
):
    with open(data_file("chinese-marc21-utf8.mrc"), "rb") as fh:
        imports.marc_import(stream=fh, owner=unit("YX-LIB"))
    record = Record.objects.get(control_number="CN0002")
    services.record_update(actor=county_admin, record=record, title="活着（修订版）", year=2017)
    from wenyun.catalog.marc import parse_iso2709

    marc = parse_iso2709(bytes(Record.objects.get(pk=record.pk).marc), encoding="utf-8")
    assert marc.first("245").get("a") == "活着（修订版）"
    assert marc.first("650").get("a") == "长篇小说"  # untouched fields stay
    assert len(marc.get_fields("952")) == 1


def test_a_record_with_copies_cannot_be_deleted(county_admin, shelf):
    with pytest.raises(Refused) as exc:
        services.record_delete(actor=county_admin, record=shelf["santi"])
    assert exc.value.code == "record_has_items"
    assert exc.value.message == "三体有 3 个复本：请先剔除或转移复本，再删除书目记录。"
    assert Record.objects.filter(pk=shelf["santi"].pk).exists()


def test_a_record_without_copies_is_deleted_and_leaves_the_search(county_admin, shelf):
    from wenyun.catalog.selectors import catalog_search

    services.record_delete(actor=county_admin, record=shelf["english"])
    assert not Record.objects.filter(pk=shelf["english"].pk).exists()
    assert catalog_search(q="three body").count == 0


def test_a_barcode_is_unique_county_wide(county_admin, shelf, make_item):
    with pytest.raises(Conflict) as exc:
        make_item(shelf["huozhe"], "B001", "YX-S02")
    assert exc.value.code == "barcode_taken"
    assert Item.objects.filter(barcode="B001").count() == 1


def test_a_barcode_with_spaces_is_refused(shelf, make_item):
    with pytest.raises(DomainError) as exc:
        make_item(shelf["huozhe"], "B 9")
    assert exc.value.code == "barcode_invalid"
    assert not Item.objects.filter(record=shelf["huozhe"], home_unit__code="YX-LIB").exists()


def test_a_station_manager_cannot_add_a_copy_to_another_station(
    other_station_manager, shelf, item_types, unit
):
    with pytest.raises(Forbidden):
        services.item_create(
            actor=other_station_manager,
            record=shelf["huozhe"],
            barcode="X1",
            home_unit=unit("YX-S01"),
            item_type=item_types["book"],
        )
    assert not Item.objects.filter(barcode="X1").exists()


def test_a_village_manager_adds_a_copy_to_his_village(village_manager, shelf, item_types, unit):
    item = services.item_create(
        actor=village_manager,
        record=shelf["huozhe"],
        barcode="V1",
        home_unit=unit("YX-S01-V01"),
        item_type=item_types["book"],
        price="¥25.50",
    )
    assert (item.current_unit.code, item.status, str(item.price), item.call_number) == (
        "YX-S01-V01",
        "available",
        "25.50",
        "I247.57",
    )


def test_a_bad_price_is_refused(shelf, make_item):
    with pytest.raises(DomainError) as exc:
        make_item(shelf["huozhe"], "P1", price="twelve")
    assert exc.value.code == "price_invalid"
    assert not Item.objects.filter(barcode="P1").exists()


def test_editing_a_copy_leaves_its_status_alone(county_admin, shelf):
    item = Item.objects.get(barcode="B001")
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.ON_LOAN)
    services.item_update(actor=county_admin, item=item, location="二楼借阅区", price="30")
    item.refresh_from_db()
    assert (item.location, str(item.price), item.status) == ("二楼借阅区", "30.00", "on_loan")
    with pytest.raises(TypeError):
        services.item_update(actor=county_admin, item=item, status="available")


def test_a_copy_on_loan_cannot_be_withdrawn(county_admin, shelf):
    item = Item.objects.get(barcode="B001")
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.ON_LOAN)
    with pytest.raises(Refused) as exc:
        services.item_withdraw(actor=county_admin, item=item)
    assert exc.value.code == "item_in_circulation"
    item.refresh_from_db()
    assert item.status == "on_loan"


def test_a_copy_on_the_shelf_is_withdrawn_with_an_event(station_manager, shelf):
    item = services.item_withdraw(actor=station_manager, item=Item.objects.get(barcode="B003"), reason="破损")
    assert item.status == "withdrawn"
    event = CatalogEvent.objects.get(type="item_withdrawn")
    assert (event.unit.code, event.details["reason"], event.details["previous"]) == (
        "YX-S01",
        "破损",
        "available",
    )


def test_a_village_manager_cannot_withdraw_a_library_copy(village_manager, shelf):
    with pytest.raises(Forbidden):
        services.item_withdraw(actor=village_manager, item=Item.objects.get(barcode="B001"))
    assert Item.objects.get(barcode="B001").status == "available"


def test_a_station_manager_cannot_catalogue_records(station_manager, shelf):
    with pytest.raises(Forbidden) as exc:
        services.record_create(actor=station_manager, title="新书")
    assert exc.value.code == "cataloguer_only"
    with pytest.raises(Forbidden):
        services.record_update(actor=station_manager, record=shelf["huozhe"], title="改名")
    assert Record.objects.get(pk=shelf["huozhe"].pk).title == "活着"
    assert not Record.objects.filter(title="新书").exists()
