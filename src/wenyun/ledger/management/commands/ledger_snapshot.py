"""`wenyun manage ledger_snapshot [--standard CODE] [--year Y] [--monthly]`: keep today's indicator values.

Cron runs it with --monthly on the first of each month; it skips a standard already snapshotted
by the monthly run this month, so running it twice does no harm.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wenyun.core.errors import DomainError
from wenyun.ledger import selectors, services
from wenyun.ledger.models import Snapshot


class Command(BaseCommand):
    help = "Compute every indicator of the ledger's standards now and keep the values (the ledger's history)."

    def add_arguments(self, parser):
        parser.add_argument("--standard", help="one standard's code (default: every standard)")
        parser.add_argument("--year", type=int, help="the year computed (default: this year)")
        parser.add_argument(
            "--monthly", action="store_true", help="the monthly run: once a month per standard"
        )

    def handle(self, *args, standard=None, year=None, monthly=False, **options):
        today = timezone.localdate()
        year = year or today.year
        standards = list(selectors.standards_list())
        if standard:
            standards = [s for s in standards if s.code == standard]
            if not standards:
                raise CommandError(f"there is no standard with the code {standard}")
        reason = "monthly" if monthly else "on_demand"
        for item in standards:
            if (
                monthly
                and Snapshot.objects.filter(
                    standard=item, reason="monthly", taken_at__date__gte=today.replace(day=1)
                ).exists()
            ):
                self.stdout.write(f"{item.code}: already snapshotted this month")
                continue
            try:
                snapshot = services.snapshot_take(actor=None, standard=item, year=year, reason=reason)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"{item.code}: {snapshot.values.count()} values kept for {year}")
