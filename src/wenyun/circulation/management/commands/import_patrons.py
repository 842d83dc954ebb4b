"""`wenyun import-patrons FILE.csv|xlsx [--report FILE.json]`: readers from another system's export."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenyun.core.errors import DomainError


class Command(BaseCommand):
    help = "Import readers from a CSV (UTF-8 or GB18030) or XLSX file with a header row."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--report", help="write the rejected rows to this JSON file")
        parser.add_argument(
            "--default-category",
            metavar="CODE",
            help="the reader category of rows that give none (default: WENYUN_DEFAULT_READER_CATEGORY)",
        )

    def handle(self, *args, **options):
        from wenyun.circulation.imports import patrons_import

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(f"{path.name}: give a .csv or .xlsx file.", returncode=2)
        try:
            report = patrons_import(path=path, default_category=options.get("default_category"))
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None
        for problem in report.problems:
            sys.stderr.write(f"{path.name}, line {problem['line']}: {problem['reason']}\n")
        if options.get("report"):
            Path(options["report"]).write_text(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        defaulted = f" ({report.defaulted} with the default category)" if report.defaulted else ""
        self.stdout.write(
            f"{path.name}: {report.rows} rows, {report.added} readers added{defaulted},"
            f" {len(report.problems)} rows refused."
        )
        if report.rows and not report.added:
            raise CommandError(f"{path.name}: no row could be imported.", returncode=1)
