import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from wenyun.ledger import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def standards(county):
    for path in services.standard_files():
        services.standard_load_file(actor=None, path=path)


def test_the_bureau_follows_a_failing_indicator_to_its_units_and_downloads_the_workbook(
    page, live_url, login, screenshot, standards
):
    login("admin")
    page.goto(live_url("/staff/ledger/?standard=township-village-local"))
    row = page.locator("#indicator-V2")
    expect(row).to_contain_text("村级中心每周开放时间")
    expect(row).to_contain_text("未达标")
    screenshot(page, "ledger", full_page=True)

    row.locator("a.failing-link").click()
    expect(page.locator("h1")).to_contain_text("V2 村级中心每周开放时间")
    sentence = page.locator("#failing-sentence")
    expect(sentence).to_contain_text("83 个单位中有")
    failing = page.locator("#unit-values tr.failing")
    expect(failing.first).to_contain_text("未达标")
    failing_count = failing.count()
    screenshot(page, "ledger-indicator")

    page.goto(live_url("/staff/ledger/?standard=township-village-local"))
    with page.expect_download() as download_info:
        page.locator("#download-workbook").click()
    download = download_info.value
    assert download.suggested_filename == f"ledger-township-village-local-{dt.date.today().year}.xlsx"
    with open(download.path(), "rb") as saved:
        book = load_workbook(saved)
    assert "服务供给" in book.sheetnames
    v2 = [r for r in book["服务供给"].iter_rows(values_only=True) if r[0] == "V2"]
    assert len(v2) == 83
    assert {r[11] for r in v2} == {"stats.metrics:weekly_opening_hours"}
    assert sum(1 for r in v2 if r[8] == "未达标") == failing_count


def test_a_resident_answers_a_satisfaction_survey_on_a_phone(phone_page, live_url, county):
    from wenyun.network.selectors import unit_get

    survey = services.survey_create(
        actor=None,
        unit=unit_get(code="YX-S01"),
        title="城关镇综合文化站群众满意度测评",
        opens=dt.date.today(),
        closes=dt.date.today() + dt.timedelta(days=7),
    )
    phone_page.goto(live_url(f"/survey/{survey.token}/"))
    for index in range(len(survey.questions)):
        phone_page.locator(f"input[name=q{index}][value='4']").check()
    phone_page.fill("#id_phone", "13800138000")
    phone_page.get_by_role("button", name="提交").click()
    expect(phone_page.locator("#survey-thanks")).to_contain_text("谢谢")
    assert survey.answers.count() == 1


def test_a_village_manager_starts_on_the_village_rules_and_sees_county_indicators_as_the_countys(
    page, live_url, login, standards
):
    login("village0101")
    page.goto(live_url("/staff/ledger/"))
    expect(page.locator("#ledger-choice select[name=standard]")).to_have_value("township-village-local")
    expect(page.locator("#indicator-V1")).to_be_visible()
    expect(page.locator("#elsewhere-S1")).to_contain_text("不评判本单位")

    page.goto(live_url("/staff/ledger/?standard=demo-zone-west-3"))
    values = [int(v) for v in page.locator("#ledger-summary .value").all_inner_texts()]
    assert values[0] == 12 and sum(values[1:]) == 12
    expect(page.locator("#indicator-2\\.1")).to_contain_text("全县数值")
    expect(page.locator("#indicator-2\\.1")).not_to_contain_text("0 / 0")
