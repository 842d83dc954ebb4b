"""What every router of the JSON API shares: the error body, and parameter types whose ranges the
schema states, so that a request the OpenAPI schema allows is one the handlers can carry out.

Kept apart from core/api.py, which imports every app's router: the routers import this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Schema
from pydantic import Field, WithJsonSchema


class ErrorOut(Schema):
    """Every error under /api/: a stable code and one sentence in the asker's language."""

    error: str
    message: str


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error statuses an operation can answer, for its `response={200: ..., **errors(400, 404)}`."""
    return dict.fromkeys(statuses, ErrorOut)


# Years the statistics, the ledger and the rolls can be asked about: from the first annual statistics
# a county might have migrated up to a century ahead (a year outside is no year of this platform).
YEAR_MIN, YEAR_MAX = 1900, 2100
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description=f"A year, {YEAR_MIN} to {YEAR_MAX}.")]

# Years the annual report and the ledger are computed for: from 2000 to this year. Stated in the
# schema only (this year as the process started, so never looser than the computations' own check):
# the report and the ledger answer any other year with their own sentence naming the span
# (400 `stats_year_invalid`, `ledger_year_invalid`).
REPORT_YEAR_MIN = 2000
ReportYear = Annotated[
    int,
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": REPORT_YEAR_MIN,
            "maximum": timezone.localdate().year,
            "description": f"A year from {REPORT_YEAR_MIN} to this one.",
        }
    ),
]

# Calendar days in the same span. JSON Schema has no minimum for a date, so the span is a pattern on
# the text as well (the handler's own check is pydantic's ge/le).
_DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
Day = Annotated[
    dt.date,
    Field(ge=dt.date(YEAR_MIN, 1, 1), le=dt.date(YEAR_MAX, 12, 31)),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": _DATE_PATTERN,
            "description": f"A day, YYYY-MM-DD, in {YEAR_MIN} to {YEAR_MAX}.",
        }
    ),
]

# A month as the rolls name it: 2026-03. Stated in the schema only: the rolls' own parser answers
# anything else with a sentence showing the form (400 `month_invalid`).
MONTH_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
MonthText = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "description": "A month, YYYY-MM: 2026-03."}),
]

# Amounts in yuan: text with at most two decimals (the fen is the smallest unit), as the schema of a
# Decimal says nothing of either.
_AMOUNT_LIMIT = Decimal("9999999.99")
PositiveAmount = Annotated[
    Decimal,
    Field(gt=0, le=_AMOUNT_LIMIT, decimal_places=2),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([1-9][0-9]{0,6}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$",
            "description": "Yuan, more than 0, at most two decimals: 12.50.",
        }
    ),
]
Amount = Annotated[
    Decimal,
    Field(ge=0, le=_AMOUNT_LIMIT, decimal_places=2),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(0|[1-9][0-9]{0,6})(\.[0-9]{1,2})?$",
            "description": "Yuan, 0 or more, at most two decimals: 1974.19.",
        }
    ),
]

# Page numbers of a paged list: past the last page a list is empty, past this one it is refused.
PAGE_MAX = 10_000
