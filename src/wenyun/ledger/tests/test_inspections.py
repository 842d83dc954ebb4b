"""An inspection's findings become rectification tasks that close with evidence; overdue ones are listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wenyun.core.errors import Forbidden, Refused
from wenyun.ledger import rules, selectors, services
from wenyun.ledger.models import ChecklistItem, Inspection, RectificationTask, TaskState

from .conftest import PDF


@pytest.fixture
def inspection(shipped, county_admin, unit):
    return services.inspection_record(
        actor=county_admin,
        unit=unit("YX-S01"),
        standard=shipped["township-village-local"],
        date=timezone.localdate() - dt.timedelta(days=40),
        inspectors="县文旅局 王科长",
    )


@pytest.fixture
def task(inspection, county_admin):
    return services.finding_add(
        actor=county_admin,
        inspection=inspection,
        indicator=inspection.standard.indicators.get(code="S2"),
        text="周末未开放",
        owner="站长",
        deadline=timezone.localdate() - dt.timedelta(days=10),
    )


def test_the_checklist_is_drawn_from_the_indicators_for_the_units_kind(inspection):
    assert [item.indicator.code for item in inspection.items.all()] == [
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
        "S6",
        "S7",
        "S8",
    ]
    assert {item.result for item in inspection.items.all()} == {"pending"}


def test_a_finding_sets_an_open_task_and_it_is_on_the_overdue_list_after_its_deadline(task, unit):
    assert task.state == TaskState.OPEN and task.unit == unit("YX-S01")
    assert list(selectors.tasks_overdue()) == [task]


def test_the_unit_works_the_task_submits_it_with_evidence_and_the_bureau_closes_it(
    task, station_manager, county_admin, unit
):
    services.task_transition(actor=station_manager, task=task, action="start")
    services.evidence_add(
        actor=station_manager,
        unit=unit("YX-S01"),
        task=task,
        name="整改报告.pdf",
        content=PDF,
        description="周末开放安排",
    )
    services.task_transition(actor=station_manager, task=task, action="submit")
    assert list(selectors.tasks_overdue()) == []  # submitted: it waits on the bureau, not the unit
    closed = services.task_transition(actor=county_admin, task=task, action="close", comment="复查合格")

    assert closed.state == TaskState.CLOSED and closed.closed_at is not None
    assert list(selectors.tasks_overdue()) == []


def test_submitting_without_evidence_is_refused_and_the_task_stays_as_it_was(task, station_manager):
    services.task_transition(actor=station_manager, task=task, action="start")

    with pytest.raises(Refused) as refused:
        services.task_transition(actor=station_manager, task=task, action="submit")

    assert refused.value.code == "task_evidence_missing"
    assert RectificationTask.objects.get(pk=task.pk).state == TaskState.IN_PROGRESS


def test_a_unit_cannot_close_its_own_task_nor_another_township_work_on_it(
    task, station_manager, other_station_manager, unit
):
    services.evidence_add(
        actor=station_manager,
        unit=unit("YX-S01"),
        task=task,
        name="r.pdf",
        content=PDF,
        description="整改报告",
    )
    services.task_transition(actor=station_manager, task=task, action="submit")

    with pytest.raises(Forbidden):
        services.task_transition(actor=station_manager, task=task, action="close")
    with pytest.raises(Forbidden):
        services.task_transition(actor=other_station_manager, task=task, action="reopen")

    assert RectificationTask.objects.get(pk=task.pk).state == TaskState.SUBMITTED


def test_the_bureau_reopens_a_closed_task_and_an_action_the_table_lacks_is_refused(
    task, station_manager, county_admin, unit
):
    services.evidence_add(
        actor=station_manager,
        unit=unit("YX-S01"),
        task=task,
        name="r.pdf",
        content=PDF,
        description="整改报告",
    )
    services.task_transition(actor=station_manager, task=task, action="submit")
    services.task_transition(actor=county_admin, task=task, action="close")
    reopened = services.task_transition(
        actor=county_admin, task=task, action="reopen", comment="复查仍未开放"
    )
    assert reopened.state == TaskState.REOPENED
    assert rules.actions_from(TaskState.REOPENED) == ["start", "submit"]

    with pytest.raises(Refused) as refused:
        services.task_transition(actor=county_admin, task=task, action="close")
    assert refused.value.message == "A task that is Reopened cannot be given “Close the task”."
    assert RectificationTask.objects.get(pk=task.pk).state == TaskState.REOPENED


def test_only_the_bureau_records_inspections_and_findings(shipped, station_manager, unit, inspection):
    with pytest.raises(Forbidden):
        services.inspection_record(
            actor=station_manager,
            unit=unit("YX-S01-V01"),
            standard=shipped["township-village-local"],
            date=timezone.localdate(),
            inspectors="自查",
        )
    with pytest.raises(Forbidden):
        services.finding_add(
            actor=station_manager, inspection=inspection, text="x", owner="y", deadline=timezone.localdate()
        )
    assert Inspection.objects.count() == 1 and RectificationTask.objects.count() == 0


def test_the_task_page_lets_the_unit_submit_and_the_overdue_list_shows_it(
    client, task, station_manager, unit
):
    services.evidence_add(
        actor=station_manager,
        unit=unit("YX-S01"),
        task=task,
        name="r.pdf",
        content=PDF,
        description="整改报告",
    )
    client.force_login(station_manager)

    page = client.get("/staff/ledger/inspections/")
    assert "周末未开放" in page.content.decode()
    response = client.post(f"/staff/ledger/tasks/{task.pk}/", {"action": "submit", "comment": "已整改"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.last_comment) == (TaskState.SUBMITTED, "已整改")


def test_checklist_results_are_marked_by_the_bureau(inspection, county_admin):
    item = inspection.items.get(indicator__code="S2")
    services.checklist_mark(actor=county_admin, item=item, result="fail", note="周末关门")
    assert ChecklistItem.objects.get(pk=item.pk).result == "fail"
