"""`wenyun export-marc --out FILE [--format iso2709|marcxml] [--encoding utf-8|marc8|gb18030]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyun.catalog.imports import EXPORT_ENCODINGS

SHOWN = 20  # fields named one by one on stderr; the count is always complete


class Command(BaseCommand):
    help = (
        "Export every record's MARC: ISO 2709 in UTF-8 (as kept), MARC-8 or GB18030, or MARCXML. "
        "In MARC-8, characters MARC-8 has no code for are written as &#xXXXX; references."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)
        parser.add_argument("--format", choices=["iso2709", "marcxml"], default="iso2709")
        parser.add_argument("--encoding", choices=EXPORT_ENCODINGS, default="utf-8")

    def handle(self, *args, **options):
        from wenyun.catalog.imports import marc_export

        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(_("%(path)s: no such directory.") % {"path": out.parent}, returncode=2)
        if options["format"] == "marcxml" and options["encoding"] != "utf-8":
            raise CommandError(_("MARCXML is written in UTF-8 only: leave out --encoding."), returncode=2)
        with out.open("wb") as fh:
            report = marc_export(out=fh, format=options["format"], encoding=options["encoding"])
        for pk, tag in report.references[:SHOWN]:
            self.stderr.write(
                _(
                    "%(file)s: record %(record)s field %(tag)s has characters MARC-8 has no code for;"
                    " they are written as &#xXXXX; references."
                )
                % {"file": out.name, "record": pk, "tag": tag}
            )
        if len(report.references) > SHOWN:
            self.stderr.write(
                _("%(file)s: %(count)s more such fields.")
                % {"file": out.name, "count": len(report.references) - SHOWN}
            )
        self.stdout.write(_("%(file)s: %(count)s records written.") % {"file": out, "count": report.records})
