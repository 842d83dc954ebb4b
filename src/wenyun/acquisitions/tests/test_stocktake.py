"""Stocktaking (盘点): batches scanned at a village, compared with its holdings, each difference resolved."""

from __future__ import annotations

import re

import pytest

from wenyun.acquisitions import selectors, services
from wenyun.acquisitions.models import AcquisitionEvent, Stocktake, StocktakeResolution, StocktakeScan
from wenyun.catalog.models import CatalogEvent, Item, ItemStatus
from wenyun.circulation import services as circulation
from wenyun.circulation.tests import factories as f
from wenyun.core.errors import DomainError, Forbidden, Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def v01(unit):
    return unit("YX-S01-V01")


@pytest.fixture
def shelf(v01, unit, book, rules, village_manager):
    """A village's copies: three on the shelf, one on loan, one in transit, one of another village lent
    back here (current unit YX-S01-V01), and one of YX-S01-V02 that sits on V02's shelf."""
    v02 = unit("YX-S01-V02")
    copies = {
        "a": f.item(home=v01, barcode="ST001", type=book),
        "b": f.item(home=v01, barcode="ST002", type=book),
        "c": f.item(home=v01, barcode="ST003", type=book),
        "lent": f.item(home=v01, barcode="ST004", type=book),
        "van": f.item(home=v01, barcode="ST005", type=book, status=ItemStatus.IN_TRANSIT),
        "floating": f.item(home=v02, barcode="ST006", type=book, current=v01),
        "v02": f.item(home=v02, barcode="ST007", type=book),
        "gone": f.item(home=v01, barcode="ST008", type=book, status=ItemStatus.WITHDRAWN),
    }
    reader = f.reader(home=v01)
    circulation.loan_checkout(reader=reader, item=copies["lent"], at_unit=v01, actor=village_manager)
    return copies


def _barcodes(items) -> list[str]:
    return sorted(item.barcode for item in items)


def test_batches_are_resumable_a_barcode_scanned_again_is_no_second_row(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)

    first = services.stocktake_scan(
        actor=village_manager, stocktake=stocktake, barcodes=["ST001\nST002\nST002"]
    )
    # The phone lost its connection and sends the batch again, with one more, in full-width digits.
    second = services.stocktake_scan(
        actor=village_manager, stocktake=stocktake, barcodes=["ST001，ST002、ＳＴ００３", "NOSUCH1"]
    )

    assert (first.batch, first.added, first.again, first.unknown) == (1, 2, 1, [])
    assert (second.batch, second.added, second.again, second.unknown) == (2, 2, 2, ["NOSUCH1"])
    assert list(StocktakeScan.objects.filter(stocktake=stocktake).values_list("barcode", "batch")) == [
        ("ST001", 1),
        ("ST002", 1),
        ("ST003", 2),
        ("NOSUCH1", 2),
    ]
    assert AcquisitionEvent.objects.filter(type="stocktake_scanned").count() == 2


def test_a_token_longer_than_a_barcode_is_reported_and_not_kept(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)

    report = services.stocktake_scan(
        actor=village_manager, stocktake=stocktake, barcodes=["ST001 " + "9" * 40]
    )

    assert (report.added, report.rejected) == (1, ["9" * 40])
    assert list(stocktake.scans.values_list("barcode", flat=True)) == ["ST001"]


def test_an_empty_batch_is_refused_and_nothing_is_written(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)

    with pytest.raises(DomainError, match=re.escape("Scan or type at least one barcode.")):
        services.stocktake_scan(actor=village_manager, stocktake=stocktake, barcodes=[" \n ，"])

    stocktake.refresh_from_db()
    assert (stocktake.batches, stocktake.scans.count()) == (0, 0)


def test_the_comparison_lists_missing_elsewhere_away_and_unknown(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)
    services.stocktake_scan(
        actor=village_manager, stocktake=stocktake, barcodes=["ST001", "ST007", "ST006", "XX-404"]
    )

    comparison = selectors.stocktake_compare(stocktake=stocktake)

    assert _barcodes(comparison.expected) == ["ST001", "ST002", "ST003", "ST004", "ST005", "ST006"]
    assert _barcodes(comparison.here) == ["ST001", "ST006"]
    assert _barcodes(comparison.missing) == ["ST002", "ST003"]
    assert _barcodes(comparison.elsewhere) == ["ST007"]  # recorded on YX-S01-V02's shelf
    assert _barcodes(comparison.away) == ["ST004", "ST005"]  # on loan, in transit: fine
    assert [scan.barcode for scan in comparison.unknown] == ["XX-404"]


def test_a_stocktake_of_one_call_number_range_expects_only_its_copies(v01, shelf, village_manager):
    Item.objects.filter(barcode__in=["ST001", "ST002"]).update(call_number="I247.5/12")
    stocktake = services.stocktake_start(actor=village_manager, unit=v01, call_prefix="i247")

    comparison = selectors.stocktake_compare(stocktake=stocktake)

    assert _barcodes(comparison.missing) == ["ST001", "ST002"]


def test_found_shelves_a_copy_here_that_was_recorded_elsewhere(v01, shelf, village_manager, unit):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)
    services.stocktake_scan(actor=village_manager, stocktake=stocktake, barcodes=["ST007"])
    Item.objects.filter(barcode="ST007").update(status=ItemStatus.MISSING)

    services.stocktake_resolve(actor=village_manager, stocktake=stocktake, item=shelf["v02"], outcome="found")

    copy = Item.objects.get(barcode="ST007")
    assert (copy.status, copy.current_unit.code, copy.home_unit.code) == (
        "available",
        "YX-S01-V01",
        "YX-S01-V02",
    )
    found = CatalogEvent.objects.get(type="item_found")
    assert (found.details["previous"], found.details["was_at"]) == ("missing", "YX-S01-V02")
    comparison = selectors.stocktake_compare(stocktake=stocktake)
    assert comparison.elsewhere == [] and [r.outcome for r in comparison.resolved] == ["found"]


def test_missing_marks_an_unscanned_copy_missing(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)

    services.stocktake_resolve(actor=village_manager, stocktake=stocktake, item=shelf["b"], outcome="missing")

    assert Item.objects.get(barcode="ST002").status == ItemStatus.MISSING
    assert CatalogEvent.objects.filter(type="item_missing", details__barcode="ST002").count() == 1
    assert _barcodes(selectors.stocktake_compare(stocktake=stocktake).missing) == ["ST001", "ST003", "ST006"]


def test_moved_makes_this_unit_the_copys_home(v01, shelf, station_manager):
    # The station manager may act for both villages of 城关镇.
    stocktake = services.stocktake_start(actor=station_manager, unit=v01)
    services.stocktake_scan(actor=station_manager, stocktake=stocktake, barcodes=["ST007"])

    services.stocktake_resolve(actor=station_manager, stocktake=stocktake, item=shelf["v02"], outcome="moved")

    copy = Item.objects.get(barcode="ST007")
    assert (copy.home_unit.code, copy.current_unit.code, copy.status) == (
        "YX-S01-V01",
        "YX-S01-V01",
        "available",
    )


def test_a_scanned_copy_is_not_missing_and_an_unscanned_one_is_not_moved(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)
    services.stocktake_scan(actor=village_manager, stocktake=stocktake, barcodes=["ST001"])

    with pytest.raises(Refused, match=re.escape("ST001 was scanned here: it is not missing.")):
        services.stocktake_resolve(
            actor=village_manager, stocktake=stocktake, item=shelf["a"], outcome="missing"
        )
    with pytest.raises(Refused, match="ST002 was not scanned here"):
        services.stocktake_resolve(
            actor=village_manager, stocktake=stocktake, item=shelf["b"], outcome="moved"
        )

    assert StocktakeResolution.objects.count() == 0
    assert set(Item.objects.filter(barcode__in=["ST001", "ST002"]).values_list("status", flat=True)) == {
        "available"
    }


def test_a_copy_on_loan_found_on_the_shelf_is_checked_in_at_the_desk_instead(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)
    services.stocktake_scan(actor=village_manager, stocktake=stocktake, barcodes=["ST004"])
    assert _barcodes(selectors.stocktake_compare(stocktake=stocktake).elsewhere) == ["ST004"]

    with pytest.raises(Refused, match=re.escape("ST004 is on loan: check it in at the desk instead.")):
        services.stocktake_resolve(
            actor=village_manager, stocktake=stocktake, item=shelf["lent"], outcome="found"
        )

    assert Item.objects.get(barcode="ST004").status == ItemStatus.ON_LOAN
    assert StocktakeResolution.objects.count() == 0


def test_a_copy_is_resolved_once_and_one_outside_the_stocktake_not_at_all(v01, shelf, village_manager, unit):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)
    services.stocktake_resolve(actor=village_manager, stocktake=stocktake, item=shelf["b"], outcome="missing")
    stranger = f.item(home=unit("YX-S01-V03"), barcode="ST999")

    with pytest.raises(Refused, match=re.escape("ST002 is already resolved in this stocktake: Missing.")):
        services.stocktake_resolve(
            actor=village_manager, stocktake=stocktake, item=shelf["b"], outcome="found"
        )
    with pytest.raises(DomainError, match=re.escape("ST999 was neither scanned here nor expected here.")):
        services.stocktake_resolve(actor=village_manager, stocktake=stocktake, item=stranger, outcome="found")

    assert Item.objects.get(barcode="ST002").status == ItemStatus.MISSING
    assert StocktakeResolution.objects.count() == 1


def test_finish_keeps_the_counts_and_refuses_further_scans(v01, shelf, village_manager):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)
    services.stocktake_scan(actor=village_manager, stocktake=stocktake, barcodes=["ST001", "ST007", "XX-1"])
    services.stocktake_resolve(actor=village_manager, stocktake=stocktake, item=shelf["b"], outcome="missing")

    finished = services.stocktake_finish(actor=village_manager, stocktake=stocktake)

    assert finished.status == Stocktake.Status.FINISHED and finished.finished_at is not None
    assert finished.result == {
        "expected": 6,
        "scanned": 3,
        "here": 1,
        "missing": 2,
        "elsewhere": 1,
        "away": 2,
        "unknown": 1,
        "resolved_found": 0,
        "resolved_missing": 1,
        "resolved_moved": 0,
    }
    with pytest.raises(Refused, match="This stocktake was finished on"):
        services.stocktake_scan(actor=village_manager, stocktake=stocktake, barcodes=["ST002"])
    assert stocktake.scans.count() == 3


def test_another_townships_manager_may_not_take_stock_of_the_village(
    v01, shelf, village_manager, other_station_manager
):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)

    with pytest.raises(Forbidden):
        services.stocktake_start(actor=other_station_manager, unit=v01)
    with pytest.raises(Forbidden):
        services.stocktake_scan(actor=other_station_manager, stocktake=stocktake, barcodes=["ST001"])

    assert Stocktake.objects.count() == 1 and stocktake.scans.count() == 0


def _client(user, lang="zh-hans"):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_phone_page_starts_scans_resolves_and_finishes(v01, shelf, village_manager):
    client = _client(village_manager, "en")

    started = client.post("/staff/acquisitions/stocktake/", {"unit": "YX-S01-V01", "call_prefix": ""})
    stocktake = Stocktake.objects.get()
    assert started["Location"] == f"/staff/acquisitions/stocktake/{stocktake.pk}/"
    scanned = client.post(started["Location"], {"barcodes": "ST001\r\nST007\r\nBAD-1"}, follow=True)
    page = scanned.content.decode()
    assert "Batch 1: 3 new, 0 scanned before." in page and "No copy has these barcodes: BAD-1" in page
    assert 'id="missing"' in page and "ST002" in page
    client.post(
        f"/staff/acquisitions/stocktake/{stocktake.pk}/resolve/", {"barcode": "ST002", "outcome": "missing"}
    )
    assert Item.objects.get(barcode="ST002").status == ItemStatus.MISSING
    client.post(f"/staff/acquisitions/stocktake/{stocktake.pk}/finish/")
    stocktake.refresh_from_db()
    assert stocktake.status == "finished" and stocktake.result["resolved_missing"] == 1
    chinese = _client(village_manager).get(f"/staff/acquisitions/stocktake/{stocktake.pk}/").content.decode()
    assert "盘点" in chinese


def test_another_townships_manager_does_not_see_the_stocktake(
    v01, shelf, village_manager, other_station_manager
):
    stocktake = services.stocktake_start(actor=village_manager, unit=v01)
    client = _client(other_station_manager)

    assert client.get(f"/staff/acquisitions/stocktake/{stocktake.pk}/").status_code == 404
    assert (
        client.post(f"/staff/acquisitions/stocktake/{stocktake.pk}/", {"barcodes": "ST001"}).status_code
        == 404
    )
    assert client.post("/staff/acquisitions/stocktake/", {"unit": "YX-S01-V01"}).status_code == 302
    assert Stocktake.objects.count() == 1 and stocktake.scans.count() == 0
