"""wenyun import-digital-usage FILE.csv: a month's digital resource use per unit, as vendors report it.

Header row, English or Chinese: resource/资源 (title), unit/单位 (code), month/月份 (YYYY-MM),
visits/访问次数, downloads/下载次数 (optional). UTF-8 or GB18030. A bad row is reported with its line
number and reason on stderr; good rows import (a month entered again replaces the earlier figures).
Exit code 1 when any row was bad.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError
from wenyun.network.models import Unit
from wenyun.programs.models import DigitalResource
from wenyun.programs.services import digital_usage_record

HEADERS = {
    "resource": "resource", "资源": "resource",
    "unit": "unit", "单位": "unit",
    "month": "month", "月份": "month",
    "visits": "visits", "访问次数": "visits",
    "downloads": "downloads", "下载次数": "downloads",
}  # fmt: skip


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(_("%(file)s is neither UTF-8 nor GB18030 text.") % {"file": path})


def import_rows(text: str) -> tuple[int, list[str]]:
    """Import every good row; return how many were imported and one sentence per bad row."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    columns = [HEADERS.get(name.strip().lower(), HEADERS.get(name.strip())) for name in header]
    missing = {"resource", "unit", "month", "visits"} - set(columns)
    if missing:
        raise CommandError(_("The header row lacks %(columns)s.") % {"columns": ", ".join(sorted(missing))})
    resources = {r.title: r for r in DigitalResource.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    done, errors = 0, []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {column: value.strip() for column, value in zip(columns, values, strict=False) if column}
        try:
            resource = resources.get(row.get("resource", ""))
            if resource is None:
                raise DomainError(
                    _("there is no digital resource called %(title)s") % {"title": row.get("resource")}
                )
            unit = units.get(row.get("unit", ""))
            if unit is None:
                raise DomainError(_("there is no unit with the code %(code)s") % {"code": row.get("unit")})
            try:
                month = dt.date.fromisoformat(row.get("month", "") + "-01")
            except ValueError:
                raise DomainError(
                    _("%(value)s is not a month like 2026-03") % {"value": row.get("month")}
                ) from None
            try:
                visits, downloads = int(row.get("visits", "")), int(row.get("downloads") or 0)
            except ValueError:
                raise DomainError(_("visits and downloads must be whole numbers")) from None
            digital_usage_record(
                actor=None, resource=resource, unit=unit, month=month, visits=visits, downloads=downloads
            )
        except DomainError as exc:
            errors.append(_("line %(line)s: %(reason)s") % {"line": line, "reason": exc.message})
        else:
            done += 1
    return done, errors


class Command(BaseCommand):
    help = "Import monthly digital resource use from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(_("%(file)s does not exist.") % {"file": path})
        done, errors = import_rows(read_text(path))
        for error in errors:
            self.stderr.write(f"{path}: {error}")
        self.stdout.write(_("%(n)s rows imported, %(bad)s refused.") % {"n": done, "bad": len(errors)})
        if errors:
            raise SystemExit(1)
