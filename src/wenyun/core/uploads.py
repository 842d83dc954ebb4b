"""Files people import (items, patrons, door counts, MARC): measured before they are read.

An XLSX is a zip: a 4 MB file can hold a sheet of a gigabyte. So the sizes its parts declare are
summed from the zip's directory before anything is decompressed, the sheet's declared dimension is
checked, and its rows are then streamed and counted, stopping at the limit whatever the dimension
said (zipfile never decompresses a part past the size it declares). A CSV or MARC file is checked
by its size and its line (or record) count. The limits are settings (IMPORT_MAX_BYTES,
IMPORT_MAX_ROWS); each refusal is one sentence naming the file and the limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import DomainError


class TooLarge(DomainError):
    code = "file_too_large"
    status = 413


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f}"


def size_check(*, size: int, filename: str) -> None:
    """Refuse a file larger than IMPORT_MAX_BYTES (called with the upload's size, before reading it)."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise TooLarge(
            _(
                "%(file)s is %(size)s MB; a file to import can be at most %(limit)s MB"
                " (WENYUN_IMPORT_MAX_BYTES): split it into smaller files."
            )
            % {"file": filename, "size": _megabytes(size), "limit": _megabytes(limit)}
        )


def upload_clean(upload):
    """A form field's clean step for a file to import: its size is checked before it is read."""
    from django import forms

    try:
        size_check(size=upload.size, filename=upload.name)
    except TooLarge as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None
    return upload


def _too_many_rows(*, filename: str, rows: int | None) -> TooLarge:
    limit = settings.IMPORT_MAX_ROWS
    if rows is None:
        message = _(
            "%(file)s has more than %(limit)s rows, the most an import takes (WENYUN_IMPORT_MAX_ROWS):"
            " split it into smaller files."
        ) % {"file": filename, "limit": f"{limit:,}"}
    else:
        message = _(
            "%(file)s has %(rows)s rows; an import takes at most %(limit)s (WENYUN_IMPORT_MAX_ROWS):"
            " split it into smaller files."
        ) % {"file": filename, "rows": f"{rows:,}", "limit": f"{limit:,}"}
    return TooLarge(message)


def xlsx_check(*, data: bytes, filename: str) -> None:
    """Refuse a workbook whose parts, uncompressed, are larger than IMPORT_MAX_BYTES, before any
    part is decompressed. A file that is not a zip is left to the reader to refuse."""
    size_check(size=len(data), filename=filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inside = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    limit = settings.IMPORT_MAX_BYTES
    if inside > limit:
        raise TooLarge(
            _(
                "%(file)s unpacks to %(size)s MB; a workbook to import can hold at most %(limit)s MB"
                " (WENYUN_IMPORT_MAX_BYTES): split it into smaller files."
            )
            % {"file": filename, "size": _megabytes(inside), "limit": _megabytes(limit)}
        )


def sheet_rows(sheet, *, filename: str) -> Iterator[tuple]:
    """The rows of an openpyxl read-only sheet, streamed, refused past IMPORT_MAX_ROWS: at once where
    the sheet's declared dimension says so, else at the first row beyond the limit."""
    limit = settings.IMPORT_MAX_ROWS
    try:
        declared = sheet.max_row
    except Exception:  # a dimension that is not a cell range: the count below decides
        declared = None
    if isinstance(declared, int) and declared > limit:
        raise _too_many_rows(filename=filename, rows=declared)
    yield from limited(sheet.iter_rows(values_only=True), filename=filename)


def limited(rows: Iterable, *, filename: str) -> Iterator:
    """The rows, refused at the first one past IMPORT_MAX_ROWS."""
    limit = settings.IMPORT_MAX_ROWS
    for number, row in enumerate(rows, start=1):
        if number > limit:
            raise _too_many_rows(filename=filename, rows=None)
        yield row


def text_check(*, data: bytes, filename: str) -> None:
    """Refuse a CSV larger than IMPORT_MAX_BYTES or with more lines than IMPORT_MAX_ROWS, before parsing."""
    size_check(size=len(data), filename=filename)
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    if lines > settings.IMPORT_MAX_ROWS:
        raise _too_many_rows(filename=filename, rows=lines)


def marc_check(*, data: bytes, filename: str) -> None:
    """Refuse a MARC file larger than IMPORT_MAX_BYTES or with more records than IMPORT_MAX_ROWS."""
    size_check(size=len(data), filename=filename)
    records = data.count(b"\x1d") or data.count(b"<record")
    if records > settings.IMPORT_MAX_ROWS:
        raise _too_many_rows(filename=filename, rows=records)


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV would hold: 12.0 → "12", a date-time → "2026-01-05"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def table_rows(*, data: bytes, filename: str) -> list[list[str]]:
    """The rows of a CSV (UTF-8 or GB18030) or XLSX file (by its name), as text, checked by the limits
    above before they are read. A file that cannot be read is refused with one sentence naming it."""
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        xlsx_check(data=data, filename=filename)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise DomainError(
                _("%(file)s is not a readable XLSX workbook.") % {"file": filename},
                code="file_unreadable",
            ) from None
        try:
            sheet = book.worksheets[0]
            return [[cell_text(v) for v in row] for row in sheet_rows(sheet, filename=filename)]
        finally:
            book.close()
    text_check(data=data, filename=filename)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(
            _("%(file)s is neither UTF-8 nor GB18030 text.") % {"file": filename}, code="file_encoding"
        )
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(decoded))]
