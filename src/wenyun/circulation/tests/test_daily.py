"""`circulation_daily`: each nightly job runs on its own and is recorded; one failing or already
running does not stop the others, and the command says which did not run."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from wenyun.circulation import jobs, services
from wenyun.core.models import JobRun

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

ALL = ["holds_expire", "holds_fill", "transit_runs_plan", "notices_due"]


def _daily(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("circulation_daily", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


@pytest.fixture
def night(zhang, wang, lib):
    """A hold left on the shelf since June (it expires) and one waiting for a copy on the shelf."""
    shelved = f.record("红楼梦")
    copy = f.item(home=lib, rec=shelved)
    services.hold_place(reader=zhang, record=shelved, pickup_unit=lib, actor=None, at=MONDAY)
    services.holds_fill()
    services.loan_checkin(item=copy, at_unit=lib, actor=None, at=MONDAY)
    waiting = f.record("围城")
    f.item(home=lib, rec=waiting)
    services.hold_place(reader=wang, record=waiting, pickup_unit=lib, actor=None, at=MONDAY)


def test_every_job_runs_and_is_recorded_with_its_counts(night):
    out, err, failed = _daily()

    assert (failed, err) == (None, "")
    assert out.splitlines() == [
        "holds_expire: 1 expired",
        "holds_fill: 1 filled",
        "transit_runs_plan: 0 runs",
        "notices_due: 0 due-soon, 0 overdue",
    ]
    runs = JobRun.objects.order_by("pk")
    assert [(r.job, r.outcome, r.counts) for r in runs] == [
        ("circulation.holds_expire", "succeeded", {"expired": 1}),
        ("circulation.holds_fill", "succeeded", {"filled": 1}),
        ("circulation.transit_runs_plan", "succeeded", {"runs": 0}),
        ("circulation.notices_due", "succeeded", {"due_soon": 0, "overdue": 0}),
    ]


def test_a_failing_job_does_not_stop_the_others_and_the_command_fails_naming_it(night, monkeypatch):
    def broken(*, today):
        raise RuntimeError("no copies table")

    monkeypatch.setitem(jobs.JOBS, "holds_fill", broken)

    out, err, failed = _daily()

    assert str(failed) == "Not every nightly job ran (failed: holds_fill)."
    assert failed.returncode == 1
    assert err == "holds_fill: failed: RuntimeError: no copies table\n"
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "holds_expire",
        "transit_runs_plan",
        "notices_due",
    ]
    assert list(JobRun.objects.order_by("pk").values_list("job", "outcome")) == [
        ("circulation.holds_expire", "succeeded"),
        ("circulation.holds_fill", "failed"),
        ("circulation.transit_runs_plan", "succeeded"),
        ("circulation.notices_due", "succeeded"),
    ]


def test_a_job_another_process_is_running_is_skipped_and_named(night):
    JobRun.objects.create(job="circulation.holds_expire", started_at=timezone.now(), runner="desk-pc:4242")

    out, err, failed = _daily()

    assert str(failed) == "Not every nightly job ran (already running elsewhere: holds_expire)."
    assert err.startswith("holds_expire: skipped, circulation.holds_expire is already running since ")
    assert err.endswith(" (desk-pc:4242).\n")
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "holds_fill",
        "transit_runs_plan",
        "notices_due",
    ]
    assert JobRun.objects.filter(job="circulation.holds_expire").count() == 1


def test_one_job_runs_by_name(night):
    out, _err, failed = _daily("--job", "holds_expire")

    assert (failed, out) == (None, "holds_expire: 1 expired\n")
    assert list(JobRun.objects.values_list("job", flat=True)) == ["circulation.holds_expire"]


def test_an_unknown_job_is_bad_usage(county):
    with pytest.raises(CommandError, match="invalid choice: 'holds_purge'"):
        call_command("circulation_daily", "--job", "holds_purge")


def test_the_status_prints_each_jobs_last_run(night, monkeypatch):
    _daily("--job", "holds_expire")
    monkeypatch.setitem(jobs.JOBS, "holds_fill", lambda *, today: 1 / 0)
    _daily("--job", "holds_fill")

    out, _err, failed = _daily("--status")

    lines = out.splitlines()
    assert failed is None and len(lines) == 4
    today = timezone.localdate().isoformat()
    assert lines[0].startswith(f"holds_expire: succeeded, {today} ") and lines[0].endswith(', {"expired": 1}')
    assert lines[1].startswith(f"holds_fill: failed, {today} ")
    assert lines[1].endswith(", ZeroDivisionError: division by zero")
    assert lines[2:] == ["transit_runs_plan: never run", "notices_due: never run"]
    assert JobRun.objects.count() == 2  # --status runs nothing


def test_county_administrators_read_the_runs_in_the_admin_and_nobody_changes_them(
    night, county_admin, village_manager
):
    _daily("--job", "holds_expire")
    run = JobRun.objects.get()
    admin, other = Client(), Client()
    admin.force_login(county_admin)
    other.force_login(village_manager)

    listed = admin.get("/admin/core/jobrun/")
    shown = admin.get(f"/admin/core/jobrun/{run.pk}/change/")
    added = admin.get("/admin/core/jobrun/add/")
    deleted = admin.post(f"/admin/core/jobrun/{run.pk}/delete/", {"post": "yes"})
    refused = other.get("/admin/core/jobrun/")

    assert (listed.status_code, shown.status_code, added.status_code, deleted.status_code) == (
        200,
        200,
        403,
        403,
    )
    assert "circulation.holds_expire" in listed.content.decode()
    assert refused.status_code == 302  # to the admin's login: not an administrator
    assert JobRun.objects.count() == 1


def test_the_jobs_are_plain_functions_of_the_day(night):
    today = timezone.localdate()

    assert [name for name in jobs.JOBS] == ALL
    assert jobs.holds_expire(today=today) == {"expired": 1}
    assert jobs.transit_runs_plan(today=today + dt.timedelta(days=1)) == {"runs": 0}
