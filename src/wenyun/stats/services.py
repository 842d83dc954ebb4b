"""Writes of the statistics: the figures a person enters and the door counts entered or imported.

Each write is atomic and leaves a StatsEvent with the previous value, so every hand-entered figure
can be traced to who entered it and when.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core import uploads
from wenyun.core.errors import DomainError
from wenyun.network.access import require_manage
from wenyun.network.models import Unit

from .models import DoorCount, ManualCode, ManualFigure, StatsEvent

# Years a statistics figure may be entered for: the network is not older than this.
FIRST_YEAR = 2000
# A door counter reading above this for one unit on one day is a typo, not a visitor count.
MAX_DAILY_VISITS = 200_000


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_actor(actor, unit: Unit) -> None:
    # actor None is the system itself (the demo builder, a command run by the operator).
    if actor is not None:
        require_manage(actor, unit)


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= this_year:
        raise DomainError(
            _("The year must be between %(first)s and %(last)s, not %(year)s.")
            % {"first": FIRST_YEAR, "last": this_year, "year": year},
            code="stats_year_invalid",
        )


def _parse_value(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("The value must be a number, not %(value)s.") % {"value": value}, code="stats_value_invalid"
        ) from None
    if not number.is_finite():
        raise DomainError(
            _("The value must be a number, not %(value)s.") % {"value": value}, code="stats_value_invalid"
        )
    if number < 0:
        raise DomainError(_("The value cannot be negative."), code="stats_value_invalid")
    if number >= Decimal("1e12"):
        raise DomainError(
            _("The value %(value)s is too large.") % {"value": value}, code="stats_value_invalid"
        )
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def manual_figure_set(*, actor, unit: Unit, code: str, year: int, value, note: str = "") -> ManualFigure:
    """Enter (or correct) one yearly figure for a unit."""
    _check_actor(actor, unit)
    if code not in ManualCode.values:
        raise DomainError(
            _("%(code)s is not a figure that is entered by hand.") % {"code": code},
            code="stats_figure_unknown",
        )
    _check_year(int(year))
    number = _parse_value(value)
    if code in (ManualCode.READING_SEATS, ManualCode.TERMINALS) and number != number.to_integral_value():
        raise DomainError(
            _("%(figure)s is counted in whole numbers, not %(value)s.")
            % {"figure": ManualCode(code).label, "value": value},
            code="stats_value_invalid",
        )
    now = timezone.now()
    figure = ManualFigure.objects.select_for_update().filter(unit=unit, code=code, year=year).first()
    previous = None
    if figure is None:
        figure = ManualFigure.objects.create(
            unit=unit,
            code=code,
            year=year,
            value=number,
            note=note.strip()[:200],
            entered_by=_actor_or_none(actor),
            entered_at=now,
        )
        event_type = StatsEvent.Type.FIGURE_ENTERED
    else:
        previous = str(figure.value)
        figure.value = number
        figure.note = note.strip()[:200]
        figure.entered_by = _actor_or_none(actor)
        figure.entered_at = now
        figure.save(update_fields=["value", "note", "entered_by", "entered_at"])
        event_type = StatsEvent.Type.FIGURE_CHANGED
    StatsEvent.objects.create(
        type=event_type,
        at=now,
        unit=unit,
        actor=_actor_or_none(actor),
        details={"code": code, "year": year, "value": str(number), "previous": previous},
    )
    return figure


def _parse_visits(value) -> int:
    text = str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        raise DomainError(
            _("Visits must be a whole number, not %(value)s.") % {"value": value}, code="stats_visits_invalid"
        )
    if number < 0:
        raise DomainError(_("Visits cannot be negative."), code="stats_visits_invalid")
    if number > MAX_DAILY_VISITS:
        raise DomainError(
            _("%(value)s visits in one day at one unit is more than %(max)s: check the figure.")
            % {"value": value, "max": MAX_DAILY_VISITS},
            code="stats_visits_invalid",
        )
    return int(number)


def _check_day(day: dt.date) -> None:
    if day > timezone.localdate():
        raise DomainError(
            _("%(day)s is in the future: door counts are entered for days that have passed.")
            % {"day": day.isoformat()},
            code="stats_day_future",
        )
    if day.year < FIRST_YEAR:
        raise DomainError(
            _("%(day)s is before %(first)s.") % {"day": day.isoformat(), "first": FIRST_YEAR},
            code="stats_day_invalid",
        )


def _door_count_write(
    *, actor, unit: Unit, day: dt.date, visits: int, source: str, now
) -> tuple[DoorCount, int | None]:
    row = DoorCount.objects.select_for_update().filter(unit=unit, day=day).first()
    if row is None:
        return (
            DoorCount.objects.create(
                unit=unit,
                day=day,
                visits=visits,
                source=source,
                entered_by=_actor_or_none(actor),
                entered_at=now,
            ),
            None,
        )
    previous = row.visits
    row.visits = visits
    row.source = source
    row.entered_by = _actor_or_none(actor)
    row.entered_at = now
    row.save(update_fields=["visits", "source", "entered_by", "entered_at"])
    return row, previous


@transaction.atomic
def door_count_set(*, actor, unit: Unit, day: dt.date, visits) -> DoorCount:
    """Enter (or correct) the door count of one unit on one day."""
    _check_actor(actor, unit)
    _check_day(day)
    number = _parse_visits(visits)
    now = timezone.now()
    row, previous = _door_count_write(
        actor=actor, unit=unit, day=day, visits=number, source=DoorCount.Source.ENTERED, now=now
    )
    StatsEvent.objects.create(
        type=StatsEvent.Type.DOOR_COUNT_ENTERED if previous is None else StatsEvent.Type.DOOR_COUNT_CHANGED,
        at=now,
        unit=unit,
        actor=_actor_or_none(actor),
        details={"day": day.isoformat(), "visits": number, "previous": previous},
    )
    return row


@dataclass
class ImportReport:
    imported: int = 0
    replaced: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line": n, "message": text}

    @property
    def ok(self) -> bool:
        return not self.errors


HEADERS = {
    "unit": {"unit", "单位", "单位代码", "code"},
    "day": {"day", "date", "日期"},
    "visits": {"visits", "count", "人次", "到馆人次"},
}


def _read_rows(*, content: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every row of a CSV (UTF-8 or GB18030) or XLSX file, header first."""
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        uploads.xlsx_check(data=content, filename=filename)
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise DomainError(
                _("%(file)s is not an XLSX workbook that can be read.") % {"file": filename},
                code="stats_import_unreadable",
            ) from None
        sheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(uploads.sheet_rows(sheet, filename=filename), start=1):
            rows.append(
                (
                    number,
                    [
                        "" if c is None else (c.date().isoformat() if isinstance(c, dt.datetime) else str(c))
                        for c in cells
                    ],
                )
            )
        book.close()
        return rows
    uploads.text_check(data=content, filename=filename)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(
            _("%(file)s is neither UTF-8 nor GB18030 text.") % {"file": filename},
            code="stats_import_unreadable",
        )
    return [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text)), start=1)]


def _columns(header: list[str], filename: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        cleaned = name.strip().lower()
        for key, names in HEADERS.items():
            if cleaned in names and key not in found:
                found[key] = index
    missing = [key for key in HEADERS if key not in found]
    if missing:
        raise DomainError(
            _(
                "%(file)s has no column for %(columns)s: the header row needs unit/单位, day/日期 and visits/人次."
            )
            % {"file": filename, "columns": ", ".join(missing)},
            code="stats_import_header",
        )
    return found


def door_counts_import(*, actor, content: bytes, filename: str) -> ImportReport:
    """Import door counts from CSV or XLSX (unit code, day, visits). Good rows import, each bad row is
    reported with its line number and reason; a row is never saved half-written."""
    rows = [
        (n, cells)
        for n, cells in _read_rows(content=content, filename=filename)
        if any(c.strip() for c in cells)
    ]
    report = ImportReport()
    if not rows:
        raise DomainError(_("%(file)s is empty.") % {"file": filename}, code="stats_import_empty")
    columns = _columns(rows[0][1], filename)
    units = {u.code: u for u in Unit.objects.all()}
    seen: dict[tuple[str, dt.date], int] = {}
    now = timezone.now()
    for line, cells in rows[1:]:

        def cell(key: str, cells=cells) -> str:
            index = columns[key]
            return cells[index].strip() if index < len(cells) else ""

        try:
            code = cell("unit")
            unit = units.get(code)
            if unit is None:
                raise DomainError(_("There is no unit with the code %(code)s.") % {"code": code or "—"})
            _check_actor(actor, unit)
            raw_day = cell("day")
            try:
                day = dt.date.fromisoformat(raw_day.replace("/", "-")[:10])
            except ValueError:
                raise DomainError(
                    _("%(value)s is not a date (write it as 2025-03-01).") % {"value": raw_day or "—"}
                ) from None
            _check_day(day)
            visits = _parse_visits(cell("visits"))
            if (code, day) in seen:
                raise DomainError(
                    _("%(unit)s on %(day)s is already on line %(line)s.")
                    % {"unit": code, "day": day.isoformat(), "line": seen[(code, day)]}
                )
            seen[(code, day)] = line
            with transaction.atomic():
                _row, previous = _door_count_write(
                    actor=actor, unit=unit, day=day, visits=visits, source=DoorCount.Source.IMPORTED, now=now
                )
        except DomainError as exc:
            report.errors.append({"line": line, "message": exc.message})
            continue
        report.imported += 1
        if previous is not None:
            report.replaced += 1
    if report.imported:
        # The import is logged at the importer's unit (the county's top unit for the system itself).
        anchor = actor.unit if actor is not None and actor.unit_id else Unit.objects.get(parent__isnull=True)
        StatsEvent.objects.create(
            type=StatsEvent.Type.DOOR_COUNTS_IMPORTED,
            at=now,
            unit=anchor,
            actor=_actor_or_none(actor),
            details={
                "file": filename,
                "imported": report.imported,
                "replaced": report.replaced,
                "errors": len(report.errors),
            },
        )
    return report
