"""The ledger for a station or village manager: county indicators as the county's figures, indicators
for other kinds of unit set apart, counts that add up, trends of the same units as the value now."""

from __future__ import annotations

import re

from django.utils import timezone

from wenyun.ledger import present, services
from wenyun.ledger.evaluate import IndicatorResult

YEAR = timezone.localdate().year


def _summary(page: str) -> list[int]:
    block = page.split('id="ledger-summary"', 1)[1].split('<div class="actions no-print">', 1)[0]
    return [int(n) for n in re.findall(r'<div class="value"[^>]*>(\d+)</div>', block)]


def _row(page: str, code: str) -> str:
    return page.split(f'id="indicator-{code}"', 1)[1].split("</tr>", 1)[0]


def test_a_village_manager_sees_the_county_standard_as_the_countys_figures(
    client, shipped, village_manager, county_admin
):
    client.force_login(county_admin)
    county_page = client.get(f"/staff/ledger/?standard=demo-zone-west-3&year={YEAR}").content.decode()
    client.force_login(village_manager)

    page = client.get(f"/staff/ledger/?standard=demo-zone-west-3&year={YEAR}").content.decode()

    total, *counts = _summary(page)
    assert total == 12 and sum(counts) == total
    assert 'id="county-reference-note"' in page
    for code in ("1.1", "2.1", "4.1", "5.1"):
        row = _row(page, code)
        assert "county-reference" in row and "0 / 0" not in row
        assert (
            row.split('class="num">', 1)[1].split("<", 1)[0]
            == (_row(county_page, code).split('class="num">', 1)[1].split("<", 1)[0])
        )


def test_a_village_manager_starts_on_the_village_rules_and_station_indicators_are_set_apart(
    client, shipped, village_manager
):
    client.force_login(village_manager)

    page = client.get(f"/staff/ledger/?year={YEAR}").content.decode()

    assert re.search(r'<option value="township-village-local" selected>', page)
    total, *counts = _summary(page)
    assert (
        sum(counts)
        == total
        == shipped["township-village-local"].indicators.filter(retired=False, scope="village").count()
    )
    assert 'id="indicator-V1"' in page and 'id="indicator-S1"' not in page
    assert 'id="elsewhere-S1"' in page
    assert "county-reference" not in _row(page, "V1")


def test_a_station_managers_trend_is_of_his_own_villages(client, shipped, station_manager, county_admin):
    standard = shipped["township-village-local"]
    services.snapshot_take(actor=county_admin, standard=standard, year=YEAR)
    client.force_login(station_manager)

    page = client.get(f"/staff/ledger/?standard=township-village-local&year={YEAR}").content.decode()

    row = _row(page, "V1")
    met, total = re.search(r"(\d+) / (\d+)", row).groups()
    trend = row.split('<td class="small muted">', 1)[1].split("<", 1)[0]
    assert int(total) < 20 and trend == met
    station_row = _row(page, "S1")
    value = station_row.split('class="num">', 1)[1].split("<", 1)[0]
    assert station_row.split('<td class="small muted">', 1)[1].split("<", 1)[0] == value


def test_no_unit_to_judge_is_said_plainly(shipped):
    standard = shipped["demo-zone-west-3"]
    share = IndicatorResult(indicator=standard.indicators.get(code="1.1"), rows=[], members={"YX": []})
    metric = IndicatorResult(indicator=standard.indicators.get(code="4.1"), rows=[])

    assert present.failing_sentence(share) == "There are no libraries to judge here."
    assert present.failing_sentence(metric) == "There is no unit to judge here."


def test_an_indicator_page_gives_a_village_manager_the_countys_figure_or_says_it_is_not_for_him(
    client, shipped, village_manager
):
    client.force_login(village_manager)

    county = client.get(f"/staff/ledger/demo-zone-west-3/2.1/?year={YEAR}").content.decode()
    station = client.get(f"/staff/ledger/township-village-local/S1/?year={YEAR}").content.decode()

    county_sentence = county.split('id="failing-sentence">', 1)[1].split("</p>", 1)[0]
    assert "全县数值" in county_sentence and "YX</td>" in county
    station_sentence = station.split('id="failing-sentence">', 1)[1].split("</p>", 1)[0]
    assert "不评判本单位" in station_sentence
