"""`wenyun manage ledger_load FILE [FILE ...]` (or `--shipped`): load standard files into the ledger."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenyun.core.errors import DomainError
from wenyun.ledger import services


class Command(BaseCommand):
    help = "Load standard files (JSON) into the acceptance ledger; a standard with the same code is updated."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="standard files (JSON)")
        parser.add_argument("--shipped", action="store_true", help="the standards shipped with Wenyun")

    def handle(self, *args, files, shipped, **options):
        paths = [Path(f) for f in files] + (services.standard_files() if shipped else [])
        if not paths:
            raise CommandError("name a standard file, or --shipped for the standards shipped with Wenyun")
        for path in paths:
            try:
                standard = services.standard_load_file(actor=None, path=path)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            count = standard.indicators.filter(retired=False).count()
            self.stdout.write(f"{path}: {standard.code} loaded, {count} indicators")
