"""Satisfaction surveys answered once per person from a phone; weighted yearly scores ranked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from wenyun.core.errors import Conflict, DomainError, Forbidden
from wenyun.ledger import selectors, services
from wenyun.ledger.models import PerformanceScore, Survey, SurveyAnswer
from wenyun.network import services as network_services

TODAY = timezone.localdate()


@pytest.fixture
def survey(unit):
    return services.survey_create(
        actor=None,
        unit=unit("YX-S01"),
        title="城关镇文化站满意度测评",
        opens=TODAY - dt.timedelta(days=5),
        closes=TODAY + dt.timedelta(days=5),
        questions=["开放时间", "活动", "服务"],
    )


def test_answers_count_one_per_phone_number_and_results_are_per_unit(survey):
    services.survey_answer(survey=survey, phone="13800001111", scores=[5, 4, 5])
    services.survey_answer(survey=survey, phone="139 0000 2222", scores=[3, 2, 3], comment="开放时间太短")

    with pytest.raises(Conflict):
        services.survey_answer(survey=survey, phone="138-0000-1111", scores=[1, 1, 1])

    results = selectors.survey_results(survey=survey)
    assert (results["answers"], results["satisfied"], results["satisfied_share"]) == (2, 1, Decimal("50.0"))
    assert [q["average"] for q in results["questions"]] == [Decimal("4.00"), Decimal("3.00"), Decimal("4.00")]
    assert results["questions"][0]["spread"] == [0, 0, 1, 0, 1]
    assert results["comments"] == ["开放时间太短"]
    assert "13800001111" not in str(list(SurveyAnswer.objects.values_list("respondent", flat=True)))


@pytest.mark.parametrize(
    ("phone", "scores", "message"),
    [
        ("12345", [5, 5, 5], "Enter an 11-digit mobile number."),
        ("13800001111", [5, 5], "Answer every question."),
        ("13800001111", [5, 9, 5], "Each answer is a score from 1 to 5."),
    ],
)
def test_a_wrong_answer_is_refused_and_nothing_is_saved(survey, phone, scores, message):
    with pytest.raises(DomainError) as refused:
        services.survey_answer(survey=survey, phone=phone, scores=scores)
    assert refused.value.message == message
    assert SurveyAnswer.objects.count() == 0


def test_the_phone_page_answers_the_survey_once(client, survey):
    url = f"/survey/{survey.token}/"
    form = {"q0": "5", "q1": "4", "q2": "4", "phone": "13800003333", "comment": ""}

    assert client.get(url).status_code == 200
    first = client.post(url, form)
    second = client.post(url, form)

    assert 'id="survey-thanks"' in first.content.decode()
    assert 'id="survey-thanks"' not in second.content.decode()
    assert SurveyAnswer.objects.filter(survey=survey).count() == 1


def test_a_manager_creates_surveys_for_his_own_units_only(other_station_manager, unit):
    with pytest.raises(Forbidden):
        services.survey_create(
            actor=other_station_manager, unit=unit("YX-S01"), title="x", opens=TODAY, closes=TODAY
        )
    assert Survey.objects.count() == 0


def test_the_survey_page_shows_a_qr_code_of_the_answer_page(client, survey, county_admin):
    client.force_login(county_admin)
    page = client.get(f"/staff/ledger/surveys/{survey.pk}/").content.decode()
    assert "<svg" in page and f"/survey/{survey.token}/" in page


LOCAL = {
    "part": "facilities",
    "scope": "station",
    "formula": {"kind": "metric", "metric": "building_area", "sub_units": False},
}


def test_a_published_ranking_scores_each_station_by_weighted_attainment(make_standard, unit):
    for code in (
        "YX-S01",
        "YX-S02",
        "YX-S03",
        "YX-S04",
        "YX-S05",
        "YX-S06",
        "YX-S07",
        "YX-S08",
        "YX-S09",
        "YX-S10",
        "YX-S11",
    ):
        network_services.unit_update(actor=None, unit=unit(code), building_area=Decimal("300"))
    network_services.unit_update(actor=None, unit=unit("YX-S02"), building_area=Decimal("150"))
    network_services.unit_update(actor=None, unit=unit("YX-S03"), building_area=Decimal("240"))
    standard = make_standard(
        {**LOCAL, "code": "A", "name": "面积", "threshold": 300, "weight": 3},
        {**LOCAL, "code": "B", "name": "面积（大）", "threshold": 600, "weight": 1},
    )

    evaluation = services.evaluation_publish(actor=None, standard=standard, year=TODAY.year, scope="station")

    scores = {s.unit.code: (s.score, s.rank) for s in evaluation.scores.select_related("unit")}
    # S01: 3×1 + 1×0.5 = 3.5 of 4; S03: 3×0.8 + 1×0.4 = 2.8; S02: 3×0.5 + 1×0.25 = 1.75.
    assert scores["YX-S01"] == (Decimal("87.50"), 1)
    assert scores["YX-S11"] == (Decimal("87.50"), 1)
    assert scores["YX-S03"] == (Decimal("70.00"), 10)
    assert scores["YX-S02"] == (Decimal("43.75"), 11)


def test_only_the_bureau_publishes_a_ranking(make_standard, station_manager):
    standard = make_standard({**LOCAL, "code": "A", "name": "面积", "threshold": 300, "weight": 1})
    with pytest.raises(Forbidden):
        services.evaluation_publish(
            actor=station_manager, standard=standard, year=TODAY.year, scope="station"
        )
    assert PerformanceScore.objects.count() == 0
