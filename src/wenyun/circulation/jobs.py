"""Circulation's nightly jobs: plain functions of the day, returning what they did as counts.

`wenyun manage circulation_daily` runs each on its own through `core.jobs.job_run` (recorded, one run
of a job at a time); the task queue of issue 19 can call the same functions.
"""

from __future__ import annotations

import datetime as dt

from . import services


def holds_expire(*, today: dt.date) -> dict[str, int]:
    """End the holds not collected in time; their copies are routed on."""
    return {"expired": services.hold_expire(today=today, via="daily")}


def holds_fill(*, today: dt.date) -> dict[str, int]:
    """Find a copy for each waiting hold (the pull lists)."""
    return {"filled": services.holds_fill(via="daily")}


def transit_runs_plan(*, today: dt.date) -> dict[str, int]:
    """Put the transits waiting for the van on tomorrow's runs."""
    return {"runs": len(services.transit_runs_plan(day=today + dt.timedelta(days=1)))}


def notices_due(*, today: dt.date) -> dict[str, int]:
    """Send the due-soon and overdue notices."""
    sent = services.notices_due(today=today)
    return {"due_soon": sent["due_soon"], "overdue": sent["overdue"]}


# In the order they run: expired holds free copies before the fill looks for them, and the fill's
# transits are on the van plan.
JOBS = {
    "holds_expire": holds_expire,
    "holds_fill": holds_fill,
    "transit_runs_plan": transit_runs_plan,
    "notices_due": notices_due,
}


def recorded_as(name: str) -> str:
    """The job's name in core's JobRun table."""
    return f"circulation.{name}"
