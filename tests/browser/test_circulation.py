"""The circulation desk with a barcode scanner (keyboard only) and a reader placing a hold on the portal."""

import datetime as dt

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
]


@pytest.fixture
def desk_data(county):
    from wenyun.circulation.tests import factories as f
    from wenyun.network.selectors import unit_get

    library = unit_get(code="YX-LIB")
    village = unit_get(code="YX-S01-V01")
    f.rule(loan_days=30)
    reader = f.reader(
        home=library, card="YX77770001", name="刘备", expires_on=dt.date(2030, 1, 1), pin="1234"
    )
    home_copy = f.item(home=library, barcode="B77770001", rec=f.record("三国演义", author="罗贯中"))
    village_copy = f.item(home=village, barcode="B77770002", rec=f.record("水浒传", author="施耐庵"))
    return reader, home_copy, village_copy


def _scan(page, code: str) -> None:
    # A scanner types the code and presses Enter; the page keeps the focus in the scan box.
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_librarian_lends_and_takes_back_with_the_scanner_only(page, live_url, login, screenshot, desk_data):
    from wenyun.catalog.models import Item

    login("library")
    page.goto(live_url("/staff/circulation/"))
    expect(page.locator("#scan")).to_be_focused()

    _scan(page, "YX77770001")
    expect(page.locator("#reader")).to_contain_text("刘备")
    expect(page.locator("#scan")).to_be_focused()
    _scan(page, "B77770001")
    expect(page.locator(".msg-success")).to_contain_text("《三国演义》已借出")
    _scan(page, "B77770002")
    expect(page.locator("#loans")).to_contain_text("水浒传")
    screenshot(page, "circulation-desk", full_page=True)

    page.goto(live_url("/staff/circulation/checkin/"))
    expect(page.locator("#scan")).to_be_focused()
    _scan(page, "B77770001")
    expect(page.locator(".msg-success")).to_contain_text("在本馆上架")
    _scan(page, "B77770002")
    expect(page.locator(".msg-warning")).to_contain_text("送往城东社区文化活动中心")
    expect(page.locator("#recent")).to_contain_text("调拨单")
    screenshot(page, "circulation-checkin", full_page=True)
    assert Item.objects.get(barcode="B77770001").status == "available"
    assert Item.objects.get(barcode="B77770002").status == "in_transit"

    with page.expect_popup() as slip:
        page.locator("#recent a", has_text="调拨单").first.click()
    expect(slip.value.locator(".big")).to_contain_text("城东社区文化活动中心")
    screenshot(slip.value, "circulation-routing-slip")


def test_a_blocked_card_is_refused_at_the_desk_with_its_reason(page, live_url, login, desk_data):
    from wenyun.circulation.models import Loan

    reader, _home, _village = desk_data
    reader.manual_block = "冒用他人借书证"
    reader.save()
    login("library")
    page.goto(live_url("/staff/circulation/"))

    _scan(page, "YX77770001")
    expect(page.locator("#blocks")).to_contain_text("读者证已停借：冒用他人借书证")
    _scan(page, "B77770001")
    expect(page.locator(".msg-error")).to_contain_text("读者证已停借：冒用他人借书证")
    assert Loan.objects.count() == 0


def test_a_reader_places_a_hold_from_a_phone(phone_page, live_url, screenshot, desk_data):
    from wenyun.circulation.models import Hold

    reader, home_copy, _village = desk_data
    phone_page.goto(live_url("/account/login/"))
    phone_page.fill("#card", "YX77770001")
    phone_page.fill("#pin", "1234")
    phone_page.get_by_role("button", name="登录").click()
    expect(phone_page.locator("#me")).to_contain_text("刘备")

    phone_page.goto(live_url(f"/account/holds/new/{home_copy.record_id}/"))
    phone_page.select_option("#pickup", "YX-S01-V01")
    phone_page.get_by_role("button", name="确认预约").click()

    expect(phone_page.locator(".msg-success")).to_contain_text("预约成功：您是《三国演义》的第 1 位预约者。")
    expect(phone_page.locator("#holds")).to_contain_text("城东社区文化活动中心")
    screenshot(phone_page, "circulation-reader-account", full_page=True)
    hold = Hold.objects.get(reader=reader)
    assert (hold.record_id, hold.pickup_unit.code, hold.status) == (
        home_copy.record_id,
        "YX-S01-V01",
        "waiting",
    )


def test_a_reader_finds_a_book_in_the_catalogue_signs_in_and_places_a_hold(
    phone_page, live_url, screenshot, desk_data
):
    from wenyun.catalog import services
    from wenyun.circulation.models import Hold
    from wenyun.circulation.tests import factories as f
    from wenyun.core.models import User
    from wenyun.network.selectors import unit_get

    reader, _home, _village = desk_data
    record = services.record_create(
        actor=User.objects.get(username="admin"), title="西游记", responsibility="吴承恩著"
    )
    f.item(home=unit_get(code="YX-LIB"), rec=record, barcode="B77770003")
    phone_page.goto(live_url("/"))
    phone_page.fill("input[name=q]", "xyj")
    phone_page.keyboard.press("Enter")
    phone_page.locator(".hit h3 a", has_text="西游记").click()
    expect(phone_page.locator("h1")).to_have_text("西游记")
    phone_page.get_by_role("link", name="预约", exact=True).click()

    expect(phone_page).to_have_url(
        live_url(f"/account/login/?next=%2Faccount%2Fholds%2Fnew%2F{record.pk}%2F")
    )
    phone_page.fill("#card", "YX77770001")
    phone_page.fill("#pin", "1234")
    phone_page.get_by_role("button", name="登录").click()
    expect(phone_page.locator("#hold-form")).to_contain_text("西游记")
    phone_page.select_option("#pickup", "YX-S01")
    phone_page.get_by_role("button", name="确认预约").click()

    expect(phone_page).to_have_url(live_url("/account/"))
    expect(phone_page.locator("#holds")).to_contain_text("西游记")
    expect(phone_page.locator("#holds")).to_contain_text("城关镇综合文化站")
    hold = Hold.objects.get(reader=reader)
    assert (hold.record_id, hold.pickup_unit.code, hold.status) == (record.pk, "YX-S01", "waiting")
