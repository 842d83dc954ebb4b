"""The window of days Wenyun takes from anyone typing one: from 2000 to ten years ahead.

A day outside it is a typing slip (1999 for 2099, 20266 for 2026), and days far ahead overflow
date arithmetic (weekly sessions, due dates). Forms (core/forms.py) and services check the same window.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .errors import DomainError

FIRST_DAY = dt.date(2000, 1, 1)
YEARS_AHEAD = 10


def last_day(today: dt.date | None = None) -> dt.date:
    """The last day one may give: YEARS_AHEAD years from today (28 February for a 29th)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def day_problem(day: dt.date, *, earliest: dt.date | None = FIRST_DAY, latest: dt.date | None = None) -> str:
    """The sentence saying why a day is outside the window, or "" when it is inside."""
    latest = latest or last_day()
    if earliest is not None and day < earliest:
        return _("%(day)s is too long ago: give a day from %(earliest)s on.") % {
            "day": date_format(day, "Y-m-d"),
            "earliest": date_format(earliest, "Y-m-d"),
        }
    if day > latest:
        return _("%(day)s is too far ahead: give a day up to %(latest)s.") % {
            "day": date_format(day, "Y-m-d"),
            "latest": date_format(latest, "Y-m-d"),
        }
    return ""


def day_check(day: dt.date, *, earliest: dt.date | None = FIRST_DAY, latest: dt.date | None = None) -> None:
    problem = day_problem(day, earliest=earliest, latest=latest)
    if problem:
        raise DomainError(problem, code="date_out_of_range")
