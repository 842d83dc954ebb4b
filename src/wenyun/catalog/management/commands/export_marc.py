"""`wenyun export-marc --out FILE [--format iso2709|marcxml]`: the catalogue as it was imported."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Export every record's MARC (ISO 2709 in UTF-8, or MARCXML)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)
        parser.add_argument("--format", choices=["iso2709", "marcxml"], default="iso2709")

    def handle(self, *args, **options):
        from wenyun.catalog.services import marc_export

        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent}: no such directory.", returncode=2)
        with out.open("wb") as fh:
            count = marc_export(out=fh, format=options["format"])
        self.stdout.write(f"{out}: {count} records written.")
