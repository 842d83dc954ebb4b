"""`wenyun import-items FILE.csv|xlsx`: copies from another system's export."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError


class Command(BaseCommand):
    help = "Import copies from a CSV (UTF-8 or GB18030) or XLSX file with a header row."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        from wenyun.catalog.imports import items_import

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file.") % {"path": path}, returncode=2)
        try:
            report = items_import(path=path)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None
        for problem in report.problems:
            sys.stderr.write(
                _("%(file)s, line %(line)s: %(reason)s")
                % {"file": path.name, "line": problem["line"], "reason": problem["reason"]}
                + "\n"
            )
        self.stdout.write(
            _("%(file)s: %(rows)s rows, %(added)s copies added, %(refused)s rows refused.")
            % {"file": path.name, "rows": report.rows, "added": report.added, "refused": len(report.problems)}
        )
        if report.rows and not report.added:
            raise CommandError(_("%(file)s: no row could be imported.") % {"file": path.name}, returncode=1)
