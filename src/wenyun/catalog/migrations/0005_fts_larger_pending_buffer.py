"""SQLite: FTS5 keeps up to 16 MB of new index entries in memory before writing a segment (1 MB by
default), so a large import writes fewer small segments and merges them less often. PostgreSQL: nothing.
"""

from django.db import migrations


def configure(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("INSERT INTO catalog_fts(catalog_fts, rank) VALUES ('hashsize', 16777216)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_fts_marked_pinyin")]

    operations = [migrations.RunPython(configure, migrations.RunPython.noop)]
