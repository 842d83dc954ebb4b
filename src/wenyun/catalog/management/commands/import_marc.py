"""`wenyun import-marc FILE --owner UNIT ...`: import MARC records and the copies in their holdings fields."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyun.catalog.imports import BATCH
from wenyun.catalog.marc import ENCODINGS
from wenyun.core.errors import DomainError


class Command(BaseCommand):
    help = "Import bibliographic records (ISO 2709 or MARCXML; MARC 21 or UNIMARC) and copies from holdings fields."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--owner", required=True, help="code of the unit the records and copies are for")
        parser.add_argument("--format", choices=["auto", "iso2709", "marcxml"], default="auto")
        parser.add_argument("--flavour", choices=["auto", "marc21", "unimarc"], default="auto")
        parser.add_argument("--encoding", choices=list(ENCODINGS), default="auto")
        parser.add_argument(
            "--source", default="", help="name of the system the file comes from (default: 003)"
        )
        parser.add_argument(
            "--holdings-map", default="", help="JSON {tag: {attribute: subfield}} for holdings"
        )
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument("--report", default="", help="write a JSON summary to this file")

    def handle(self, *args, **options):
        from wenyun.catalog.imports import marc_import
        from wenyun.network.selectors import unit_get

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file.") % {"path": path}, returncode=2)
        try:
            owner = unit_get(code=options["owner"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        holdings_map = None
        if options["holdings_map"]:
            try:
                holdings_map = json.loads(Path(options["holdings_map"]).read_text())
                assert isinstance(holdings_map, dict)
            except (OSError, ValueError, AssertionError):
                raise CommandError(
                    _("%(path)s: not a JSON object of tag -> {attribute: subfield}.")
                    % {"path": options["holdings_map"]},
                    returncode=2,
                ) from None
        fmt = {"iso2709": "iso2709", "marcxml": "marcxml"}.get(options["format"], "auto")
        bar = _Progress(enabled=sys.stderr.isatty())
        with path.open("rb") as fh:
            report = marc_import(
                stream=fh,
                owner=owner,
                name=path.name,
                format=fmt,
                flavour=options["flavour"],
                encoding=options["encoding"],
                source=options["source"],
                holdings_map=holdings_map,
                batch_size=max(1, options["batch"]),
                progress=bar.update,
                on_problem=lambda text: bar.message(
                    _("%(file)s: skipped %(problem)s") % {"file": path.name, "problem": text}
                ),
            )
        bar.done()
        summary = _(
            "%(file)s: %(read)s records read, %(added)s added, %(updated)s updated, %(unchanged)s unchanged, "
            "%(by_isbn)s matched by ISBN, %(skipped)s skipped; copies: %(items_added)s added, "
            "%(items_unchanged)s already there, %(items_skipped)s skipped (%(seconds)ss)"
        ) % {
            "file": path.name,
            "read": report.read,
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "by_isbn": report.matched_by_isbn,
            "skipped": report.skipped,
            "items_added": report.items_added,
            "items_unchanged": report.items_unchanged,
            "items_skipped": report.items_skipped,
            "seconds": f"{report.seconds:.1f}",
        }
        self.stdout.write(summary)
        if report.encoding_runs:
            self.stdout.write(
                _("%(file)s: read in %(runs)s")
                % {
                    "file": path.name,
                    "runs": "; ".join(
                        _("records %(first)s-%(last)s %(encoding)s")
                        % {"first": r["from"], "last": r["to"], "encoding": r["encoding"]}
                        for r in report.encoding_runs[:MAX_RUNS_SHOWN]
                    )
                    + ("; …" if len(report.encoding_runs) > MAX_RUNS_SHOWN else ""),
                }
            )
        if options["report"]:
            Path(options["report"]).write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if report.read and report.skipped == report.read:
            raise CommandError(_("%(file)s: no record could be read.") % {"file": path.name}, returncode=1)


MAX_RUNS_SHOWN = 20  # the JSON report (--report) has them all


class _Progress:
    """A one-line progress bar on stderr when it is a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0

    def update(self, records: int, total_bytes: int) -> None:
        if not self.enabled or time.monotonic() - self.last < 0.2:
            return
        self.last = time.monotonic()
        sys.stderr.write("\r  " + _("%(records)s records read ...") % {"records": f"{records:,}"})
        sys.stderr.flush()

    def message(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
        sys.stderr.write(text + "\n")

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
