import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def door_counts(county):
    from django.core.cache import cache

    from wenyun.network.selectors import unit_get
    from wenyun.stats import services

    cache.clear()
    today = timezone.localdate()
    for offset, visits in ((1, 320), (2, 280), (40, 300)):
        services.door_count_set(
            actor=None, unit=unit_get(code="YX-LIB"), day=today - dt.timedelta(days=offset), visits=visits
        )
    services.door_count_set(
        actor=None, unit=unit_get(code="YX-S01"), day=today - dt.timedelta(days=1), visits=45
    )
    yield
    cache.clear()


def test_the_county_dashboard_draws_its_charts_from_the_vendored_library(
    page, live_url, login, door_counts, screenshot
):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    login("admin")
    page.goto(live_url("/staff/stats/?unit=YX"))
    expect(page.locator("h1")).to_contain_text("云溪县 统计")
    page.wait_for_function("document.documentElement.dataset.chartsDrawn > 0")
    assert page.locator("#panel-stations canvas").count() == 1
    expect(page.locator("#panel-stations table")).to_contain_text("城关镇综合文化站")
    expect(page.locator("#def-visits_total")).to_contain_text("总流通人次")
    assert failed == []
    assert all(url.startswith(live_url("/")) for url in _requested(page))
    screenshot(page, "dashboard-test", full_page=True)

    page.get_by_role("link", name="大屏").click()
    page.wait_for_function("document.documentElement.dataset.chartsDrawn > 0")
    expect(page.locator("body.wall h1")).to_contain_text("公共文化服务一览")


def _requested(page):
    return page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")


def test_a_station_manager_reads_the_dashboard_on_a_phone_and_in_english(
    phone_page, live_url, login, door_counts
):
    login("station01", on=phone_page)
    phone_page.goto(live_url("/staff/stats/"))
    phone_page.wait_for_function("document.documentElement.dataset.chartsDrawn > 0")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone_page.get_by_role("button", name="English").click()
    expect(phone_page.locator("h1")).to_contain_text("Statistics of")
    expect(phone_page.locator("#panel-trend h2")).to_contain_text("Loans and visits, month by month")


def test_the_annual_report_page_shows_the_forms_and_offers_the_xlsx(page, live_url, login):
    login("admin")
    year = timezone.localdate().year - 1
    page.goto(live_url(f"/staff/stats/annual/?year={year}&unit=YX"))
    expect(page.locator("#form-library")).to_contain_text("云溪县图书馆")
    expect(page.locator("#form-culture")).to_contain_text("云溪县文化馆")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 XLSX").click()
    assert download.value.suggested_filename == f"annual-statistics-YX-{year}.xlsx"
