"""`wenyun manage circulation_daily`: the nightly jobs, for cron.

Expire holds not collected in time (their copies are routed on), find copies for waiting holds
(the pull lists), plan tomorrow's van runs, and send the due-soon and overdue notices. Each job runs
on its own (`circulation.jobs`, through `core.jobs.job_run`): one that fails is logged and recorded
and the others still run; one another process is running is skipped. The command exits 1 naming the
jobs that failed or were skipped. `--job NAME` runs one job; `--status` prints each job's last run.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Expire holds, fill the pull lists, plan the van runs and send due-soon and overdue notices."

    def add_arguments(self, parser):
        from wenyun.circulation.jobs import JOBS

        parser.add_argument(
            "--job", action="append", choices=list(JOBS), help="run only this job (may be given again)"
        )
        parser.add_argument("--status", action="store_true", help="print each job's last run and exit")

    def handle(self, *args, **options):
        from wenyun.circulation.jobs import JOBS, recorded_as
        from wenyun.core.jobs import JobBusy, job_last_runs, job_run

        names = options["job"] or list(JOBS)
        if options["status"]:
            last = job_last_runs(jobs=[recorded_as(name) for name in names])
            for name in names:
                self.stdout.write(_status_line(name, last[recorded_as(name)]))
            return
        today = timezone.localdate()
        failed, busy = [], []
        for name in names:
            try:
                run = job_run(recorded_as(name), JOBS[name], today=today)
            except JobBusy as exc:
                self.stderr.write(f"{name}: skipped, {exc}")
                busy.append(name)
                continue
            if run.outcome == run.Outcome.SUCCEEDED:
                self.stdout.write(f"{name}: {_counts(run.counts)}")
            else:
                self.stderr.write(f"{name}: failed: {run.error}")
                failed.append(name)
        if failed or busy:
            parts = [f"failed: {', '.join(failed)}"] if failed else []
            parts += [f"already running elsewhere: {', '.join(busy)}"] if busy else []
            raise CommandError(f"Not every nightly job ran ({'; '.join(parts)}).", returncode=1)


def _counts(counts: dict) -> str:
    return ", ".join(f"{value} {key.replace('_', '-')}" for key, value in counts.items()) or "nothing to do"


def _status_line(name: str, run) -> str:
    if run is None:
        return f"{name}: never run"
    started = f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M:%S}"
    finished = f"{timezone.localtime(run.finished_at):%H:%M:%S}" if run.finished_at else "not finished"
    line = f"{name}: {run.outcome}, {started} – {finished} on {run.runner}"
    if run.counts:
        line += f", {json.dumps(run.counts, ensure_ascii=False)}"
    if run.error:
        line += f", {run.error}"
    return line
