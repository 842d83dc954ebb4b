"""SQLite: the search index without FTS5's prefix indexes.

The prefix indexes ('2 3') wrote every token's first two and three characters again (for a Chinese
bigram, the token itself a second time), which was most of the index's cost on import (about 19 µs
of 41 a record) and 50% of its size. Prefix queries do not need them: FTS5 reads the terms that
start with the prefix in the main index instead, which the search benchmark measures (see
docs/benchmarks.md). The index keeps its text, so the new table is filled from the old one without
tokenising the records again. PostgreSQL: nothing.
"""

from django.db import migrations

COLUMNS = "title, author, other, ids, py, ini"
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"


def _recreate(prefix: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        options = TOKENIZE + (f", prefix = '{prefix}'" if prefix else "")
        for sql in (
            "DROP TABLE IF EXISTS catalog_fts_new",
            f"CREATE VIRTUAL TABLE catalog_fts_new USING fts5({COLUMNS}, {options})",
            "INSERT INTO catalog_fts_new(catalog_fts_new, rank) VALUES ('hashsize', 16777216)",
            f"INSERT INTO catalog_fts_new(rowid, {COLUMNS}) SELECT rowid, {COLUMNS} FROM catalog_fts",
            "DROP TABLE catalog_fts",
            "ALTER TABLE catalog_fts_new RENAME TO catalog_fts",
        ):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_item_type_retired")]

    operations = [migrations.RunPython(_recreate(""), _recreate("2 3"))]
