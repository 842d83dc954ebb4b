"""Periodic jobs, each run on its own, one run of a job at a time, each run recorded (JobRun).

A job is a plain function returning what it did as counts (`{"expired": 3}`); `job_run` runs one: it
takes the job's lock, records the start, runs it, and records the end, the outcome and the counts or
the error. A job that fails is logged and recorded; it does not stop the caller's other jobs. (The
task queue of issue 19 will call the same functions.)

The lock is the run's own row: a JobRun with outcome "running", of which a partial unique index
allows one per job. Inserting it is atomic on SQLite and PostgreSQL alike and commits at once, so a
second process (another cron line, a worker) fails to insert its own and is refused with who holds
the job. Why not the alternatives: `select_for_update` on a lock row holds only while its transaction
stays open, so the whole job would run in one transaction — on SQLite that is the database's one
write lock, stalling every desk for the job's length, and a failure half-way would undo all of it;
advisory locks exist on PostgreSQL only. The price of a row: a run that dies without finishing (killed,
the machine switched off) leaves it "running". After STALE_AFTER, far longer than any nightly job
takes, the next run marks it abandoned and takes the job.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(hours=6)


class JobBusy(Exception):
    """Another run of the job holds it."""

    def __init__(self, job: str, holder: JobRun | None) -> None:
        self.job, self.holder = job, holder
        since = (
            f" since {timezone.localtime(holder.started_at):%Y-%m-%d %H:%M} ({holder.runner})"
            if holder
            else ""
        )
        super().__init__(f"{job} is already running{since}.")


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _take(job: str) -> JobRun:
    """The job's lock, as its new "running" row; JobBusy when a run that is not stale holds it."""
    holder = None
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                return JobRun.objects.create(job=job, started_at=now, runner=_runner())
        except IntegrityError:
            holder = JobRun.objects.filter(job=job, outcome=JobRun.Outcome.RUNNING).first()
            if holder is None:
                continue  # it finished meanwhile
            if holder.started_at > now - STALE_AFTER:
                raise JobBusy(job, holder) from None
            # Only one of two processes finding the same stale run marks it; both then try to insert.
            JobRun.objects.filter(pk=holder.pk, outcome=JobRun.Outcome.RUNNING).update(
                outcome=JobRun.Outcome.ABANDONED,
                finished_at=now,
                error=f"still running after {STALE_AFTER}: taken over by {_runner()}",
            )
    raise JobBusy(job, holder)


def _finish(run: JobRun, outcome: str, *, counts: dict | None = None, error: str = "") -> None:
    run.outcome, run.finished_at, run.counts, run.error = outcome, timezone.now(), counts or {}, error
    run.save(update_fields=["outcome", "finished_at", "counts", "error"])


def job_run(job: str, function: Callable[..., dict | None], **arguments) -> JobRun:
    """Run `function(**arguments)` as a run of `job`, recorded; JobBusy when another run holds it.

    The run is returned finished: succeeded with the function's counts, or failed with its error (an
    exception is logged with its traceback, not raised). An interrupt (Ctrl-C, SystemExit) is
    recorded as a failure and raised on.
    """
    run = _take(job)
    try:
        counts = function(**arguments)
    except Exception as exc:
        logger.exception("The job %s failed.", job)
        _finish(run, JobRun.Outcome.FAILED, error=f"{type(exc).__name__}: {exc}")
    except BaseException as exc:
        _finish(run, JobRun.Outcome.FAILED, error=f"interrupted ({type(exc).__name__})")
        raise
    else:
        _finish(run, JobRun.Outcome.SUCCEEDED, counts=dict(counts or {}))
    return run


def job_last_runs(*, jobs: Iterable[str]) -> dict[str, JobRun | None]:
    """Each job's latest run (None for a job never run), in the order given."""
    last: dict[str, JobRun | None] = {}
    for job in jobs:
        last[job] = JobRun.objects.filter(job=job).order_by("-started_at", "-pk").first()
    return last
