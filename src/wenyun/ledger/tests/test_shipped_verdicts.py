"""Every indicator of every shipped standard judged on known figures: the value that just meets its
source text's threshold is met, the value just short of it is not, and it is judged for the units its
source text names. A wrong verdict here would send a county to its inspection on false figures."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest

from wenyun.ledger import services, sources
from wenyun.ledger.evaluate import indicator_evaluate
from wenyun.ledger.formulas import StandardFileError
from wenyun.ledger.models import Indicator, Snapshot, SnapshotValue
from wenyun.network import services as network_services

from .conftest import standard_file

YEAR = 2026

# (standard, indicator, the units it judges, {figure: value that just meets}, {figure: value just short})
# Ratios are given as their two figures; satisfaction is a percentage.
CASES = [
    ("demo-zone-west-3", "1.3", "county", {"building_area": 300}, {"building_area": 299}),
    ("demo-zone-west-3", "1.4", "county", {"holdings": 1500}, {"holdings": 1499}),
    (
        "demo-zone-west-3",
        "2.1",
        "county",
        {"holdings": 60, "population": 100},
        {"holdings": 59, "population": 100},
    ),
    ("demo-zone-west-3", "2.2", "county", {"loans": 60, "holdings": 100}, {"loans": 59, "holdings": 100}),
    (
        "demo-zone-west-3",
        "2.3",
        "county",
        {"new_acquisitions": 4, "population": 100},
        {"new_acquisitions": 3, "population": 100},
    ),
    (
        "demo-zone-west-3",
        "2.4",
        "county",
        {"visits_total": 40, "population": 100},
        {"visits_total": 39, "population": 100},
    ),
    ("demo-zone-west-3", "4.1", "county", {"staff_missing": 0}, {"staff_missing": 1}),
    ("demo-zone-west-3", "4.2", "county", {"subsidies_paid": 700}, {"subsidies_paid": 0}),
    ("demo-zone-west-3", "5.1", "county", {"satisfaction": 85}, {"satisfaction": Decimal("84.9")}),
    (
        "county-institutions-grading",
        "G1",
        "cultural_centre",
        {"building_area": 1500},
        {"building_area": 1499},
    ),
    (
        "county-institutions-grading",
        "G2",
        "cultural_centre",
        {"operating_budget": 60, "population": 100},
        {"operating_budget": 59, "population": 100},
    ),
    (
        "county-institutions-grading",
        "G3",
        "library",
        {"weekly_opening_hours": 56},
        {"weekly_opening_hours": 55},
    ),
    ("county-institutions-grading", "G4", "library", {"loans": 120000}, {"loans": 119999}),
    ("county-institutions-grading", "G5", "library", {"satisfaction": 85}, {"satisfaction": 84}),
    ("township-village-local", "S1", "station", {"building_area": 300}, {"building_area": 299}),
    ("township-village-local", "S2", "station", {"weekly_opening_hours": 42}, {"weekly_opening_hours": 41}),
    ("township-village-local", "S3", "station", {"activities": 20}, {"activities": 19}),
    ("township-village-local", "S4", "station", {"staff_missing": 0}, {"staff_missing": 1}),
    ("township-village-local", "S5", "station", {"satisfaction": 85}, {"satisfaction": 84}),
    ("township-village-local", "S6", "station", {"performances_sent": 4}, {"performances_sent": 3}),
    ("township-village-local", "S7", "station", {"copies_distributed": 500}, {"copies_distributed": 499}),
    (
        "township-village-local",
        "S8",
        "station",
        {"new_copies_distributed": 250, "copies_distributed": 500},
        {"new_copies_distributed": 249, "copies_distributed": 500},
    ),
    ("township-village-local", "V1", "village", {"building_area": 20}, {"building_area": 19}),
    ("township-village-local", "V2", "village", {"weekly_opening_hours": 35}, {"weekly_opening_hours": 34}),
    ("township-village-local", "V3", "village", {"holdings": 1500}, {"holdings": 1499}),
    ("township-village-local", "V4", "village", {"staff_missing": 0}, {"staff_missing": 1}),
]
# Indicators judged on attached documents or on the network's real grades (tested below), not figures.
NOT_FIGURES = {("demo-zone-west-3", "1.1"), ("demo-zone-west-3", "1.2"), ("demo-zone-west-3", "3.1")}
NOT_FIGURES |= {("township-village-local", "V5")}


def judged_with(monkeypatch, indicator: Indicator, figures: dict):
    """The indicator judged as if every unit had these figures."""

    def fake(*, code, units, include_sub_units, start, end):
        return {unit.code: figures[code] for unit in units}

    monkeypatch.setattr(sources, "figures", fake)
    return indicator_evaluate(indicator=indicator, year=YEAR)


def test_every_shipped_indicator_is_in_the_table(shipped):
    shipped_codes = {(s.code, i.code) for s in shipped.values() for i in s.indicators.filter(retired=False)}
    tabled = {(standard, code) for standard, code, *_ in CASES} | NOT_FIGURES
    assert shipped_codes == tabled


@pytest.mark.parametrize(
    ("standard", "code", "scope", "meets", "short"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES]
)
def test_a_shipped_indicator_is_met_at_its_threshold_and_not_just_short_of_it(
    shipped, monkeypatch, standard, code, scope, meets, short
):
    indicator = shipped[standard].indicators.get(code=code)

    met = judged_with(monkeypatch, indicator, meets)
    failed = judged_with(monkeypatch, indicator, short)

    assert {row.unit.kind for row in met.rows} == {scope}
    assert met.computable and {row.met for row in met.rows} == {True}
    assert {row.met for row in failed.rows} == {False}


def grade_indicators(shipped):
    zone = shipped["demo-zone-west-3"]
    return zone.indicators.get(code="1.1"), zone.indicators.get(code="1.2")


def test_the_demo_countys_grade_3_library_and_grade_2_cultural_centre_meet_grade_3_or_above(shipped):
    libraries, centres = grade_indicators(shipped)

    for indicator, unit_code, grade in ((libraries, "YX-LIB", 3), (centres, "YX-CC", 2)):
        result = indicator_evaluate(indicator=indicator, year=YEAR)
        assert [(row.unit.kind, row.value, row.met) for row in result.rows] == [
            ("county", Decimal("100.0000"), True)
        ]
        [member] = result.members[result.rows[0].unit.code]
        assert (member.unit.code, member.value, member.met) == (unit_code, Decimal(grade), True)


@pytest.mark.parametrize(("grade", "met"), [(1, True), (2, True), (3, True), (0, False)])
def test_grade_1_is_the_highest_and_an_ungraded_library_is_not_grade_3_or_above(shipped, unit, grade, met):
    libraries, _centres = grade_indicators(shipped)
    network_services.unit_update(actor=None, unit=unit("YX-LIB"), grade=grade)

    result = indicator_evaluate(indicator=libraries, year=YEAR)

    assert result.met is met
    assert result.rows[0].value == (Decimal(100) if met else Decimal(0))
    if not met:
        assert [(m.unit.code, m.gap) for m in result.failing] == [("YX-LIB", Decimal(1))]


def share_of_libraries(**condition) -> dict:
    return {
        "code": "1.1",
        "name": "图书馆三级以上比例",
        "part": "facilities",
        "scope": "county",
        "measure": "%",
        "threshold": 80,
        "formula": {"kind": "share", "metric": "grade", "of": "library", **condition},
    }


@pytest.mark.parametrize(
    "condition",
    [{"comparison": ">=", "value": 3}, {"comparison": "<=", "value": 3}, {"value": 3}],
    ids=["at-least", "at-most", "default"],
)
def test_a_standard_file_judging_a_grade_with_at_least_or_at_most_is_refused_with_the_range_to_write(
    county, condition
):
    with pytest.raises(StandardFileError) as refused:
        services.standard_load(actor=None, raw=standard_file(share_of_libraries(**condition)), name="x.json")

    assert '"comparison": "between", "value": 1, "to": 3' in refused.value.message
    assert not Indicator.objects.filter(standard__code="test-standard").exists()


def test_a_range_whose_end_is_below_its_start_is_refused(county):
    with pytest.raises(StandardFileError) as refused:
        services.standard_load(
            actor=None,
            raw=standard_file(share_of_libraries(comparison="between", value=3, to=1)),
            name="x.json",
        )
    assert (
        refused.value.message
        == "indicator 1.1: the range's end (formula.to) is below its start (formula.value)."
    )


def test_a_metric_formula_on_a_grade_is_refused(county):
    indicator = {**share_of_libraries(), "scope": "library", "comparison": "<=", "threshold": 3}
    indicator["formula"] = {"kind": "metric", "metric": "grade"}
    with pytest.raises(StandardFileError) as refused:
        services.standard_load(actor=None, raw=standard_file(indicator), name="x.json")
    assert "grade 1 is the highest" in refused.value.message


def test_the_ledger_page_states_the_grade_condition_as_a_range(shipped, client, county_admin):
    client.force_login(county_admin)

    page = client.get("/staff/ledger/?standard=demo-zone-west-3&year=2026", HTTP_ACCEPT_LANGUAGE="zh-hans")

    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("国家评估等级（0 为未定级） 1 至 3 的") == 2  # 1.1 libraries, 1.2 cultural centres
    assert "国家评估等级（0 为未定级） &gt;=" not in text


def test_the_data_fix_rewrites_a_stored_grade_condition_and_drops_the_values_it_computed(shipped, county):
    from django.apps import apps
    from django.utils import timezone

    data_fix = importlib.import_module("wenyun.ledger.migrations.0003_grade_conditions_as_ranges")
    libraries, _centres = grade_indicators(shipped)
    libraries.formula = {**libraries.formula, "comparison": ">=", "value": "3"}
    libraries.formula.pop("to")
    libraries.save(update_fields=["formula"])
    subsidies = shipped["demo-zone-west-3"].indicators.get(code="4.2")
    Indicator.objects.filter(pk=subsidies.pk).update(comparison=">=")
    snapshot = Snapshot.objects.create(standard=libraries.standard, year=YEAR, taken_at=timezone.now())
    SnapshotValue.objects.create(snapshot=snapshot, indicator=libraries, unit=county, value=0)
    SnapshotValue.objects.create(snapshot=snapshot, indicator=subsidies, unit=county, value=0)

    data_fix.grade_conditions_as_ranges(apps, None)

    libraries.refresh_from_db()
    subsidies.refresh_from_db()
    assert libraries.formula["comparison"] == "between"
    assert (libraries.formula["value"], libraries.formula["to"]) == ("1", "3")
    assert subsidies.comparison == ">"
    assert list(SnapshotValue.objects.values_list("indicator__code", flat=True)) == ["4.2"]
