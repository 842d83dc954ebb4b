"""`wenyun import-items FILE.csv|xlsx`: copies from another system's export."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenyun.core.errors import DomainError


class Command(BaseCommand):
    help = "Import copies from a CSV (UTF-8 or GB18030) or XLSX file with a header row."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        from wenyun.catalog.services import items_import

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        try:
            report = items_import(path=path)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None
        for problem in report.problems:
            sys.stderr.write(f"{path.name}, line {problem['line']}: {problem['reason']}\n")
        self.stdout.write(
            f"{path.name}: {report.rows} rows, {report.added} copies added, {len(report.problems)} rows refused."
        )
        if report.rows and not report.added:
            raise CommandError(f"{path.name}: no row could be imported.", returncode=1)
