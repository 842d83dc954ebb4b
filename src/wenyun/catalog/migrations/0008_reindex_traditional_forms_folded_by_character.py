"""The search index again for the records with a character that text.fold now folds on its own (著 as
着, 衞 as 卫, 乾 inside 乾隆 as 干 ...): their tokens changed. The other records' tokens did not.

Both backends; `wenyun manage shell -c "from wenyun.catalog.services import catalog_reindex;
catalog_reindex()"` rebuilds the whole index the same way if ever needed.
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


def reindex_folded(apps, schema_editor):
    from wenyun.catalog import search, text
    from wenyun.catalog.services import document_of

    folded = {chr(code) for code in text._character_folds()}
    backend = search.PostgresBackend() if schema_editor.connection.vendor == "postgresql" else search.SqliteBackend()
    columns = ["id", *FIELDS_THEN]
    text_columns = ("title", "responsibility", "authors", "publisher", "subjects")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM catalog_record ORDER BY id")
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                break
            batch = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                if any(not folded.isdisjoint(values[c] or "") for c in text_columns):
                    batch.append((values["id"], backend.index_row(document_of(values))))
            backend.index_rows(batch)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_fts_without_prefix_indexes")]

    operations = [migrations.RunPython(reindex_folded, migrations.RunPython.noop)]
