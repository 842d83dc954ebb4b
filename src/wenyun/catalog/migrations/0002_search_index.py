"""The search index beside the records: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

Both hold the tokens wenyun.catalog.text makes (no analysis of their own), one row per record.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_fts USING fts5("
    "title, author, other, ids, py, ini, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')"
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS catalog_fts"]
POSTGRES_UP = [
    "CREATE TABLE IF NOT EXISTS catalog_searchdoc ("
    " record_id bigint PRIMARY KEY REFERENCES catalog_record(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " doc tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS catalog_searchdoc_doc ON catalog_searchdoc USING gin (doc)",
]
POSTGRES_DOWN = ["DROP TABLE IF EXISTS catalog_searchdoc"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_records_items")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
