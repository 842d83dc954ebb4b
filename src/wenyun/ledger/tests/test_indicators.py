"""Each formula kind computed on known data from the demo network, judged against its threshold."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from wenyun.ledger import services, sources
from wenyun.ledger.evaluate import indicator_evaluate
from wenyun.ledger.selectors import indicator_history
from wenyun.network import services as network_services

from .conftest import PDF

YEAR = timezone.localdate().year


def station_area(**extra):
    return {
        "code": "S1",
        "name": "文化站建筑面积",
        "part": "facilities",
        "scope": "station",
        "measure": "m²",
        "comparison": ">=",
        "threshold": 300,
        "formula": {"kind": "metric", "metric": "building_area", "sub_units": False},
        **extra,
    }


def test_a_metric_indicator_names_each_station_below_the_threshold_and_how_far_off(make_standard, unit):
    for code in ("YX-S01", "YX-S02"):
        network_services.unit_update(actor=None, unit=unit(code), building_area=Decimal("250"))
    for code in ("YX-S03", "YX-S04", "YX-S05", "YX-S06", "YX-S07", "YX-S08", "YX-S09", "YX-S10", "YX-S11"):
        network_services.unit_update(actor=None, unit=unit(code), building_area=Decimal("320"))
    indicator = make_standard(station_area()).indicators.get()

    result = indicator_evaluate(indicator=indicator, year=YEAR)

    assert result.computable and result.met is False
    assert (result.met_count, len(result.rows)) == (9, 11)
    assert [(row.unit.code, row.value, row.gap) for row in result.failing] == [
        ("YX-S01", Decimal("250.0000"), Decimal("50.0000")),
        ("YX-S02", Decimal("250.0000"), Decimal("50.0000")),
    ]
    assert result.sources == ["stats.metrics:building_area"]


def test_a_ratio_indicator_divides_one_metric_by_another_per_village(make_standard, unit):
    for village in unit("YX-S01").children.all():
        network_services.unit_update(actor=None, unit=village, building_area=Decimal("100"), population=4000)
    network_services.unit_update(actor=None, unit=unit("YX-S01-V02"), building_area=Decimal("60"))
    indicator = make_standard(
        {
            "code": "R1",
            "name": "每千人文化设施面积",
            "part": "facilities",
            "scope": "village",
            "measure": "m²/千人",
            "threshold": 20,
            "formula": {
                "kind": "ratio",
                "numerator": "building_area",
                "denominator": "population",
                "factor": 1000,
            },
        }
    ).indicators.get()

    result = indicator_evaluate(indicator=indicator, year=YEAR)
    rows = {row.unit.code: row for row in result.rows}

    assert rows["YX-S01-V01"].value == Decimal("25.0000") and rows["YX-S01-V01"].met is True
    assert rows["YX-S01-V02"].value == Decimal("15.0000") and rows["YX-S01-V02"].met is False
    assert rows["YX-S01-V02"].gap == Decimal("5.0000")


def test_a_share_indicator_counts_the_units_meeting_a_per_unit_condition_and_names_those_failing(
    make_standard, unit
):
    indicator = make_standard(
        {
            "code": "1.1",
            "name": "图书馆三级以上比例",
            "part": "facilities",
            "scope": "county",
            "measure": "%",
            "threshold": 80,
            "formula": {
                "kind": "share",
                "metric": "grade",
                "of": "library",
                "comparison": "between",
                "value": 1,
                "to": 3,
            },
        },
        {
            "code": "1.3",
            "name": "文化站300平方米比例",
            "part": "facilities",
            "scope": "county",
            "measure": "%",
            "threshold": 100,
            "formula": {"kind": "share", "metric": "building_area", "of": "station", "value": 300},
        },
    ).indicators.order_by("code")
    libraries, stations = list(indicator)
    assert indicator_evaluate(indicator=libraries, year=YEAR).rows[0].value == Decimal("100.0000")

    network_services.unit_update(actor=None, unit=unit("YX-LIB"), grade=0)
    for code in ("YX-S01", "YX-S02", "YX-S03", "YX-S04", "YX-S05", "YX-S06", "YX-S07", "YX-S08"):
        network_services.unit_update(actor=None, unit=unit(code), building_area=Decimal("300"))
    for code in ("YX-S09", "YX-S10", "YX-S11"):
        network_services.unit_update(actor=None, unit=unit(code), building_area=Decimal("280"))

    graded = indicator_evaluate(indicator=libraries, year=YEAR)
    assert graded.rows[0].value == Decimal("0.0000") and graded.met is False
    assert [(m.unit.code, m.value) for m in graded.failing] == [("YX-LIB", Decimal("0.0000"))]
    sized = indicator_evaluate(indicator=stations, year=YEAR)
    assert sized.rows[0].value == Decimal("72.7273")  # 8 of 11
    assert [m.unit.code for m in sized.failing] == ["YX-S09", "YX-S10", "YX-S11"]


def test_an_evidence_only_indicator_is_met_once_a_document_is_attached(make_standard, unit, county_admin):
    indicator = make_standard(
        {
            "code": "3.1",
            "name": "协调机制",
            "part": "organisation",
            "scope": "county",
            "formula": {"kind": "evidence"},
        }
    ).indicators.get()
    assert indicator_evaluate(indicator=indicator, year=YEAR).met is False

    services.evidence_add(
        actor=county_admin,
        unit=unit("YX"),
        indicator=indicator,
        name="协调机制文件.pdf",
        content=PDF,
        description="县政府关于成立公共文化服务体系建设协调组的通知",
    )

    result = indicator_evaluate(indicator=indicator, year=YEAR)
    assert (result.rows[0].value, result.met) == (Decimal("1.0000"), True)


def test_a_formula_over_a_metric_nobody_offers_yet_is_not_computable_and_has_no_value(make_standard):
    indicator = make_standard(
        station_area(formula={"kind": "metric", "metric": "no_such_metric"})
    ).indicators.get()

    result = indicator_evaluate(indicator=indicator, year=YEAR)

    assert result.computable is False and result.missing == ["no_such_metric"]
    assert result.met is None and {row.value for row in result.rows} == {None}


def test_changing_a_threshold_re_judges_stored_values_without_recomputing_them(
    make_standard, unit, county_admin, monkeypatch
):
    network_services.unit_update(actor=None, unit=unit("YX-S01"), building_area=Decimal("280"))
    standard = make_standard(station_area())
    indicator = standard.indicators.get()
    services.snapshot_take(actor=county_admin, standard=standard, year=YEAR)
    s01 = unit("YX-S01").pk
    assert indicator_history(indicator=indicator)[0].met[s01] is False

    def refuse(**kwargs):
        raise AssertionError("history must not be recomputed")

    monkeypatch.setattr(sources, "figures", refuse)
    services.indicator_update(actor=county_admin, indicator=indicator, threshold=Decimal("250"))
    indicator.refresh_from_db()

    point = indicator_history(indicator=indicator)[0]
    assert indicator.threshold == Decimal("250")
    assert point.values[s01] == Decimal("280.0000")
    assert point.met[s01] is True
