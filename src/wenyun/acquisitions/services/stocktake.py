"""Stocktaking (盘点): the staff of a unit scan what is on its shelves, in batches from a scanner or a
phone, over as many sittings as it takes; the selectors compare the scans with what the catalogue says
the unit holds; each difference is resolved through the catalogue's services (found: shelved here;
missing; moved: its home is now here), and the counts are kept with the day the stocktake ended."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog import selectors as catalog_selectors
from wenyun.catalog import services as catalog
from wenyun.catalog.models import Item, ItemStatus
from wenyun.core.errors import DomainError, Refused
from wenyun.core.normalise import plain
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit

from ..models import Stocktake, StocktakeOutcome, StocktakeResolution, StocktakeScan
from ._common import Type, _record, text

MAX_BARCODE = 32
MAX_BATCH = 5000
_SEPARATORS = re.compile(r"[\s,;，；、]+")


@dataclass
class ScanReport:
    batch: int
    added: int = 0  # barcodes new to this stocktake
    again: int = 0  # scanned before (in this batch or an earlier one): no second row
    unknown: list[str] = field(default_factory=list)  # kept, matching no copy
    rejected: list[str] = field(default_factory=list)  # not barcodes at all (too long): not kept


def barcodes_split(raw: str) -> list[str]:
    """A scanner's or a phone's batch as text: one barcode a line, or separated by spaces or commas
    (full-width ones too); full-width digits and letters become ASCII."""
    return [part for part in _SEPARATORS.split(plain(raw or "")) if part]


def _locked(stocktake: Stocktake) -> Stocktake:
    locked = Stocktake.objects.select_for_update().select_related("unit").get(pk=stocktake.pk)
    if locked.status != Stocktake.Status.OPEN:
        raise Refused(
            _("This stocktake was finished on %(day)s: start a new one.")
            % {"day": timezone.localtime(locked.finished_at).date().isoformat()},
            code="stocktake_finished",
        )
    return locked


@transaction.atomic
def stocktake_start(*, actor, unit: Unit, location: str = "", call_prefix: str = "") -> Stocktake:
    """A stocktake of the unit (or of one shelving location, or of the call numbers beginning with a
    prefix); the unit's staff may start it."""
    require_staff_for(actor, unit)
    location = text(location, label=_("Shelving location"), max_length=60)
    call_prefix = text(call_prefix, label=_("Call numbers beginning with"), max_length=40)
    stocktake = Stocktake.objects.create(
        unit=unit,
        location=location,
        call_prefix=call_prefix,
        started_at=timezone.now(),
        started_by=actor if getattr(actor, "pk", None) else None,
    )
    _record(
        type=Type.STOCKTAKE_STARTED,
        unit=unit,
        actor=actor,
        stocktake=stocktake.pk,
        location=location,
        call_prefix=call_prefix,
    )
    return stocktake


@transaction.atomic
def stocktake_scan(*, actor, stocktake: Stocktake, barcodes: list[str]) -> ScanReport:
    """One batch of scanned barcodes. A barcode scanned before, in this batch or an earlier one, adds
    no second row, so a batch sent twice (a phone that lost its connection) does no harm; a barcode no
    copy has is kept and reported; a token longer than any barcode is reported and not kept."""
    require_staff_for(actor, stocktake.unit)
    stocktake = _locked(stocktake)
    cleaned: list[str] = []
    for raw in barcodes:
        cleaned.extend(barcodes_split(raw))
    if not cleaned:
        raise DomainError(_("Scan or type at least one barcode."), code="barcodes_missing")
    if len(cleaned) > MAX_BATCH:
        raise DomainError(
            _("A batch holds at most %(n)s barcodes: send the rest in another.") % {"n": MAX_BATCH},
            code="batch_too_large",
        )
    stocktake.batches += 1
    stocktake.save(update_fields=["batches"])
    report = ScanReport(batch=stocktake.batches)
    wanted: list[str] = []
    for barcode in cleaned:
        if len(barcode) > MAX_BARCODE:
            report.rejected.append(barcode)
        elif barcode in wanted:
            report.again += 1
        else:
            wanted.append(barcode)
    known = set(
        StocktakeScan.objects.filter(stocktake=stocktake, barcode__in=wanted).values_list(
            "barcode", flat=True
        )
    )
    report.again += len(known)
    new = [b for b in wanted if b not in known]
    items = catalog_selectors.items_by_barcodes(barcodes=new)
    now = timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    StocktakeScan.objects.bulk_create(
        [
            StocktakeScan(
                stocktake=stocktake,
                barcode=barcode,
                item=items.get(barcode),
                scanned_at=now,
                scanned_by=by,
                batch=report.batch,
            )
            for barcode in new
        ],
        # Another phone's batch with the same barcode, committed meanwhile: the row is there once.
        ignore_conflicts=True,
    )
    report.added = len(new)
    report.unknown = [b for b in new if b not in items]
    _record(
        type=Type.STOCKTAKE_SCANNED,
        unit=stocktake.unit,
        actor=actor,
        stocktake=stocktake.pk,
        batch=report.batch,
        added=report.added,
        again=report.again,
        unknown=report.unknown[:100],
    )
    return report


@transaction.atomic
def stocktake_resolve(*, actor, stocktake: Stocktake, item: Item, outcome: str) -> StocktakeResolution:
    """Resolve one difference: found (the copy is here: shelved at this unit), missing (not scanned,
    and not in circulation's hands: marked missing) or moved (scanned here: its home becomes this
    unit, and it is shelved here). Each copy is resolved once in a stocktake."""
    from ..selectors import stocktake_compare

    require_staff_for(actor, stocktake.unit)
    stocktake = _locked(stocktake)
    if outcome not in StocktakeOutcome.values:
        raise DomainError(
            _("%(outcome)s is not an outcome: found, missing or moved.") % {"outcome": outcome},
            code="outcome_invalid",
        )
    done = StocktakeResolution.objects.filter(stocktake=stocktake, item=item).first()
    if done is not None:
        raise Refused(
            _("%(barcode)s is already resolved in this stocktake: %(outcome)s.")
            % {"barcode": item.barcode, "outcome": StocktakeOutcome(done.outcome).label},
            code="stocktake_resolved",
        )
    comparison = stocktake_compare(stocktake=stocktake)
    item = comparison.items.get(item.pk, item)
    scanned = item.pk in comparison.scanned_ids
    if not scanned and item.pk not in comparison.expected_ids:
        raise DomainError(
            _("%(barcode)s was neither scanned here nor expected here.") % {"barcode": item.barcode},
            code="stocktake_not_part",
        )
    unit = stocktake.unit
    if outcome == StocktakeOutcome.MISSING:
        if scanned:
            raise Refused(
                _("%(barcode)s was scanned here: it is not missing.") % {"barcode": item.barcode},
                code="stocktake_scanned",
            )
        if item.status != ItemStatus.MISSING:
            catalog.item_mark_missing(actor=actor, item=item, reason=_("not found at the stocktake"))
    elif outcome == StocktakeOutcome.MOVED:
        if not scanned:
            raise Refused(
                _("%(barcode)s was not scanned here: scan it before moving it here.")
                % {"barcode": item.barcode},
                code="stocktake_not_scanned",
            )
        catalog.item_update(actor=actor, item=item, home_unit=unit)
        catalog.item_found_at(actor=actor, item=item, unit=unit)
    else:
        catalog.item_found_at(actor=actor, item=item, unit=unit)
    resolution = StocktakeResolution.objects.create(
        stocktake=stocktake,
        item=item,
        outcome=outcome,
        resolved_at=timezone.now(),
        resolved_by=actor if getattr(actor, "pk", None) else None,
    )
    _record(
        type=Type.STOCKTAKE_RESOLVED,
        unit=unit,
        actor=actor,
        stocktake=stocktake.pk,
        barcode=item.barcode,
        outcome=outcome,
    )
    return resolution


@transaction.atomic
def stocktake_finish(*, actor, stocktake: Stocktake) -> Stocktake:
    """End the stocktake: its counts are kept with the moment it ended; no more scans or resolutions."""
    from ..selectors import stocktake_compare

    require_staff_for(actor, stocktake.unit)
    stocktake = _locked(stocktake)
    stocktake.result = stocktake_compare(stocktake=stocktake).counts()
    stocktake.status = Stocktake.Status.FINISHED
    stocktake.finished_at = timezone.now()
    stocktake.finished_by = actor if getattr(actor, "pk", None) else None
    stocktake.save(update_fields=["result", "status", "finished_at", "finished_by"])
    _record(
        type=Type.STOCKTAKE_FINISHED,
        unit=stocktake.unit,
        actor=actor,
        stocktake=stocktake.pk,
        **stocktake.result,
    )
    return stocktake
