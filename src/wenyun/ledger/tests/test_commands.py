"""The snapshot command cron runs monthly: once a month per standard, values kept for the ledger's history."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from wenyun.ledger.models import Snapshot, SnapshotValue


def test_the_monthly_snapshot_keeps_every_computable_value_once_a_month(shipped):
    year = timezone.localdate().year
    first, again = StringIO(), StringIO()

    call_command("ledger_snapshot", "--monthly", "--standard", "township-village-local", stdout=first)
    call_command("ledger_snapshot", "--monthly", "--standard", "township-village-local", stdout=again)

    snapshot = Snapshot.objects.get()
    kept = SnapshotValue.objects.filter(snapshot=snapshot).count()
    assert (snapshot.reason, snapshot.year) == ("monthly", year)
    assert first.getvalue() == f"township-village-local: {kept} values kept for {year}\n"
    assert again.getvalue() == "township-village-local: already snapshotted this month\n"
    # 8 station indicators × 11 stations and 5 village indicators × 83 villages, all computable on the tree.
    assert kept == 8 * 11 + 5 * 83


def test_an_on_demand_snapshot_is_taken_each_time_it_is_asked_for(shipped):
    call_command("ledger_snapshot", "--standard", "county-institutions-grading", stdout=StringIO())
    call_command("ledger_snapshot", "--standard", "county-institutions-grading", stdout=StringIO())
    assert list(Snapshot.objects.values_list("reason", flat=True)) == ["on_demand", "on_demand"]
