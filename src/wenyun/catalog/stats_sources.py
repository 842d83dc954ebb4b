"""The catalogue's figures for the statistics (`stats.metrics` registers them): copies held and
acquired at each unit, grouped by unit in one query for any period, in the shapes of
`stats.selectors` (per_unit_* -> {unit id: value}). Also what the statistics' daily summary of the
circulation log needs from the catalogue: the copies' table, and the titles of records.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q

from wenyun.stats.periods import Period

from .models import Item, Record

# Item types counted as books, periodicals and audio-visual items in the annual report, by their code.
ITEM_TYPE_GROUPS = {
    "books": ("book", "children", "reference"),
    "periodicals": ("periodical", "magazine", "newspaper"),
    "audiovisual": ("av", "cd", "dvd", "audio", "video"),
}
GONE = ("withdrawn", "lost")


def _held(period: Period) -> Q:
    """Items held at the period's end: acquired by then and not withdrawn or lost before it ended."""
    return (Q(acquired_on__isnull=True) | Q(acquired_on__lte=period.end)) & ~Q(
        status__in=GONE, status_changed_at__lt=period.after_moment
    )


def per_unit_holdings(group: str | None = None):
    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        items = Item.objects.filter(_held(period), home_unit_id__in=unit_ids)
        if group is not None:
            items = items.filter(item_type__code__in=ITEM_TYPE_GROUPS[group])
        return dict(
            items.values_list("home_unit_id").annotate(n=Count("pk")).values_list("home_unit_id", "n")
        )

    return compute


def per_unit_new_acquisitions(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    rows = (
        Item.objects.filter(
            home_unit_id__in=unit_ids, acquired_on__gte=period.start, acquired_on__lte=period.end
        )
        .values("home_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["home_unit_id"]: row["n"] for row in rows}


def record_titles(record_ids: Sequence[int]) -> dict[int, str]:
    """{record id: title} for the records asked about."""
    return dict(Record.objects.filter(pk__in=record_ids).values_list("pk", "title"))


def item_table() -> str:
    """The copies' table, which the statistics' summary joins to the circulation log in SQL for each
    checkout's record (columns id, record_id)."""
    return Item._meta.db_table


def over_new_titles(unit_ids: Sequence[int], period: Period) -> int:
    """Different titles (records) among the copies acquired in the period whose home is one of the
    units: a title bought for two of them is one title."""
    return (
        Item.objects.filter(
            home_unit_id__in=unit_ids, acquired_on__gte=period.start, acquired_on__lte=period.end
        )
        .values("record_id")
        .distinct()
        .count()
    )
