"""The ledger page, the API, the XLSX workbook and the DOCX work report, each read back."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from wenyun.network import services as network_services

YEAR = timezone.localdate().year


def _small_villages(unit):
    network_services.unit_update(actor=None, unit=unit("YX-S01-V01"), building_area=Decimal("15"))
    network_services.unit_update(actor=None, unit=unit("YX-S02-V03"), building_area=Decimal("18"))


def test_the_ledger_page_names_the_failing_units_of_an_indicator(client, shipped, county_admin, unit):
    _small_villages(unit)
    client.force_login(county_admin)

    ledger = client.get(f"/staff/ledger/?standard=township-village-local&year={YEAR}").content.decode()
    detail = client.get(f"/staff/ledger/township-village-local/V1/?year={YEAR}").content.decode()

    assert 'id="indicator-V1"' in ledger
    assert "2 of 83 fall short" in ledger or "83" in ledger
    sentence = detail.split('id="failing-sentence">', 1)[1].split("</p>", 1)[0]
    assert "城东社区文化活动中心 (15)" in sentence and "(18)" in sentence


def test_a_station_manager_sees_only_his_own_villages_in_the_ledger(client, shipped, station_manager, unit):
    _small_villages(unit)
    client.force_login(station_manager)

    detail = client.get(f"/staff/ledger/township-village-local/V1/?year={YEAR}").content.decode()

    assert "YX-S01-V01" in detail and "YX-S02-V03" not in detail


def test_the_api_gives_each_indicator_with_values_per_unit(api_client, shipped, county_admin, unit):
    _small_villages(unit)
    response = api_client(county_admin).get(f"/api/v1/ledger?standard=township-village-local&year={YEAR}")

    assert response.status_code == 200
    body = {row["code"]: row for row in response.json()}
    v1 = body["V1"]
    assert (v1["name"], v1["scope"], v1["threshold"], v1["computable"]) == (
        "农家书屋面积",
        "village",
        20.0,
        True,
    )
    assert len(v1["values"]) == 83
    assert {"unit": "YX-S01-V01", "value": 15.0, "met": False} in v1["values"]
    assert [row["unit"] for row in v1["failing"]] == ["YX-S01-V01", "YX-S02-V03"]


def test_the_api_refuses_an_unknown_standard_with_its_code(api_client, county):
    from wenyun.core.models import User

    response = api_client(User.objects.get(username="admin")).get("/api/v1/ledger?standard=nope")
    assert response.status_code == 404
    assert response.json()["error"] == "standard_not_found"


def test_the_workbook_has_a_sheet_per_part_and_each_number_beside_its_source_metric(
    client, shipped, county_admin, unit
):
    _small_villages(unit)
    client.force_login(county_admin)

    response = client.get(f"/staff/ledger/workbook.xlsx?standard=township-village-local&year={YEAR}")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["设施网络", "服务供给", "组织支撑", "经费、人员和技术", "评价", "说明"]
    rows = list(book["设施网络"].iter_rows(values_only=True))
    v01 = next(r for r in rows if r[0] == "V1" and r[4] == "YX-S01-V01")
    assert (v01[5], v01[7], v01[8], v01[9], v01[11]) == (
        15,
        ">= 20",
        "未达标",
        5,
        "stats.metrics:building_area",
    )


def test_the_work_report_draft_opens_with_real_figures_and_the_gaps(client, shipped, county_admin, unit):
    _small_villages(unit)
    client.force_login(county_admin)

    response = client.get(f"/staff/ledger/report.docx?standard=township-village-local&year={YEAR}")

    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    county = unit("YX")
    assert f"{county.population:,}" in text
    gaps = [row.cells[0].text for row in document.tables[0].rows]
    assert "V1 农家书屋面积" in gaps


def test_only_the_bureau_downloads_the_report_draft(client, shipped, station_manager):
    client.force_login(station_manager)
    assert client.get(f"/staff/ledger/report.docx?year={YEAR}").status_code == 403


def test_the_bureau_keeps_todays_values_from_the_ledger_page_and_a_bad_year_keeps_nothing(
    client, shipped, county_admin, station_manager
):
    from wenyun.ledger.models import Snapshot

    client.force_login(station_manager)
    assert client.post("/staff/ledger/snapshot/", {"standard": "township-village-local"}).status_code == 403
    client.force_login(county_admin)
    assert (
        client.post(
            "/staff/ledger/snapshot/", {"standard": "township-village-local", "year": "soon"}
        ).status_code
        == 400
    )
    assert Snapshot.objects.count() == 0

    response = client.post(
        "/staff/ledger/snapshot/", {"standard": "township-village-local", "year": str(YEAR)}
    )

    assert response.status_code == 302
    assert Snapshot.objects.get().year == YEAR
