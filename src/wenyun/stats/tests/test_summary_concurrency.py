"""On PostgreSQL a transaction can commit an event id below one already committed; the summary's catch-up
must not move its mark past the earlier id and lose that event.

Real threads with their own connections: a desk's transaction holds event n uncommitted while event n+1
is committed and a statistics read catches up; the read waits for the desk, then counts both.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wenyun.circulation.models import CirculationEvent
from wenyun.stats import summary
from wenyun.stats.models import SummaryMark
from wenyun.stats.periods import Period

race = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


@race
def test_an_event_committed_after_a_later_one_is_still_counted_once(county, unit):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: event ids are committed in the order they are drawn")
    lib = unit("YX-LIB")
    when = timezone.now()
    inserted, go = threading.Event(), threading.Event()
    caught_up_at: list[float] = []

    def desk() -> None:
        try:
            with transaction.atomic():
                CirculationEvent.objects.create(type="checkout", unit_id=lib.pk, at=when)
                inserted.set()
                go.wait(10)
        finally:
            connection.close()

    def statistics() -> None:
        try:
            summary.circulation_summary_catch_up()
            caught_up_at.append(time.monotonic())
        finally:
            connection.close()

    desk_thread = threading.Thread(target=desk)
    desk_thread.start()
    assert inserted.wait(10)
    later = CirculationEvent.objects.create(type="checkout", unit_id=lib.pk, at=when)  # committed first
    reader_thread = threading.Thread(target=statistics)
    reader_thread.start()
    time.sleep(0.5)
    assert not caught_up_at  # the catch-up waits for the desk's transaction
    released_at = time.monotonic()
    go.set()
    desk_thread.join(10)
    reader_thread.join(10)

    assert caught_up_at and caught_up_at[0] >= released_at
    assert SummaryMark.objects.get(name=summary.MARK).last_event_id == later.pk
    today = Period(timezone.localdate(), timezone.localdate())
    assert summary.per_unit_events("checkout", [lib.pk], today) == {lib.pk: 2}
    assert CirculationEvent.objects.filter(type="checkout", at=when).count() == 2
