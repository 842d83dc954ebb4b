"""`wenyun manage circulation_daily`: the nightly jobs, for cron.

Expire holds not collected in time (their copies are routed on), find copies for waiting holds
(the pull lists), plan tomorrow's van runs, and send the due-soon and overdue notices.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Expire holds, fill the pull lists, plan the van runs and send due-soon and overdue notices."

    def handle(self, *args, **options):
        from wenyun.circulation import services

        today = timezone.localdate()
        expired = services.hold_expire(today=today, via="daily")
        filled = services.holds_fill(via="daily")
        runs = services.transit_runs_plan(day=today + dt.timedelta(days=1))
        notices = services.notices_due(today=today)
        self.stdout.write(
            f"{expired} holds expired, {filled} holds given a copy to pull, {len(runs)} van runs planned, "
            f"{notices['due_soon']} due-soon and {notices['overdue']} overdue notices sent."
        )
