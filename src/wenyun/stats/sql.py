"""Raw SQL for the statistics' grouped reads, shared with the apps that publish figures to them (each
app's `stats_sources`): Django's ORM costs more than the query over millions of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def local_day_sql(column: str) -> str:
    """SQL for the local calendar day of a timestamp column, computed by the database itself (Django's
    TruncDate runs a Python function per row on SQLite, too slow over millions of events)."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    # SQLite keeps UTC text; the county's zone (Asia/Shanghai) has had no daylight saving since 1991.
    import zoneinfo

    offset = (
        dt.datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta()
    )
    minutes = int(offset.total_seconds() // 60)
    return f"date({column}, '{minutes:+d} minutes')"


def ids_sql(unit_ids: Sequence[int]) -> str:
    """The unit ids as a literal SQL list (ints only, so nothing to quote; NULL matches none)."""
    return ",".join(str(int(pk)) for pk in unit_ids) or "NULL"


def fetch(sql: str, params: list) -> list[tuple]:
    """The rows of one raw query."""
    from django.db import connection

    # Timestamps as the backend stores them (UTC text on SQLite), as the ORM would send them.
    params = [
        connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p for p in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_day(value) -> dt.date:
    """A day the database gave back: a date, or its ISO text (SQLite, or a CAST AS TEXT)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
