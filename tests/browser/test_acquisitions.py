"""The book's path in the browser (issue 17's "done when"): the county library orders 300 books from a
vendor on a fund, loads the vendor's MARC, receives them at the desk (a scanner's keystrokes, the rest
through the API), invoices them; 200 leave for the stations on the van and are received there; a
rotation set moves from one village to the next and is confirmed on the phone there; a reader takes a
new book home from the partner bookstore; the fund shows what is committed and spent."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]

TITLES = 30


def _isbn(n: int) -> str:
    from wenyun.catalog.isbn import isbn13_check

    body = f"978754{n:06d}"
    return body + isbn13_check(body)


@pytest.fixture
def hub(county):
    from wenyun.acquisitions import services
    from wenyun.circulation.models import DeliveryRoute
    from wenyun.circulation.tests import factories as f
    from wenyun.core.models import User
    from wenyun.network.selectors import unit_get

    admin = User.objects.get(username="admin")
    library = unit_get(code="YX-LIB")
    f.item_type("book", "图书")
    f.rule(loan_days=30, loan_limit=10)
    route = DeliveryRoute.objects.create(name="城关线", weekday=timezone.localdate().weekday())
    route.stops.set([library, unit_get(code="YX-S01"), unit_get(code="YX-S02")])
    services.vendor_save(actor=admin, code="XH", name="云溪县新华书店", rate="80", sends_marc=True)
    services.fund_create(
        actor=admin,
        code="LIB-NOW",
        name="县图书馆购书经费",
        year=timezone.localdate().year,
        unit=library,
        source="county_budget",
        allocated="50000",
    )
    return library


def _marc(n: int) -> bytes:
    import io

    from pymarc import Field, MARCWriter, Record, Subfield

    out = io.BytesIO()
    writer = MARCWriter(out)
    for i in range(1, n + 1):
        record = Record(force_utf8=True)
        record.add_field(Field(tag="001", data=f"XH{i:05d}"))
        record.add_field(Field(tag="020", indicators=[" ", " "], subfields=[Subfield("a", _isbn(i))]))
        record.add_field(Field(tag="093", indicators=[" ", " "], subfields=[Subfield("a", "I247.5")]))
        record.add_field(
            Field(tag="245", indicators=["1", "0"], subfields=[Subfield("a", f"乡村振兴故事第{i}辑")])
        )
        writer.write(record)
    return out.getvalue()


def test_the_book_path_from_the_vendor_to_the_stations(page, phone_page, live_url, login, screenshot, hub):
    from wenyun.acquisitions.models import Order, Receipt
    from wenyun.acquisitions.selectors import fund_figures, fund_get
    from wenyun.catalog.selectors import item_get
    from wenyun.core.services import api_token_create

    login("library")
    page.goto(live_url("/staff/acquisitions/orders/new/"))
    page.select_option("#id_vendor", label="云溪县新华书店")
    page.select_option("#id_fund", label="LIB-NOW 县图书馆购书经费")
    # 30 titles, 10 copies each: 300 books; the first 20 titles go 5 and 5 to two stations (200 books).
    lines = [
        f"{_isbn(i)}\t乡村振兴故事第{i}辑\t¥38.00\t10" + ("\tYX-S01:5 YX-S02:5" if i <= 20 else "")
        for i in range(1, TITLES + 1)
    ]
    page.fill("#id_lines", "\n".join(lines))
    page.click("form.card button")
    expect(page.locator("#lines")).to_contain_text("乡村振兴故事第30辑")
    order = Order.objects.get()
    page.click("text=发送给书商")
    expect(page.locator("h1")).to_contain_text("已发书商")

    page.set_input_files(
        "#id_file", files=[{"name": "xh.mrc", "mimeType": "application/marc", "buffer": _marc(TITLES)}]
    )
    page.click("text=导入")
    expect(page.locator(".messages")).to_contain_text("30 行订单找到了书目")
    screenshot(page, "acquisitions-order", full_page=True)

    # The receiving desk: the ISBN and the new barcode, as a scanner types them.
    page.click("text=验收图书")
    for code in ("L0000001", "L0000002"):
        page.fill("#id_isbn", _isbn(1))
        page.fill("#id_barcode", code)
        page.keyboard.press("Enter")
        expect(page.locator("#received")).to_contain_text(code)
    expect(page.locator("#received")).to_contain_text("I247.5/1")
    expect(page.locator("#received")).to_contain_text(
        "城关镇综合文化站"
    )  # the second copy of line 1 goes on the van
    screenshot(page, "acquisitions-receiving", full_page=True)

    # The rest through the API, as a scanner station of another system would send them.
    _row, token = api_token_create(username="library")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    barcode = 2
    for i in range(1, TITLES + 1):
        for _copy in range(10 - (2 if i == 1 else 0)):
            barcode += 1
            answer = api.post(
                "/api/v1/acquisitions/receipts",
                data=json.dumps({"order": order.pk, "isbn": _isbn(i), "barcode": f"L{barcode:07d}"}),
                content_type="application/json",
            )
            assert answer.status_code == 201, answer.content
    assert Receipt.objects.count() == 300
    assert Receipt.objects.exclude(destination__unit__code="YX-LIB").count() == 200

    page.goto(live_url(f"/staff/acquisitions/orders/{order.pk}/"))
    expect(page.locator("h1")).to_contain_text("已到齐")
    # The spine and barcode labels of the 300 copies, on A4 sheets of 65.
    page.select_option("#paper", value="a4-5x13")
    with page.expect_download() as download:
        page.click("#labels button")
    assert download.value.suggested_filename.endswith("-labels.pdf")
    assert Receipt.objects.filter(labelled_at__isnull=True).count() == 0
    page.fill("#id_number", "XH-FP-0001")
    page.click("text=录入发票")
    figures = fund_figures(funds=[fund_get(code="LIB-NOW")])
    spent = next(iter(figures.values()))
    assert (spent.committed, str(spent.spent)) == (0, "9120.00")  # 300 × 38 yuan at 八折
    page.goto(live_url("/staff/acquisitions/"))
    expect(page.locator("#funds")).to_contain_text("9120.00")

    # The van takes the 200 copies; 城关镇's station receives its 100.
    page.goto(live_url("/staff/circulation/van/"))
    page.click("[data-testid=send]")
    station = login("station01", on=phone_page)
    station.goto(live_url("/staff/circulation/van/"))
    station.click("[data-testid=receive]")
    item = item_get(barcode="L0000002")
    assert (item.current_unit.code, item.status) == ("YX-S01", "available")


def test_a_rotation_set_arrives_and_a_reader_chooses_a_book(browser, page, phone_page, live_url, login, hub):
    from wenyun.acquisitions import services
    from wenyun.acquisitions.models import ChoicePurchase, RotationMove
    from wenyun.circulation.tests import factories as f
    from wenyun.core.models import Role, User
    from wenyun.network.selectors import unit_get

    v01, v02 = unit_get(code="YX-S01-V01"), unit_get(code="YX-S01-V02")
    for n in range(5):
        f.item(home=v01, barcode=f"RB{n:04d}")
    station = User.objects.get(username="station01")
    services.rotation_create(
        actor=station,
        code="S01-A",
        name="城关流转书箱A",
        owner=unit_get(code="YX-S01"),
        stops=[v01, v02],
        barcodes=[f"RB{n:04d}" for n in range(5)],
    )
    login("station01")
    page.goto(live_url("/staff/acquisitions/rotation/"))
    page.click("#sets >> text=流转到下一站")
    expect(page.locator(".messages")).to_contain_text("书箱已发出")

    login("village0102", on=phone_page)
    phone_page.goto(live_url("/staff/acquisitions/"))
    phone_page.click("text=确认到达")
    expect(phone_page.locator(".messages")).to_contain_text("本点已签收上架 5 册")
    assert RotationMove.objects.get().status == "arrived"

    # At the partner bookstore: the clerk scans the card and the book; the reader walks out with it.
    admin = User.objects.get(username="admin")
    services.vendor_save(
        actor=admin, code="XHCG", name="新华书店城关门市部", partner_shop=True, shop_unit=hub
    )
    services.fund_create(
        actor=admin,
        code="RC-NOW",
        name="你选书我买单",
        year=timezone.localdate().year,
        unit=hub,
        source="reader_choice",
        allocated="2000",
    )
    f.reader(home=hub, card="YX55550001", name="黄忠", expires_on=dt.date(2030, 1, 1))
    User.objects.create_user(username="xhshop", password="wenyun-demo", role=Role.VILLAGE_MANAGER, unit=hub)
    page.context.clear_cookies()  # the station manager signs out; the shop clerk signs in
    login("xhshop")
    page.goto(live_url("/staff/acquisitions/choice/"))
    page.fill("#id_card", "YX55550001")
    page.fill("#id_isbn", _isbn(900))
    page.fill("#id_title", "我在北京送快递")
    page.fill("#id_year", str(timezone.localdate().year))
    page.fill("#id_price", "56.00")
    page.fill("#id_barcode", "C0000001")
    page.click("text=采购并借出")
    expect(page.locator("#lent")).to_contain_text("已借出")
    assert ChoicePurchase.objects.get().item.barcode == "C0000001"
    page.fill("#id_card", "YX55550001")
    page.fill("#id_isbn", _isbn(901))
    page.fill("#id_title", "高考数学真题汇编")
    page.fill("#id_year", str(timezone.localdate().year))
    page.fill("#id_price", "30")
    page.fill("#id_barcode", "C0000002")
    page.click("text=采购并借出")
    expect(page.locator(".messages")).to_contain_text("教材教辅")
