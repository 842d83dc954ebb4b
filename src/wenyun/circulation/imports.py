"""`wenyun import-patrons`: readers from another system's CSV (UTF-8 or GB18030) or XLSX export.

Headers may be English or Chinese (card/读者证号, name/姓名, pin/密码, category/读者类型, unit/所属单位,
phone/手机, id_number/身份证号, expires/有效期). Each row is registered through `reader_register`, in
its own transaction: a bad row is reported with its line number and reason, and the good rows import.
Cells are read as people write them (core/normalise.py): phones with brackets, spaces or +86,
full-width digits, dates as 2026/1/5 or 2026年1月5日. A row without a category takes the default
category (`--default-category`, else the WENYUN_DEFAULT_READER_CATEGORY setting).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from wenyun.core import uploads
from wenyun.core.errors import DomainError
from wenyun.core.normalise import date_parse, phone_normalise, plain
from wenyun.network.models import Unit

from . import services
from .models import ReaderCategory

HEADERS = {
    "card": "card",
    "读者证号": "card",
    "证号": "card",
    "name": "name",
    "姓名": "name",
    "pin": "pin",
    "密码": "pin",
    "category": "category",
    "读者类型": "category",
    "unit": "unit",
    "所属单位": "unit",
    "phone": "phone",
    "手机": "phone",
    "电话": "phone",
    "id_number": "id_number",
    "身份证号": "id_number",
    "expires": "expires",
    "有效期": "expires",
}
REQUIRED = ("card", "name", "category", "unit")


@dataclass
class PatronsReport:
    file: str
    rows: int = 0
    added: int = 0
    defaulted: int = 0  # rows without a category that took the default one
    problems: list[dict] = field(default_factory=list)
    # Legacy PINs kept although a new card could not have them (1234, the card's last digits ...).
    weak_pins: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _rows(path: Path, data: bytes) -> list[list[str]]:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        uploads.xlsx_check(data=data, filename=path.name)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise DomainError(
                _("%(file)s is not a readable XLSX workbook.") % {"file": path.name}, code="file_unreadable"
            ) from None
        rows = []
        for row in uploads.sheet_rows(book.worksheets[0], filename=path.name):
            cells = []
            for value in row:
                if isinstance(value, dt.datetime):
                    value = value.date().isoformat()
                elif isinstance(value, float) and value.is_integer():
                    value = int(value)
                cells.append("" if value is None else str(value).strip())
            rows.append(cells)
        book.close()
        return rows
    uploads.text_check(data=data, filename=path.name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(
            _("%(file)s is neither UTF-8 nor GB18030 text.") % {"file": path.name}, code="file_encoding"
        )
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _date(value: str) -> dt.date | None:
    try:
        return date_parse(value)
    except DomainError:
        raise DomainError(
            _("The expiry date %(value)s is not a date (YYYY-MM-DD).") % {"value": value},
            code="reader_field_invalid",
        ) from None


def patrons_import(
    *,
    path: str | os.PathLike,
    content: bytes | None = None,
    actor=None,
    default_category: str | None = None,
) -> PatronsReport:
    """Register each good row; default_category (a code or name) is for rows that give none."""
    file = Path(path)
    if content is None:
        uploads.size_check(size=file.stat().st_size, filename=file.name)
    data = content if content is not None else file.read_bytes()
    rows = _rows(file, data)
    report = PatronsReport(file=file.name)
    if not rows:
        raise DomainError(_("%(file)s is empty.") % {"file": file.name}, code="file_empty")
    columns = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip())) for h in rows[0]]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise DomainError(
            _("%(file)s has no %(columns)s column in its header row.")
            % {"file": file.name, "columns": ", ".join(missing)},
            code="file_header",
        )
    categories: dict[str, ReaderCategory] = {}
    for each_category in ReaderCategory.objects.all():
        for key in (each_category.code, each_category.name, each_category.name_en):
            if key:
                categories[key.lower()] = each_category
    default_code = plain(
        settings.WENYUN_DEFAULT_READER_CATEGORY if default_category is None else default_category
    )
    default = categories.get(default_code.lower()) if default_code else None
    if default_code and default is None:
        raise DomainError(
            _("There is no reader category %(code)s (the default category for rows without one).")
            % {"code": default_code},
            code="category_not_found",
        )
    units: dict[str, Unit] = {}
    for each_unit in Unit.objects.all():
        units[each_unit.code.lower()] = each_unit
        units[each_unit.name.lower()] = each_unit
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        report.rows += 1
        values = {name: (row[i] if i < len(row) else "") for i, name in enumerate(columns) if name}
        for name in ("card", "category", "unit", "pin", "id_number"):
            values[name] = plain(values.get(name, ""))
        category: ReaderCategory | None
        try:
            if not values["category"]:
                if default is None:
                    raise DomainError(
                        _(
                            "The row gives no reader category and there is no default category "
                            "(--default-category or the setting WENYUN_DEFAULT_READER_CATEGORY)."
                        ),
                        code="category_missing",
                    )
                category = default
            else:
                category = categories.get(values["category"].lower())
            if category is None:
                raise DomainError(
                    _("There is no reader category %(code)s.") % {"code": values["category"]},
                    code="category_not_found",
                )
            unit = units.get(values["unit"].lower())
            if unit is None:
                raise DomainError(
                    _("There is no unit %(unit)s.") % {"unit": values.get("unit", "")}, code="unit_not_found"
                )
            reader = services.reader_register(
                actor=actor,
                card=values.get("card", ""),
                name=values.get("name", ""),
                category=category,
                home_unit=unit,
                phone=phone_normalise(values.get("phone", "")),
                id_number=values.get("id_number", ""),
                pin=values.get("pin", ""),
                expires_on=_date(values.get("expires", "")),
                via="import",
                legacy_pin=True,
            )
            report.added += 1
            if values.get("pin") and services.pin_weakness(
                pin=values["pin"], card=reader.card, id_number=values.get("id_number", "")
            ):
                report.weak_pins += 1
            report.defaulted += not values["category"]
        except DomainError as exc:
            report.problems.append({"line": number, "card": values.get("card", ""), "reason": exc.message})
    return report
