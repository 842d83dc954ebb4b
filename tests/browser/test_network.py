import re

import pytest
from playwright.sync_api import expect

from wenyun.network import selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_admin_edits_a_station_opening_hours(page, live_url, login, screenshot):
    login("admin")
    page.goto(live_url("/staff/network/"))
    expect(page.locator("#unit-tree")).to_contain_text("城关镇综合文化站")
    screenshot(page, "network-tree")

    page.get_by_role("link", name="城关镇综合文化站").click()
    page.locator("#edit-hours").click()
    # Saturday's first period becomes 09:00–17:00, the second period stays empty.
    page.fill("input[name=d5_0_opens]", "09:00")
    page.fill("input[name=d5_0_closes]", "17:00")
    page.get_by_role("button", name="保存开放时间").click()

    expect(page.locator(".msg-success")).to_contain_text("开放时间已保存")
    expect(page.locator("#hours-table")).to_contain_text("09:00–17:00")
    station = selectors.unit_get(code="YX-S01")
    assert selectors.unit_weekly_schedule(unit=station)[5][0][0].strftime("%H:%M") == "09:00"
    assert selectors.unit_weekly_schedule(unit=station)[5][0][1].strftime("%H:%M") == "17:00"


def test_the_portal_is_chinese_and_switches_to_english(page, live_url, screenshot):
    page.goto(live_url("/"))
    expect(page.locator("h1")).to_contain_text("云溪县公共文化服务")
    screenshot(page, "portal")

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_contain_text("public culture")
    expect(page.locator(".mainnav")).to_contain_text(re.compile("Where to find us"))


def test_a_village_manager_on_a_phone_sees_only_his_village(phone_page, live_url, login):
    login("village0101", on=phone_page)
    phone_page.goto(live_url("/staff/network/"))
    tree = phone_page.locator("#unit-tree")
    expect(tree).to_contain_text("城东社区")
    expect(tree).not_to_contain_text("城关镇综合文化站")
    assert phone_page.locator("#unit-tree a").count() == 1
