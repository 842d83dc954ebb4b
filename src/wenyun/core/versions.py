"""Version numbers of what processes cache, kept in the database every process shares.

A cache that other processes' writes can make stale keeps the version it was built at and compares
it with the row here; every writer of what the cache holds calls `bump` inside its own transaction,
so the change and the new version commit together. One row, read by its primary key, instead of a
cache guessing at staleness from other tables (counts, largest ids, change logs), which cannot see
`QuerySet.update()`, a row edited in place or a data migration.

Caches compare `token`, not the counter `n`: a bump rolled back with its transaction returns `n` to
where it was, and the next change would bring back a number a cache may have been built at (from
the rolled-back data, read inside that transaction). A random token is not drawn again.

Writers that bypass the services — `QuerySet.update()`, `bulk_create`, raw SQL, a data migration
(`RunPython`), a demo builder — call `bump` themselves (in a migration: `bump(NAME,
using=schema_editor.connection.alias)`, with the migration depending on core's `0004`).
"""

from __future__ import annotations

import re
import secrets

from django.db import DEFAULT_DB_ALIAS, connections

from .models import Version

# The circulation rules cache (`circulation.rules.snapshot`): the matrix (CirculationRule with its
# units, reader categories and item types), CirculationSettings, every Unit, and the units' opening
# hours and closures. Bumped by circulation's matrix services, network's services, catalog's item
# type services, the admin pages of those models and the demo builder.
CIRCULATION_RULES = "circulation_rules"

_NAME = re.compile(r"[a-z_]{1,40}")
_TABLE = Version._meta.db_table


def bump(name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Mark `name` changed; call it in the transaction that makes the change (it locks the row until
    that transaction ends, so concurrent writers of the same thing queue)."""
    connection = connections[using]
    table = connection.ops.quote_name(_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, n, token) VALUES (%s, 1, %s) "
            f"ON CONFLICT (name) DO UPDATE SET n = {table}.n + 1, token = excluded.token",
            [name, secrets.randbits(62)],
        )


def current_sql(name: str) -> str:
    """A scalar subquery giving `name`'s token (NULL before its first bump), for a cache to read
    along with whatever else its caller reads in the same round trip."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a version name: {name!r}")
    return f"(SELECT token FROM {_TABLE} WHERE name = '{name}')"


def current(name: str, *, using: str = DEFAULT_DB_ALIAS) -> int | None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + current_sql(name))
        row = cursor.fetchone()
    return row[0] if row else None
