"""Weeding (剔旧): candidates by age, condition and years without a loan; a batch withdrawn with its
reason, leaving the holdings from that day; the batch for the county's asset records as XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from wenyun.acquisitions import exports, selectors, services
from wenyun.acquisitions.models import AcquisitionEvent, WeedingBatch, WeedingItem
from wenyun.catalog.models import Item, ItemStatus
from wenyun.circulation import services as circulation
from wenyun.circulation.models import Loan
from wenyun.circulation.tests import factories as f
from wenyun.core.errors import DomainError, Forbidden, Refused
from wenyun.stats.metrics import metric_values

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _years_ago(years: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year - years, day=min(TODAY.day, 28)) - dt.timedelta(days=days)


@pytest.fixture
def v01(unit):
    return unit("YX-S01-V01")


@pytest.fixture
def copies(v01, book, rules, village_manager):
    """Old and unread, old but lent last year, old and damaged, new, old with a torn-page note, old and
    out on loan now, and one with no acquisition day."""
    made = {}
    for barcode, acquired, status, notes in [
        ("W01", _years_ago(12), ItemStatus.AVAILABLE, ""),
        ("W02", _years_ago(12), ItemStatus.AVAILABLE, ""),
        ("W03", _years_ago(11), ItemStatus.DAMAGED, ""),
        ("W04", _years_ago(1), ItemStatus.AVAILABLE, ""),
        ("W05", _years_ago(15), ItemStatus.AVAILABLE, "缺页"),
        ("W06", _years_ago(20), ItemStatus.AVAILABLE, ""),
        ("W07", None, ItemStatus.AVAILABLE, ""),
    ]:
        item = f.item(home=v01, barcode=barcode, type=book, status=status, price=Decimal("25.50"))
        Item.objects.filter(pk=item.pk).update(
            acquired_on=acquired, notes=notes, call_number=f"I247/{barcode}"
        )
        item.refresh_from_db()
        made[barcode] = item
    reader = f.reader(home=v01)
    # W02 was lent last year and returned; W06 is out now.
    circulation.loan_checkout(reader=reader, item=made["W02"], at_unit=v01, actor=village_manager)
    circulation.loan_checkin(item=made["W02"], at_unit=v01, actor=village_manager)
    Loan.objects.filter(item=made["W02"]).update(out_at=timezone.now() - dt.timedelta(days=300))
    circulation.loan_checkout(reader=reader, item=made["W06"], at_unit=v01, actor=village_manager)
    for item in made.values():
        item.refresh_from_db()
    return made


def _codes(candidates) -> list[str]:
    return sorted(c.item.barcode for c in candidates)


def test_candidates_old_and_not_lent_for_five_years(v01, copies):
    found = selectors.weeding_candidates(unit=v01, older_than=10, idle_for=5)

    # W02 was lent last year, W04 is new, W06 is out on loan, W07 has no acquisition day.
    assert _codes(found) == ["W01", "W03", "W05"]
    assert found[0].reasons == [f"acquired {_years_ago(12).isoformat()}", "never lent"]


def test_candidates_by_condition_alone(v01, copies):
    found = selectors.weeding_candidates(unit=v01, condition=True)

    assert _codes(found) == ["W03", "W05"]
    assert [c.reasons for c in found] == [["Damaged"], ["缺页"]]


def test_candidates_need_a_criterion(v01, copies):
    with pytest.raises(DomainError, match="Choose at least one criterion"):
        selectors.weeding_candidates(unit=v01)


def test_weeding_withdraws_the_copies_and_names_the_one_on_loan(v01, copies, village_manager):
    chosen = [copies["W01"], copies["W03"], copies["W06"]]

    result = services.weed(actor=village_manager, unit=v01, items=chosen, reason="破损老旧")

    assert result.withdrawn == ["W01", "W03"]
    assert result.refused == [("W06", "W06 cannot be withdrawn while it is on loan.")]
    assert dict(Item.objects.filter(barcode__in=["W01", "W03", "W06"]).values_list("barcode", "status")) == {
        "W01": "withdrawn",
        "W03": "withdrawn",
        "W06": "on_loan",
    }
    batch = result.batch
    assert (batch.unit, batch.day, batch.reason) == (v01, TODAY, "破损老旧")
    assert list(batch.items.values_list("barcode", flat=True)) == ["W01", "W03"]
    assert AcquisitionEvent.objects.get(type="weeded").details["refused"] == ["W06"]


def test_weeding_nothing_that_can_be_withdrawn_is_refused_and_writes_nothing(
    v01, copies, village_manager, unit
):
    other = f.item(home=unit("YX-S01-V02"), barcode="W99")

    with pytest.raises(
        Refused, match=re.escape("W06 cannot be withdrawn while it is on loan. W99 belongs to")
    ):
        services.weed(actor=village_manager, unit=v01, items=[copies["W06"], other], reason="剔旧")

    assert WeedingBatch.objects.count() == 0 and Item.objects.get(barcode="W99").status == "available"


def test_weeding_needs_a_reason_and_the_units_staff(v01, copies, village_manager, other_station_manager):
    with pytest.raises(DomainError, match=re.escape("Reason is missing.")):
        services.weed(actor=village_manager, unit=v01, items=[copies["W01"]], reason="  ")
    with pytest.raises(Forbidden):
        services.weed(actor=other_station_manager, unit=v01, items=[copies["W01"]], reason="剔旧")

    assert Item.objects.get(barcode="W01").status == "available" and WeedingBatch.objects.count() == 0


def test_withdrawn_copies_leave_the_holdings_from_that_day(v01, copies, village_manager):
    def holdings(day: dt.date) -> int:
        return metric_values(
            code="holdings", units=[v01], include_sub_units=False, period_start=day, period_end=day
        )["YX-S01-V01"]

    assert holdings(TODAY) == 7

    services.weed(actor=village_manager, unit=v01, items=[copies["W01"], copies["W05"]], reason="剔旧")

    assert holdings(TODAY) == 5
    assert holdings(TODAY - dt.timedelta(days=1)) == 7  # yesterday's figure still counts them


def test_the_batch_reads_back_from_its_xlsx(v01, copies, village_manager):
    batch = services.weed(
        actor=village_manager, unit=v01, items=[copies["W05"], copies["W01"]], reason="=剔旧 老化"
    ).batch

    sheet = load_workbook(io.BytesIO(exports.weeding_batch_xlsx(batch=batch))).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]

    header = rows.index(("Barcode", "Title", "Call number", "Price", "Acquired on", "Reason"))
    body = rows[header + 1 :]
    assert [(r[0], r[2], r[3], r[4].date(), r[5]) for r in body[:2]] == [
        ("W01", "I247/W01", 25.5, _years_ago(12), "=剔旧 老化"),
        ("W05", "I247/W05", 25.5, _years_ago(15), "=剔旧 老化"),
    ]
    assert body[0][1] == copies["W01"].record.title
    assert (body[2][1], body[2][3]) == ("Total", 51)
    assert ("Copies", 2) in [r[:2] for r in rows[:header]]
    assert WeedingItem.objects.filter(batch=batch).count() == 2


def _client(user, lang="zh-hans"):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_weeding_page_lists_withdraws_and_downloads(v01, copies, village_manager):
    client = _client(village_manager, "en")

    page = client.get("/staff/acquisitions/weeding/", {"unit": "YX-S01-V01", "older": "１０", "idle": "5"})
    body = page.content.decode()
    assert all(code in body for code in ("W01", "W03", "W05")) and "W04" not in body
    done = client.post(
        "/staff/acquisitions/weeding/",
        {"unit": "YX-S01-V01", "items": [copies["W01"].pk, copies["W06"].pk], "reason": "老旧"},
        follow=True,
    ).content.decode()
    assert "1 copies withdrawn in this batch." in done
    assert "W06: W06 cannot be withdrawn while it is on loan." in done
    batch = WeedingBatch.objects.get()
    download = client.get(f"/staff/acquisitions/weeding/batches/{batch.pk}.xlsx")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(download.content)).active["A1"].value.startswith("Copies withdrawn")
    assert "剔旧" in _client(village_manager).get("/staff/acquisitions/weeding/").content.decode()


def test_another_townships_manager_may_not_weed_the_village(v01, copies, other_station_manager):
    client = _client(other_station_manager)

    assert client.get("/staff/acquisitions/weeding/", {"unit": "YX-S01-V01"}).status_code == 404
    refused = client.post(
        "/staff/acquisitions/weeding/", {"unit": "YX-S01-V01", "items": [copies["W01"].pk], "reason": "老旧"}
    )
    assert refused.status_code == 404 and Item.objects.get(barcode="W01").status == "available"
