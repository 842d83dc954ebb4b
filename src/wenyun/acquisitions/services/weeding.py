"""Weeding (剔旧): a unit's staff withdraw old, worn or unread copies together, through the catalogue's
`item_withdraw`, and the batch is kept with its reason for the county's asset records. A withdrawn
copy leaves the holdings figures from the day it is withdrawn (the statistics count a copy withdrawn
before a period's end as gone)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog import services as catalog
from wenyun.catalog.models import Item
from wenyun.core.errors import DomainError, Refused
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit

from ..models import WeedingBatch, WeedingItem
from ._common import Type, _record, text


@dataclass
class WeedResult:
    batch: WeedingBatch | None
    withdrawn: list[str] = field(default_factory=list)  # barcodes
    refused: list[tuple[str, str]] = field(default_factory=list)  # (barcode, the catalogue's sentence)


@transaction.atomic
def weed(*, actor, unit: Unit, items: list[Item], reason: str) -> WeedResult:
    """Withdraw these copies of the unit's collection as one batch with its reason. A copy the
    catalogue refuses (out on loan, already withdrawn, another unit's) is named with its sentence and
    the rest are withdrawn; when none can be, nothing is written and the refusals are the answer."""
    require_staff_for(actor, unit)
    reason = text(reason, label=_("Reason"), max_length=200, required=True)
    if not items:
        raise DomainError(_("Choose the copies to withdraw."), code="weeding_no_items")
    result = WeedResult(batch=None)
    kept: list[Item] = []
    for item in sorted({i.pk: i for i in items}.values(), key=lambda i: i.barcode):
        if item.home_unit_id != unit.pk:
            result.refused.append(
                (
                    item.barcode,
                    _("%(barcode)s belongs to %(unit)s, not to this unit.")
                    % {"barcode": item.barcode, "unit": item.home_unit.name},
                )
            )
            continue
        try:
            with transaction.atomic():
                kept.append(catalog.item_withdraw(actor=actor, item=item, reason=reason))
        except DomainError as refusal:
            result.refused.append((item.barcode, refusal.message))
    if not kept:
        raise Refused(" ".join(sentence for _barcode, sentence in result.refused[:5]), code="weeding_refused")
    now = timezone.now()
    batch = WeedingBatch.objects.create(
        unit=unit,
        day=timezone.localdate(now),
        reason=reason,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    WeedingItem.objects.bulk_create(
        WeedingItem(
            batch=batch,
            item=item,
            barcode=item.barcode,
            title=item.record.title,
            call_number=item.call_number,
            price=item.price,
            acquired_on=item.acquired_on,
        )
        for item in kept
    )
    result.batch = batch
    result.withdrawn = [item.barcode for item in kept]
    _record(
        type=Type.WEEDED,
        unit=unit,
        actor=actor,
        at=now,
        batch=batch.pk,
        reason=reason,
        withdrawn=len(kept),
        refused=[barcode for barcode, _sentence in result.refused],
    )
    return result
