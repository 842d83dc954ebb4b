"""Item types: county administrators add, rename, lend or keep in the library, retire and delete them."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext

from wenyun.catalog import services
from wenyun.catalog.forms import ItemForm
from wenyun.catalog.models import CatalogEvent, Item, ItemType
from wenyun.circulation.models import CirculationRule
from wenyun.circulation.rules import rule_match
from wenyun.core.errors import Conflict, DomainError, Forbidden


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _snapshot():
    return sorted(ItemType.objects.values_list("code", "name", "name_en", "retired")), sorted(
        CirculationRule.objects.values_list("item_type__code", "loan_limit", "holds_allowed")
    )


def test_a_county_admin_adds_a_type_on_the_page_and_sees_it_listed(county_admin, item_types):
    client = _client(county_admin)
    response = client.post(
        "/staff/catalog/item-types/",
        {"code": "av", "name": "视听资料", "name_en": "Audio-visual", "loanable": "on"},
    )
    assert response.status_code == 302
    av = ItemType.objects.get(code="av")
    assert (av.name, av.name_en, av.retired) == ("视听资料", "Audio-visual", False)
    assert CatalogEvent.objects.filter(type="item_type_created").count() == 1
    page = client.get("/staff/catalog/item-types/").content.decode()
    assert "视听资料" in page and "Audio-visual" in page and "/staff/catalog/item-types/av/" in page


def test_a_type_not_for_loan_is_a_county_wide_matrix_row_lending_none(county_admin, item_types, unit):
    client = _client(county_admin)
    client.post("/staff/catalog/item-types/", {"code": "ref", "name": "工具书", "name_en": "Reference"})
    ref = ItemType.objects.get(code="ref")
    row = CirculationRule.objects.get(item_type=ref)
    assert (row.unit_id, row.category_id, row.loan_limit, row.holds_allowed) == (None, None, 0, False)
    match = rule_match(unit=unit("YX-S01"), category_id=None, item_type_id=ref.pk)
    assert match.rule.loan_limit == 0
    # Lent again: the same row lends as the county default does (10 when there is no default row).
    response = client.post(
        "/staff/catalog/item-types/ref/", {"name": "工具书", "name_en": "Reference", "loanable": "on"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.loan_limit, row.holds_allowed) == (10, True)
    assert services.item_type_loanable(item_type=ref)


def test_a_type_copies_use_is_refused_deletion_and_can_be_retired(county_admin, shelf, item_types):
    book = item_types["book"]
    before = _snapshot()
    with pytest.raises(Conflict) as refused:
        services.item_type_delete(actor=county_admin, item_type=book)
    assert refused.value.code == "item_type_in_use"
    assert refused.value.message == "4 copies are of the type 图书: it cannot be deleted, only retired."
    assert _snapshot() == before and Item.objects.filter(item_type=book).count() == 4
    services.item_type_retire(actor=county_admin, item_type=book)
    book.refresh_from_db()
    assert book.retired
    # No longer offered for a new copy, but a copy of it keeps it when edited.
    assert book not in ItemForm().fields["item_type"].queryset
    assert book in ItemForm(current_type=book).fields["item_type"].queryset


def test_the_page_says_why_a_type_in_use_is_not_deleted(county_admin, shelf, item_types):
    client = _client(county_admin)
    response = client.post("/staff/catalog/item-types/book/", {"action": "delete"})
    assert response.status_code == 200
    with translation.override("zh-hans"):
        refusal = ngettext(
            "%(count)s copy is of the type %(name)s: it cannot be deleted, only retired.",
            "%(count)s copies are of the type %(name)s: it cannot be deleted, only retired.",
            4,
        )
    assert refusal % {"count": 4, "name": "图书"} in response.content.decode()
    assert ItemType.objects.filter(code="book").exists()
    client.post("/staff/catalog/item-types/book/", {"action": "retire"})
    assert ItemType.objects.get(code="book").retired


def test_a_type_the_matrix_names_is_not_deleted_with_its_rows(county_admin, item_types):
    from wenyun.circulation.services import rule_save

    children = item_types["children"]
    rule_save(actor=county_admin, item_type=children, loan_days=21, loan_limit=5)
    before = _snapshot()
    with pytest.raises(Conflict) as refused:
        services.item_type_delete(actor=county_admin, item_type=children)
    assert refused.value.message == (
        "1 row of the circulation matrix names 少儿图书: remove it there first, or retire the type."
    )
    assert _snapshot() == before


def test_an_unused_type_is_deleted(county_admin, item_types):
    client = _client(county_admin)
    response = client.post("/staff/catalog/item-types/children/", {"action": "delete"})
    assert response.status_code == 302
    assert not ItemType.objects.filter(code="children").exists()
    assert CatalogEvent.objects.filter(type="item_type_deleted").count() == 1


@pytest.mark.parametrize(
    "code, name, message",
    [
        ("a b", "x", "The code 'a b' is not 1 to 20 letters, digits, hyphens or underscores."),
        ("BOOK", "图书2", "There is already an item type with the code BOOK."),
        ("new", "  ", "An item type needs a Chinese name."),
    ],
)
def test_wrong_input_is_named_and_nothing_is_saved(county_admin, item_types, code, name, message):
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        services.item_type_create(actor=county_admin, code=code, name=name)
    assert refused.value.message == message
    assert _snapshot() == before


def test_only_a_county_admin_changes_item_types(station_manager, library_staff, item_types):
    before = _snapshot()
    for user in (station_manager, library_staff):
        with pytest.raises(Forbidden):
            services.item_type_create(actor=user, code="av", name="视听资料")
        with pytest.raises(Forbidden):
            services.item_type_delete(actor=user, item_type=item_types["children"])
        response = _client(user).post("/staff/catalog/item-types/", {"code": "av", "name": "视听资料"})
        with translation.override("zh-hans"):
            assert gettext("Only a county administrator may do this.") in response.content.decode()
    assert _snapshot() == before
    page = _client(library_staff).get("/staff/catalog/item-types/children/").content.decode()
    assert "少儿图书" in page and 'name="action"' not in page
