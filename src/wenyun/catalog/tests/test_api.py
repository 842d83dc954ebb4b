"""The integration contract: GET catalog/search (public) and GET items/{barcode} (staff)."""

import datetime as dt

from django.test import Client

from wenyun.catalog.models import Item


def test_search_is_public_and_has_the_contract_shape(shelf):
    response = Client().get("/api/v1/catalog/search", {"q": "三體"})
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "results": [
            {
                "id": shelf["santi"].pk,
                "title": "三体",
                "author": "刘慈欣著",
                "isbn": "9787536692930",
                "clc": "I247.55",
                "availability": [
                    {"unit": "YX-LIB", "available": 2, "total": 2},
                    {"unit": "YX-S01", "available": 1, "total": 1},
                ],
            }
        ],
    }


def test_search_by_unit_and_page(shelf):
    body = Client().get("/api/v1/catalog/search", {"q": "活着", "unit": "YX-LIB", "page": 1}).json()
    assert body == {"count": 0, "results": []}
    body = Client().get("/api/v1/catalog/search", {"q": "huozhe", "unit": "YX-S01"}).json()
    assert [r["title"] for r in body["results"]] == ["活着"]


def test_search_with_an_unknown_unit_says_so(shelf):
    response = Client().get("/api/v1/catalog/search", {"q": "三体", "unit": "NOPE"})
    assert response.status_code == 404
    assert response.json()["error"] == "unit_not_found"


def test_an_item_by_barcode_for_staff(api_client, library_staff, shelf):
    response = api_client(library_staff).get("/api/v1/items/B003")
    assert response.status_code == 200
    assert response.json() == {
        "barcode": "B003",
        "record_id": shelf["santi"].pk,
        "title": "三体",
        "home_unit": "YX-S01",
        "current_unit": "YX-S01",
        "status": "available",
        "due": None,
    }


def test_an_item_on_loan_shows_its_due_date(api_client, library_staff, shelf, unit):
    from django.utils import timezone

    from wenyun.circulation.models import Loan, Reader, ReaderCategory

    item = Item.objects.get(barcode="B001")
    category = ReaderCategory.objects.create(code="adult", name="成人")
    reader = Reader.objects.create(card="R0001", name="张三", category=category, home_unit=unit("YX-LIB"))
    Loan.objects.create(
        item=item,
        reader=reader,
        lending_unit=unit("YX-LIB"),
        out_at=timezone.now(),
        due_on=dt.date(2026, 12, 3),
    )
    Item.objects.filter(pk=item.pk).update(status="on_loan")
    body = api_client(library_staff).get("/api/v1/items/B001").json()
    assert (body["status"], body["due"]) == ("on_loan", "2026-12-03")


def test_an_unknown_barcode_is_item_not_found(api_client, library_staff, shelf):
    response = api_client(library_staff).get("/api/v1/items/NOPE")
    assert response.status_code == 404
    assert response.json()["error"] == "item_not_found"


def test_items_need_a_staff_token(shelf):
    response = Client().get("/api/v1/items/B001")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_search_refuses_a_query_too_long_with_the_error_shape(shelf):
    response = Client().get("/api/v1/catalog/search", {"q": "x" * 10_000})
    assert response.status_code == 400
    assert response.json() == {
        "error": "query_too_long",
        "message": "搜索词最多 200 个字符，这次有 10000 个。",
    }
