"""The circulation log loses its single-column indexes on item and reader: the (item, at) and
(reader, at) indexes serve the same look-ups, and each check-out and check-in then writes two index
entries fewer. Only the indexes are dropped (on SQLite, AlterField would copy the whole table)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "circulation_circulationevent"


def _single_column_indexes(schema_editor, column: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["primary_key"] and not info["unique"] and info["columns"] == [column]
    ]


def drop(apps, schema_editor):
    for column in ("item_id", "reader_id"):
        for name in _single_column_indexes(schema_editor, column):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    for column in ("item_id", "reader_id"):
        if not _single_column_indexes(schema_editor, column):
            name = schema_editor.quote_name(f"{TABLE}_{column}_single")
            schema_editor.execute(f"CREATE INDEX {name} ON {TABLE} ({column})")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_item_type_retired"),
        ("circulation", "0006_notice_status_and_error"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="circulationevent",
                    name="item",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.item",
                    ),
                ),
                migrations.AlterField(
                    model_name="circulationevent",
                    name="reader",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="circulation.reader",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        )
    ]
