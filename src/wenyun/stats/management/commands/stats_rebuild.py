"""`wenyun manage stats_rebuild`: build the circulation summary again from the event log (for repair).

The summary keeps itself current (every statistics read adds the events since its mark first); this
is for when it is in doubt, or after events were loaded straight into the log with the statistics'
tables emptied. `--catch-up` only adds the events after the mark, in transactions of a million ids.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Build the statistics' daily summary of the circulation event log again from the log."

    def add_arguments(self, parser):
        parser.add_argument(
            "--catch-up", action="store_true", help="only add the events after the summary's mark"
        )

    def handle(self, *args, catch_up: bool = False, **options):
        from wenyun.stats.summary import circulation_summary_catch_up, circulation_summary_rebuild

        began = time.monotonic()

        def progress(done: int, last: int) -> None:
            self.stdout.write(f"  events up to id {done:,} of {last:,} added")

        if catch_up:
            read = circulation_summary_catch_up(chunk=1_000_000, progress=progress)
        else:
            read = circulation_summary_rebuild(chunk=1_000_000, progress=progress)
        self.stdout.write(f"{read:,} event ids read in {time.monotonic() - began:.1f}s.")
