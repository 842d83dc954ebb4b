"""The staff pages: a fund, an order pasted from a spreadsheet, receiving at the desk, a rotation set's
arrival confirmed on the phone, and a reader's choice at the bookstore — in Chinese by default."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from wenyun.acquisitions import services
from wenyun.acquisitions.models import Order, Receipt, RotationMove
from wenyun.circulation.tests import factories as f

from .helpers import isbn

pytestmark = pytest.mark.django_db


def _client(user, lang="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_order_pasted_from_a_spreadsheet_sent_and_received_at_the_desk(
    county_admin, vendor, fund, book, unit
):
    client = _client(county_admin)
    pasted = f"{isbn(1)}\t平凡的世界\t¥50\t3\tYX-S01:2\n\n{isbn(2)}\t人生\t３０\t１\n"
    response = client.post(
        "/staff/acquisitions/orders/new/", {"vendor": vendor.pk, "fund": fund.pk, "lines": pasted}
    )
    body = response.content.decode()
    assert response.status_code == 302, body[body.find("<main") :][:3000]
    order = Order.objects.get()
    assert [(line.quantity, line.price) for line in order.lines.order_by("position")] == [(3, 40), (1, 24)]
    page = client.get(f"/staff/acquisitions/orders/{order.pk}/").content.decode()
    assert "平凡的世界" in page and "发送给书商" in page
    client.post(f"/staff/acquisitions/orders/{order.pk}/send/")
    order.refresh_from_db()
    assert order.status == "sent"
    desk = client.post(
        "/staff/acquisitions/receive/", {"order": order.pk, "isbn": isbn(1), "barcode": "W0001"}
    )
    assert desk.status_code == 200 and "W0001" in desk.content.decode()
    second = client.post(
        "/staff/acquisitions/receive/", {"order": order.pk, "isbn": isbn(1), "barcode": "W0002"}
    ).content.decode()
    assert "城关镇综合文化站" in second  # the box it goes in
    wrong = client.post(
        "/staff/acquisitions/receive/", {"order": order.pk, "isbn": isbn(9), "barcode": "W0009"}
    ).content.decode()
    assert isbn(9) in wrong and not Receipt.objects.filter(barcode="W0009").exists()
    assert Receipt.objects.count() == 2


def test_a_bad_pasted_line_is_named_and_nothing_is_saved(county_admin, vendor, fund):
    client = _client(county_admin, "en")
    response = client.post(
        "/staff/acquisitions/orders/new/",
        {"vendor": vendor.pk, "fund": fund.pk, "lines": f"{isbn(1)}\t好书\t20\t1\n978\t坏\t20\t1"},
    )
    assert response.status_code == 200
    assert "Line 2:" in response.content.decode()
    assert not Order.objects.exists()


def test_stations_see_their_funds_but_not_the_buying_pages(station_manager, county_admin, fund, unit):
    services.fund_split(actor=county_admin, fund=fund, unit=unit("YX-S01"), amount="5000")
    client = _client(station_manager)
    page = client.get("/staff/acquisitions/").content.decode()
    assert "LIB-2026-YX-S01" in page and "LIB-2026</td>" not in page
    assert client.get("/staff/acquisitions/orders/new/").status_code == 403
    assert client.get("/staff/acquisitions/receive/").status_code == 403


def test_the_village_confirms_a_rotation_set_on_its_phone(station_manager, unit, book, county):
    from wenyun.core.models import Role, User

    v01, v02 = unit("YX-S01-V01"), unit("YX-S01-V02")
    f.item(home=v01, barcode="RV1", type=book)
    rotation = services.rotation_create(
        actor=station_manager,
        code="A",
        name="书箱A",
        owner=unit("YX-S01"),
        stops=[v01, v02],
        barcodes=["RV1"],
    )
    manager = _client(station_manager)
    assert manager.post("/staff/acquisitions/rotation/A/move/").status_code == 302
    v02_manager = User.objects.create_user(username="v02", password="x", role=Role.VILLAGE_MANAGER, unit=v02)
    phone = _client(v02_manager)
    page = phone.get("/staff/acquisitions/").content.decode()
    assert "书箱A" in page and "确认到达" in page
    move = RotationMove.objects.get()
    assert phone.post(f"/staff/acquisitions/rotation/moves/{move.pk}/arrive/").status_code == 302
    move.refresh_from_db()
    assert move.status == "arrived"
    del rotation


def test_reader_choice_at_the_bookstore(county_admin, lib, rules):
    from wenyun.core.models import Role, User

    services.vendor_save(
        actor=county_admin, code="XHCG", name="新华书店城关门市", partner_shop=True, shop_unit=lib
    )
    services.fund_create(
        actor=county_admin,
        code="RC",
        name="你选书我买单",
        year=timezone.localdate().year,
        unit=lib,
        source="reader_choice",
        allocated="500",
    )
    f.reader(home=lib, card="YXK1", expires_on=dt.date(2030, 1, 1))
    clerk = User.objects.create_user(username="clerk", password="x", role=Role.VILLAGE_MANAGER, unit=lib)
    client = _client(clerk)
    form = {
        "shop": services.vendor_save.__module__
        and __import__("wenyun.acquisitions.models", fromlist=["Vendor"]).Vendor.objects.get(code="XHCG").pk,
        "card": "YXK1",
        "isbn": isbn(5),
        "title": "新书",
        "year": str(timezone.localdate().year),
        "price": "39",
        "barcode": "K0001",
    }
    page = client.post("/staff/acquisitions/choice/", form).content.decode()
    assert "已借出" in page
    assert Receipt.objects.filter(barcode="K0001").exists()
    refused = client.post(
        "/staff/acquisitions/choice/", {**form, "isbn": isbn(6), "price": "200", "barcode": "K0002"}
    ).content.decode()
    assert "80.00" in refused and not Receipt.objects.filter(barcode="K0002").exists()


def test_the_order_for_the_vendor_the_labels_and_the_packing_lists(county_admin, vendor, fund, book, unit):
    from wenyun.acquisitions.models import AcquisitionEvent

    s01 = unit("YX-S01")
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[
            services.LineIn(
                isbn=isbn(1),
                title="平凡的世界",
                price="50",
                quantity=2,
                clc="I247.5",
                destinations=[(s01, 1)],
            )
        ],
    )
    services.order_send(actor=county_admin, order=order)
    client = _client(county_admin)
    sheet = client.get(f"/staff/acquisitions/orders/{order.pk}/order.xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    for n in range(2):
        services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode=f"LB{n}")
    pdf = client.post(
        f"/staff/acquisitions/orders/{order.pk}/labels.pdf", {"paper": "a4-3x8", "kind": "both", "start": "3"}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert Receipt.objects.filter(labelled_at__isnull=False).count() == 2
    assert AcquisitionEvent.objects.filter(type="labels_printed").count() == 1
    again = client.post(
        f"/staff/acquisitions/orders/{order.pk}/labels.pdf", {"paper": "a4-3x8", "kind": "both"}
    )
    assert again.status_code == 302  # nothing new to print: back to the order with the sentence
    packing = client.get(f"/staff/acquisitions/orders/{order.pk}/packing.pdf")
    assert packing.status_code == 200 and packing.content.startswith(b"%PDF")
    wrong = client.post(
        f"/staff/acquisitions/orders/{order.pk}/labels.pdf", {"paper": "nonsense", "which": "all"}
    )
    assert wrong.status_code == 302


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "rotation"])
def test_the_arrival_goes_back_only_to_a_page_of_this_site(station_manager, unit, book, back):
    v01, v02 = unit("YX-S01-V01"), unit("YX-S01-V02")
    f.item(home=v01, barcode="RV9", type=book)
    rotation = services.rotation_create(
        actor=station_manager,
        code="B",
        name="书箱B",
        owner=unit("YX-S01"),
        stops=[v01, v02],
        barcodes=["RV9"],
    )
    move = services.rotation_move(actor=station_manager, rotation=rotation).move
    response = _client(station_manager).post(
        f"/staff/acquisitions/rotation/moves/{move.pk}/arrive/", {"next": back}
    )
    assert (response.status_code, response["Location"]) == (302, "/staff/acquisitions/rotation/")
    move.refresh_from_db()
    assert move.status == "arrived"


def test_the_arrival_goes_back_to_the_page_it_was_confirmed_on(station_manager, unit, book):
    v01, v02 = unit("YX-S01-V01"), unit("YX-S01-V02")
    f.item(home=v01, barcode="RV8", type=book)
    rotation = services.rotation_create(
        actor=station_manager,
        code="C",
        name="书箱C",
        owner=unit("YX-S01"),
        stops=[v01, v02],
        barcodes=["RV8"],
    )
    move = services.rotation_move(actor=station_manager, rotation=rotation).move
    response = _client(station_manager).post(
        f"/staff/acquisitions/rotation/moves/{move.pk}/arrive/", {"next": "/staff/acquisitions/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/staff/acquisitions/")


def test_an_order_step_that_does_not_exist_is_not_found(county_admin, station_manager, vendor, fund):
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[services.LineIn(title="书", price="1", quantity=1)],
    )
    assert _client(county_admin).post(f"/staff/acquisitions/orders/{order.pk}/approve/").status_code == 404
    assert _client(station_manager).post(f"/staff/acquisitions/orders/{order.pk}/send/").status_code == 403
    order.refresh_from_db()
    assert order.status == "draft"


def test_another_townships_set_is_not_there_to_move(station_manager, other_station_manager, unit, book):
    from wenyun.acquisitions.models import RotationSet

    v01, v02 = unit("YX-S01-V01"), unit("YX-S01-V02")
    f.item(home=v01, barcode="RV7", type=book)
    services.rotation_create(
        actor=station_manager,
        code="D",
        name="书箱D",
        owner=unit("YX-S01"),
        stops=[v01, v02],
        barcodes=["RV7"],
    )
    assert _client(other_station_manager).post("/staff/acquisitions/rotation/D/move/").status_code == 404
    assert RotationSet.objects.get(code="D").current_unit == v01 and not RotationMove.objects.exists()


def test_the_bookstore_looks_the_isbn_up_in_the_offer_lists(county_admin, vendor, lib):
    from wenyun.core.models import Role, User

    services.vendor_save(
        actor=county_admin, code="XHCG", name="新华书店城关门市", partner_shop=True, shop_unit=lib
    )
    services.offer_list_import(
        actor=county_admin,
        vendor=vendor,
        name="目录",
        filename="o.csv",
        content=f"ISBN,题名,责任者,出版年,定价\n{isbn(3)},我在北京送快递,胡安焉,2023,56\n".encode(),
    )
    clerk = User.objects.create_user(username="clerk2", password="x", role=Role.VILLAGE_MANAGER, unit=lib)
    page = (
        _client(clerk)
        .get("/staff/acquisitions/choice/", {"lookup": "1", "isbn": isbn(3), "card": "YX1"})
        .content.decode()
    )
    assert 'value="我在北京送快递"' in page and 'value="56.00"' in page and 'value="YX1"' in page
    unknown = (
        _client(clerk).get("/staff/acquisitions/choice/", {"lookup": "1", "isbn": isbn(4)}).content.decode()
    )
    assert "还不知道" in unknown or "Nothing is known" in unknown
