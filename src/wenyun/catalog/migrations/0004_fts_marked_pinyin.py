"""SQLite: the search index again, with pinyin and initial tokens marked (see search.FTS_MARK).

PostgreSQL marks them already; there is nothing to do there.
"""

from django.db import migrations


# The record's columns the search document was made of when this migration was written.
FIELDS_THEN = (
    "title",
    "responsibility",
    "authors",
    "publisher",
    "subjects",
    "isbn",
    "isbn_valid",
    "isbn_raw",
    "clc",
    "call_number",
)


def reindex(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from wenyun.catalog.search import SqliteBackend
    from wenyun.catalog.services import document_of

    columns = ["id", *FIELDS_THEN]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_fts")
        cursor.execute(f"SELECT {', '.join(columns)} FROM catalog_record")
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                break
            batch = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                batch.append((values["id"], *SqliteBackend.index_row(document_of(values))))
            schema_editor.connection.connection.executemany(
                "INSERT INTO catalog_fts(rowid, title, author, other, ids, py, ini) VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch,
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_record_authors")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
