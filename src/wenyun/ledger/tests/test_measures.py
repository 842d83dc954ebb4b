"""Units of measure follow the page's language: the standards files write them in Chinese."""

from __future__ import annotations

from django.utils import timezone, translation

from wenyun.ledger import present

YEAR = timezone.localdate().year


def test_an_english_ledger_writes_thresholds_with_english_units(client, shipped, county_admin):
    client.force_login(county_admin)
    client.cookies["django_language"] = "en"

    page = client.get(f"/staff/ledger/?standard=township-village-local&year={YEAR}").content.decode()
    standards = client.get("/staff/ledger/standards/").content.decode()

    row = page.split('id="indicator-S2"', 1)[1].split("</tr>", 1)[0]
    assert "&gt;= 42 hours" in row and "小时" not in row
    assert "&gt;= 42 hours" in standards and "&gt;= 1,500 volumes" in standards
    for chinese in ("册", "小时", " 场", " 人<"):
        assert chinese not in standards.split('id="standard-upload"', 1)[0].split("<table", 1)[1]


def test_the_chinese_ledger_keeps_the_units_as_the_standard_writes_them(shipped):
    indicator = shipped["township-village-local"].indicators.get(code="S2")
    with translation.override("zh-hans"):
        assert present.threshold_text(indicator) == ">= 42 小时"
    with translation.override("en"):
        assert present.threshold_text(indicator) == ">= 42 hours"
    assert present.measure_label("km") == "km"
