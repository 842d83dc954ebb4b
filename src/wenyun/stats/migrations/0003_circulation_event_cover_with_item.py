"""The statistics' index on the circulation event log also carries the copy, so the titles borrowed
most (event -> copy -> record) are read from the index too."""

from django.db import migrations

OLD = "stats_circulation_event_cover"
NEW = "stats_circulation_event_cover2"


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_circulation_event_covering_index")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"CREATE INDEX IF NOT EXISTS {NEW} ON circulation_circulationevent (unit_id, type, at, reader_id, item_id)",
                f"DROP INDEX IF EXISTS {OLD}",
            ],
            reverse_sql=[
                f"CREATE INDEX IF NOT EXISTS {OLD} ON circulation_circulationevent (unit_id, type, at, reader_id)",
                f"DROP INDEX IF EXISTS {NEW}",
            ],
        )
    ]
