"""The annual report: totals equal the sum of the units, the previous year beside, the XLSX and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from django.utils import timezone, translation

from wenyun.stats import services
from wenyun.stats.report import annual_report, report_as_dict
from wenyun.stats.xlsx import annual_report_xlsx

LAST_YEAR = timezone.localdate().year - 1


def _figures(unit):
    services.manual_figure_set(
        actor=None, unit=unit("YX-LIB"), code="reading_seats", year=LAST_YEAR, value=300
    )
    services.manual_figure_set(
        actor=None, unit=unit("YX-LIB"), code="reading_seats", year=LAST_YEAR - 1, value=260
    )
    services.manual_figure_set(
        actor=None, unit=unit("YX-S01"), code="reading_seats", year=LAST_YEAR, value=40
    )
    services.manual_figure_set(
        actor=None, unit=unit("YX-S01-V03"), code="reading_seats", year=LAST_YEAR, value=12
    )
    services.manual_figure_set(
        actor=None, unit=unit("YX-LIB"), code="acquisition_spending", year=LAST_YEAR, value="150000.00"
    )
    services.manual_figure_set(
        actor=None, unit=unit("YX-LIB"), code="acquisition_spending", year=LAST_YEAR - 1, value="120000.00"
    )


def test_each_form_has_a_row_per_institution_and_its_totals_are_the_sum_of_the_rows(unit):
    _figures(unit)
    report = annual_report(unit=unit("YX"), year=LAST_YEAR)
    library = next(f for f in report.forms if f.key == "library")
    assert [row.unit.code for row in library.rows] == ["YX-LIB"] + [f"YX-S{n:02d}" for n in range(1, 12)]
    for form in report.forms:
        for item in form.items:
            if item.available:
                assert item.total == sum(row.values[item.code] for row in form.rows), item.code
    seats = next(i for i in library.items if i.code == "reading_seats")
    assert seats.total == 352
    assert [row.values["reading_seats"] for row in library.rows[:2]] == [300, 52]
    assert seats.previous == 260
    assert seats.change == 92
    assert seats.change_pct == 35.4
    spending = next(i for i in library.items if i.code == "acquisition_spending")
    assert (spending.total, spending.previous, spending.change_pct) == (
        Decimal("150000.00"),
        Decimal("120000.00"),
        25.0,
    )


def test_a_station_report_has_the_station_with_its_villages_as_its_one_row(unit):
    _figures(unit)
    report = annual_report(unit=unit("YX-S01"), year=LAST_YEAR)
    library = next(f for f in report.forms if f.key == "library")
    assert [row.unit.code for row in library.rows] == ["YX-S01"]
    assert next(i for i in library.items if i.code == "reading_seats").total == 52


def test_the_xlsx_is_laid_out_like_the_form_and_defines_every_item(unit):
    _figures(unit)
    with translation.override("zh-hans"):
        report = annual_report(unit=unit("YX"), year=LAST_YEAR)
        book = openpyxl.load_workbook(io.BytesIO(annual_report_xlsx(report)))
    first = book.worksheets[0]
    header = [c.value for c in first[4]]
    codes = [c.value for c in first[6]]
    assert header[:2] == ["单位代码", "机构名称"]
    seats_column = codes.index("reading_seats") + 1
    assert first.cell(row=7, column=1).value == "YX-LIB"
    assert first.cell(row=7, column=seats_column).value == 300
    assert first.cell(row=8, column=seats_column).value == 52
    total_row = 7 + 12
    assert first.cell(row=total_row, column=2).value == "合计"
    assert first.cell(row=total_row, column=seats_column).value == 352
    definitions = book.worksheets[-1]
    defined = {row[0].value: row[4].value for row in definitions.iter_rows(min_row=2)}
    for code in codes[2:]:
        assert defined[code], code


def test_the_report_as_json_carries_totals_rows_and_what_is_not_recorded(unit):
    _figures(unit)
    data = report_as_dict(annual_report(unit=unit("YX"), year=LAST_YEAR))
    assert data["year"] == LAST_YEAR
    assert data["unit"] == "YX"
    library = data["forms"][0]
    seats = next(i for i in library["items"] if i["code"] == "reading_seats")
    assert (seats["total"], seats["previous"], seats["recorded"]) == (352, 260, True)
    assert library["rows"][0]["values"]["reading_seats"] == 300


def test_the_api_gives_the_annual_figures_within_the_callers_unit(
    api_client, station_manager, county_admin, unit
):
    _figures(unit)
    response = api_client(county_admin).get(f"/api/v1/stats/annual?year={LAST_YEAR}&unit=YX")
    assert response.status_code == 200
    assert response.json()["forms"][0]["rows"][0]["unit"] == "YX-LIB"
    mine = api_client(station_manager).get(f"/api/v1/stats/annual?year={LAST_YEAR}")
    assert mine.json()["unit"] == "YX-S01"
    refused = api_client(station_manager).get(f"/api/v1/stats/annual?year={LAST_YEAR}&unit=YX-S02")
    assert refused.status_code == 404
    assert refused.json()["error"] == "unit_not_found"
    bad_year = api_client(county_admin).get("/api/v1/stats/annual?year=1850")
    assert bad_year.status_code == 400
    assert bad_year.json()["error"] == "stats_year_invalid"


def test_the_api_gives_one_metric_for_a_period(api_client, county_admin, unit):
    services.door_count_set(actor=None, unit=unit("YX-LIB"), day=dt.date(LAST_YEAR, 2, 2), visits=77)
    response = api_client(county_admin).get(
        f"/api/v1/stats/metrics/visits_door?unit=YX&start={LAST_YEAR}-01-01&end={LAST_YEAR}-12-31"
    )
    assert response.json() == {
        "code": "visits_door",
        "unit": "YX",
        "include_sub_units": True,
        "start": f"{LAST_YEAR}-01-01",
        "end": f"{LAST_YEAR}-12-31",
        "value": 77,
    }
    unknown = api_client(county_admin).get("/api/v1/stats/metrics/nope")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "metric_not_found"
