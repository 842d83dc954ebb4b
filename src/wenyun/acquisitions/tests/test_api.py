"""The acquisitions contract through the API, as another system would call it."""

from __future__ import annotations

import json

import pytest

from .helpers import isbn

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(f"/api/v1/acquisitions/{path}", data=json.dumps(body), content_type="application/json")


def test_order_send_receive_invoice_and_the_funds(api_client, county_admin, vendor, fund, book):
    client = api_client(county_admin)
    created = _post(
        client,
        "orders",
        {
            "vendor": "XH",
            "fund": "LIB-2026",
            "lines": [
                {
                    "isbn": isbn(1),
                    "title": "平凡的世界",
                    "price": "50.00",
                    "quantity": 3,
                    "destinations": [{"unit": "YX-LIB", "quantity": 1}, {"unit": "YX-S01", "quantity": 2}],
                },
            ],
        },
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert (order["status"], order["total"], order["lines"][0]["received"]) == ("draft", "120.00", 0)
    assert client.post(f"/api/v1/acquisitions/orders/{order['id']}/send").json()["status"] == "sent"

    first = _post(client, "receipts", {"order": order["id"], "isbn": isbn(1), "barcode": "API0001"})
    assert first.status_code == 201, first.content
    assert first.json()["destination"] == {"action": "shelve", "unit": "YX-LIB"}
    second = _post(client, "receipts", {"order": order["id"], "isbn": isbn(1), "barcode": "API0002"}).json()
    assert second["destination"] == {"action": "transit", "unit": "YX-S01"} and second["call_number"]
    taken = _post(client, "receipts", {"order": order["id"], "isbn": isbn(1), "barcode": "API0001"})
    assert (taken.status_code, taken.json()["error"]) == (409, "barcode_taken")
    wrong = _post(client, "receipts", {"order": order["id"], "isbn": isbn(9), "barcode": "API0009"})
    assert (wrong.status_code, wrong.json()["error"]) == (409, "isbn_not_ordered")

    line = client.get(f"/api/v1/acquisitions/orders/{order['id']}").json()["lines"][0]
    assert line["received"] == 2
    invoice = _post(
        client,
        "invoices",
        {
            "order": order["id"],
            "number": "FP1",
            "lines": [{"line": line["id"], "quantity": 2, "amount": "80.00"}],
        },
    )
    assert invoice.status_code == 201, invoice.content
    funds = client.get("/api/v1/acquisitions/funds", {"year": 2026}).json()
    assert funds == [
        {
            "code": "LIB-2026",
            "name": "县馆购书经费",
            "unit": "YX-LIB",
            "year": 2026,
            "source": "county_budget",
            "allocated": "100000.00",
            "committed": "40.00",
            "spent": "80.00",
            "available": "99880.00",
        }
    ]


def test_an_over_committed_fund_is_refused_before_anything_is_written(api_client, county_admin, vendor, fund):
    from wenyun.acquisitions.models import Order

    refused = _post(
        api_client(county_admin),
        "orders",
        {
            "vendor": "XH",
            "fund": "LIB-2026",
            "lines": [{"isbn": isbn(1), "title": "书", "price": "9999.00", "quantity": 100}],
        },
    )
    assert (refused.status_code, refused.json()["error"]) == (409, "fund_exceeded")
    assert "可用 100000.00 元" in refused.json()["message"]  # the figures, in the default language
    assert not Order.objects.exists()


def test_stations_see_no_orders_and_may_not_order(api_client, county_admin, station_manager, vendor, fund):
    order = _post(
        api_client(county_admin),
        "orders",
        {"vendor": "XH", "fund": "LIB-2026", "lines": [{"title": "书", "price": "1", "quantity": 1}]},
    ).json()
    station = api_client(station_manager)
    assert station.get(f"/api/v1/acquisitions/orders/{order['id']}").status_code == 404
    assert (
        _post(
            station,
            "orders",
            {"vendor": "XH", "fund": "LIB-2026", "lines": [{"title": "书", "price": "1", "quantity": 1}]},
        ).status_code
        == 403
    )
    assert station.get("/api/v1/acquisitions/funds").json() == []


def test_rotation_sets(api_client, station_manager, unit, book):
    from wenyun.acquisitions import services
    from wenyun.circulation.tests import factories as f

    v01, v02 = unit("YX-S01-V01"), unit("YX-S01-V02")
    f.item(home=v01, barcode="RS1", type=book)
    services.rotation_create(
        actor=station_manager,
        code="A",
        name="书箱A",
        owner=unit("YX-S01"),
        stops=[v01, v02],
        barcodes=["RS1"],
    )
    sets = api_client(station_manager).get("/api/v1/acquisitions/rotation-sets").json()
    assert [(s["code"], s["units"], s["current_unit"], s["items"]) for s in sets] == [
        ("A", ["YX-S01-V01", "YX-S01-V02"], "YX-S01-V01", 1)
    ]


def test_bad_input_is_answered_in_the_error_shape_and_writes_nothing(api_client, county_admin, vendor, fund):
    from wenyun.acquisitions.models import Invoice, Order

    client = api_client(county_admin)
    line = {"isbn": isbn(1), "title": "书", "price": "10", "quantity": 2}
    unknown_vendor = _post(client, "orders", {"vendor": "NOPE", "fund": "LIB-2026", "lines": [line]})
    assert (unknown_vendor.status_code, unknown_vendor.json()["error"]) == (404, "vendor_not_found")
    unknown_fund = _post(client, "orders", {"vendor": "XH", "fund": "NOPE", "lines": [line]})
    assert (unknown_fund.status_code, unknown_fund.json()["error"]) == (404, "fund_not_found")
    # Thirteen digits of the right form whose check digit does not add up: refused, naming the ISBN.
    bad_check = isbn(1)[:12] + str((int(isbn(1)[12]) + 1) % 10)
    refused = _post(
        client, "orders", {"vendor": "XH", "fund": "LIB-2026", "lines": [{**line, "isbn": bad_check}]}
    )
    assert (refused.status_code, refused.json()["error"]) == (409, "isbn_invalid")
    assert refused.json()["message"].startswith("第 1 行") and bad_check in refused.json()["message"]
    hyphens = _post(
        client, "orders", {"vendor": "XH", "fund": "LIB-2026", "lines": [{**line, "isbn": "978-7"}]}
    )
    assert (hyphens.status_code, hyphens.json()["error"]) == (400, "invalid")
    blank_title = _post(
        client, "orders", {"vendor": "XH", "fund": "LIB-2026", "lines": [{**line, "title": "  "}]}
    )
    assert blank_title.status_code == 400
    over = {**line, "destinations": [{"unit": "YX-S01", "quantity": 2}, {"unit": "YX-S02", "quantity": 1}]}
    spread = _post(client, "orders", {"vendor": "XH", "fund": "LIB-2026", "lines": [over]})
    assert (spread.status_code, spread.json()["error"]) == (400, "invalid")
    assert "订购 2 册，但分配给各单位的是 3 册" in spread.json()["message"]
    assert not Order.objects.exists()

    order = _post(client, "orders", {"vendor": "XH", "fund": "LIB-2026", "lines": [line]}).json()
    assert client.post(f"/api/v1/acquisitions/orders/{order['id']}/send").status_code == 200
    again = client.post(f"/api/v1/acquisitions/orders/{order['id']}/send")
    assert (again.status_code, again.json()["error"]) == (409, "wrong_status")
    no_line = _post(
        client,
        "invoices",
        {"order": order["id"], "number": "FP1", "lines": [{"line": 999999, "quantity": 1, "amount": "8"}]},
    )
    assert (no_line.status_code, no_line.json()["error"]) == (404, "invoice_line_unknown")
    assert not Invoice.objects.exists()
    no_order = _post(client, "receipts", {"order": 999999, "isbn": isbn(1), "barcode": "X1"})
    assert (no_order.status_code, no_order.json()["error"]) == (404, "order_not_found")
