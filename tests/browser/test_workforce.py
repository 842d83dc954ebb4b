import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from wenyun.workforce import selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_staff(county):
    from wenyun.core.demo import demo_build

    demo_build(only=["workforce"], today=timezone.localdate(), out=lambda text: None)


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def test_the_bureau_opens_a_month_reviews_approves_and_downloads_it(
    demo_staff, page, live_url, login, screenshot
):
    month = _last_month().strftime("%Y-%m")
    login("admin")
    page.goto(live_url("/staff/workforce/rolls/"))

    # The month to open is suggested: the one after the last approved roll.
    expect(page.locator("#id_month")).to_have_value(month)
    page.get_by_role("button", name="生成该月发放表").click()

    expect(page.locator(".msg-success")).to_contain_text(f"{month} 的发放表已生成")
    expect(page.locator("#roll-total")).to_have_text("66900.00")
    expect(page.locator("#roll-status")).to_have_text("待审批")
    expect(page.locator("#roll-lines")).to_contain_text("农家书屋管理员")
    screenshot(page, "workforce-roll-review")

    page.locator("#approve").click()
    expect(page.locator(".msg-success")).to_contain_text(f"{month} 的发放表已审批并锁定")
    expect(page.locator("#roll-status")).to_have_text("已审批")
    expect(page.locator("#approve")).to_have_count(0)

    with page.expect_download() as download_info:
        page.locator("#download-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"subsidy-roll-{month}.xlsx"
    with open(download.path(), "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read())).active.iter_rows(values_only=True))
    totals = [row for row in rows if row[1] == "合计"]
    assert [Decimal(str(row[6])) for row in totals] == [Decimal("66900")]
    roll = selectors.roll_get(month=_last_month())
    assert (roll.status, roll.total) == ("approved", Decimal("66900.00"))


def test_a_station_manager_reads_his_villages_gaps_on_a_phone(
    demo_staff, phone_page, live_url, login, screenshot
):
    login("station07", on=phone_page)  # 云雾乡: two of its villages have no full-time worker in the demo
    phone_page.goto(live_url("/staff/workforce/staffing/"))

    expect(phone_page.locator("h1")).to_have_text("配备缺口")
    expect(phone_page.locator("#units-short")).to_have_text("2")
    expect(phone_page.locator("#gaps")).to_contain_text("缺专职文化工作人员（差 1 人）")
    expect(phone_page.locator("#gaps")).not_to_contain_text("城关")
    screenshot(phone_page, "workforce-staffing-phone", full_page=True)

    phone_page.goto(live_url("/staff/workforce/units/YX-S01-V01/"))
    assert phone_page.locator("#unit-staffing").count() == 0
