"""A periodic job runs on its own, one run at a time across connections, and each run is recorded."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from wenyun.core.jobs import STALE_AFTER, JobBusy, job_last_runs, job_run
from wenyun.core.models import JobRun


def _failing(**_arguments):
    raise RuntimeError("the van's route table is empty")


@pytest.mark.django_db
def test_a_run_is_recorded_with_its_start_end_outcome_and_counts():
    run = job_run("test.count", lambda *, day: {"done": day.day}, day=dt.date(2026, 6, 3))

    saved = JobRun.objects.get()
    assert (saved.pk, saved.job, saved.outcome, saved.counts, saved.error) == (
        run.pk,
        "test.count",
        "succeeded",
        {"done": 3},
        "",
    )
    assert saved.started_at <= saved.finished_at and saved.runner.endswith(f":{os.getpid()}")


@pytest.mark.django_db
def test_a_failing_job_is_logged_and_recorded_not_raised(caplog):
    with caplog.at_level(logging.ERROR, logger="wenyun.core.jobs"):
        run = job_run("test.fails", _failing)

    assert (run.outcome, run.error, run.counts) == (
        "failed",
        "RuntimeError: the van's route table is empty",
        {},
    )
    assert JobRun.objects.get().outcome == "failed" and run.finished_at is not None
    assert [r.getMessage() for r in caplog.records] == ["The job test.fails failed."]
    assert caplog.records[0].exc_info is not None


@pytest.mark.django_db
def test_an_interrupted_run_is_recorded_as_failed_and_the_interrupt_goes_on():
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        job_run("test.stopped", interrupted)

    assert list(JobRun.objects.values_list("outcome", "error")) == [
        ("failed", "interrupted (KeyboardInterrupt)")
    ]


@pytest.mark.django_db
def test_a_job_another_run_holds_is_refused_and_nothing_recorded():
    holder = JobRun.objects.create(job="test.busy", started_at=timezone.now() - dt.timedelta(minutes=5))
    ran = []

    with pytest.raises(JobBusy) as busy:
        job_run("test.busy", lambda: ran.append(1))

    assert (busy.value.holder, ran) == (holder, [])
    assert list(JobRun.objects.values_list("job", "outcome")) == [("test.busy", "running")]
    # Another job is not held by it.
    assert job_run("test.other", dict).outcome == "succeeded"


@pytest.mark.django_db
def test_a_run_left_running_past_the_staleness_limit_is_abandoned_and_the_job_taken():
    dead = JobRun.objects.create(
        job="test.dead", started_at=timezone.now() - STALE_AFTER - dt.timedelta(minutes=1), runner="pc:1"
    )

    run = job_run("test.dead", lambda: {"done": 1})

    dead.refresh_from_db()
    assert (dead.outcome, run.outcome) == ("abandoned", "succeeded")
    assert dead.finished_at is not None and dead.error.startswith(
        "still running after 6:00:00: taken over by "
    )


@pytest.mark.django_db
def test_the_last_runs_are_each_jobs_latest():
    job_run("test.a", _failing)
    job_run("test.a", lambda: {"done": 2})

    last = job_last_runs(jobs=["test.a", "test.never"])

    assert (last["test.a"].outcome, last["test.a"].counts, last["test.never"]) == (
        "succeeded",
        {"done": 2},
        None,
    )


@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
def test_two_runs_of_one_job_on_two_connections_at_once_run_it_once():
    started, release = threading.Event(), threading.Event()
    outcomes: list = [None, None]

    def long_job():
        started.set()
        release.wait(30)
        return {"done": 1}

    def first():
        try:
            outcomes[0] = job_run("test.race", long_job).outcome
        finally:
            connection.close()

    def second():
        started.wait(30)
        try:
            outcomes[1] = job_run("test.race", lambda: {"done": 2}).outcome
        except JobBusy as exc:
            outcomes[1] = exc
        finally:
            release.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert outcomes[0] == "succeeded" and isinstance(outcomes[1], JobBusy), outcomes
    assert list(JobRun.objects.values_list("job", "outcome", "counts")) == [
        ("test.race", "succeeded", {"done": 1})
    ]
