"""Standards are data: files load, reload and refuse bad input whole; only the bureau edits them."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from wenyun.core.errors import DomainError, Forbidden
from wenyun.ledger import services
from wenyun.ledger.models import Indicator, LedgerEvent, Standard

from .conftest import standard_file

AREA = {
    "code": "S1",
    "name": "文化站建筑面积",
    "part": "facilities",
    "scope": "station",
    "threshold": 300,
    "formula": {"kind": "metric", "metric": "building_area", "sub_units": False},
}


def test_the_shipped_standards_load_with_their_indicators(shipped):
    assert sorted(shipped) == ["county-institutions-grading", "demo-zone-west-3", "township-village-local"]
    zone = shipped["demo-zone-west-3"]
    books = zone.indicators.get(code="2.1")
    assert (books.threshold, books.comparison, books.scope) == (Decimal("0.6000"), ">=", "county")
    assert books.formula == {
        "kind": "ratio",
        "numerator": "holdings",
        "denominator": "population",
        "sub_units": True,
        "factor": "1",
    }
    share = zone.indicators.get(code="1.4").formula
    assert share == {
        "kind": "share",
        "metric": "holdings",
        "of": "village",
        "comparison": ">=",
        "value": "1500",
        "sub_units": False,
    }
    assert zone.indicators.get(code="3.1").formula == {"kind": "evidence"}


def test_reloading_a_standard_updates_indicators_in_place_and_retires_those_dropped(make_standard):
    first = make_standard(AREA, {**AREA, "code": "S2", "name": "开放时间"})
    kept = first.indicators.get(code="S1")

    again = make_standard({**AREA, "threshold": 500})

    assert again.pk == first.pk
    kept.refresh_from_db()
    assert (kept.threshold, kept.retired) == (Decimal("500.0000"), False)
    assert first.indicators.get(code="S2").retired is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "t.json is not a JSON standard file"),
        (standard_file({**AREA, "threshold": "many"}), "indicator S1: threshold must be a number, not many."),
        (standard_file({**AREA, "scope": "galaxy"}), "indicator S1: scope must be one of"),
        (
            standard_file({**AREA, "formula": {"kind": "ratio", "numerator": "holdings"}}),
            "indicator S1: the formula needs a metric code in denominator.",
        ),
        (standard_file(AREA, AREA), "t.json has the indicator code S1 twice."),
        (json.dumps({"code": "x", "name": "x", "indicators": []}), "t.json has no indicators."),
    ],
)
def test_a_bad_standard_file_is_refused_whole_with_one_sentence_naming_the_fault(county, content, message):
    with pytest.raises(DomainError) as refused:
        services.standard_load(actor=None, raw=content, name="t.json")

    assert refused.value.message.startswith(message)
    assert Standard.objects.count() == 0 and Indicator.objects.count() == 0


def test_only_the_bureau_loads_or_edits_a_standard(make_standard, station_manager):
    standard = make_standard(AREA)
    indicator = standard.indicators.get()

    with pytest.raises(Forbidden):
        services.standard_load(
            actor=station_manager, raw=standard_file({**AREA, "threshold": 1}), name="t.json"
        )
    with pytest.raises(Forbidden):
        services.indicator_update(actor=station_manager, indicator=indicator, threshold=Decimal("1"))

    indicator.refresh_from_db()
    assert indicator.threshold == Decimal("300.0000")
    assert not LedgerEvent.objects.filter(type=LedgerEvent.Type.INDICATOR_CHANGED).exists()


def test_the_bureau_edits_an_indicator_and_a_bad_value_changes_nothing(make_standard, county_admin):
    indicator = make_standard(AREA).indicators.get()

    with pytest.raises(DomainError) as refused:
        services.indicator_update(actor=county_admin, indicator=indicator, comparison="about")
    indicator.refresh_from_db()
    assert "comparison must be one of" in refused.value.message
    assert indicator.comparison == ">="

    services.indicator_update(
        actor=county_admin, indicator=indicator, threshold=Decimal("280"), weight=Decimal("10")
    )
    indicator.refresh_from_db()
    assert (indicator.threshold, indicator.weight) == (Decimal("280.0000"), Decimal("10.00"))
    event = LedgerEvent.objects.get(type=LedgerEvent.Type.INDICATOR_CHANGED)
    assert event.details["after"] == {"threshold": "280", "weight": "10"}


def test_the_load_command_loads_a_file_and_says_what_is_wrong_with_a_bad_one(county, tmp_path):
    good = tmp_path / "s.json"
    good.write_text(standard_file(AREA), encoding="utf-8")
    out = StringIO()
    call_command("ledger_load", str(good), stdout=out)
    assert out.getvalue() == f"{good}: test-standard loaded, 1 indicators\n"

    bad = tmp_path / "bad.json"
    bad.write_text(standard_file({**AREA, "part": "nowhere"}), encoding="utf-8")
    with pytest.raises(CommandError, match="indicator S1: part must be one of"):
        call_command("ledger_load", str(bad))


def test_the_standards_page_lets_the_bureau_upload_a_file_and_refuses_a_station(
    client, county_admin, station_manager
):
    upload = SimpleUploadedFile(
        "mine.json", standard_file(AREA, code="mine").encode(), content_type="application/json"
    )
    client.force_login(station_manager)
    refused = client.post("/staff/ledger/standards/", {"file": upload})
    assert refused.status_code == 403
    assert not Standard.objects.filter(code="mine").exists()

    client.force_login(county_admin)
    upload.seek(0)
    response = client.post("/staff/ledger/standards/", {"file": upload})
    assert response.status_code == 302
    assert Standard.objects.get(code="mine").indicators.count() == 1


def test_the_edit_page_changes_a_formula_and_refuses_a_broken_one(client, make_standard, county_admin):
    indicator = make_standard(AREA).indicators.get()
    client.force_login(county_admin)
    form = {
        "name": "文化站建筑面积",
        "name_en": "",
        "part": "facilities",
        "scope": "station",
        "measure": "m²",
        "comparison": ">=",
        "threshold": "300",
        "weight": "0",
        "note": "",
    }

    broken = client.post("/staff/ledger/test-standard/S1/edit/", {**form, "formula": '{"kind": "ratio"}'})
    indicator.refresh_from_db()
    assert broken.status_code == 200 and indicator.formula["kind"] == "metric"

    saved = client.post(
        "/staff/ledger/test-standard/S1/edit/",
        {**form, "formula": '{"kind": "metric", "metric": "weekly_opening_hours", "sub_units": false}'},
    )
    indicator.refresh_from_db()
    assert saved.status_code == 302
    assert indicator.formula == {"kind": "metric", "metric": "weekly_opening_hours", "sub_units": False}
