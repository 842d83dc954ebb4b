"""Writes to the catalogue: records and copies by staff, and the search index that follows them.

Here a copy is created, described, moved to another home and withdrawn. Its state (Item.status,
current_unit, status_changed_at) changes only through COPY_LIFECYCLE: circulation moves a copy through
its lending cycle with `item_move`, never by writing those fields itself.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wenyun.core import rows, versions
from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused
from wenyun.core.lifecycle import Lifecycle
from wenyun.network.access import require_manage
from wenyun.network.models import Unit

from . import search, text
from .isbn import isbn_parse
from .marc import Field, MarcRecord, parse_iso2709, to_iso2709
from .models import CatalogEvent, Item, ItemStatus, ItemType, Record

# Statuses circulation owns: a copy in one of them is in someone's hands or on its way.
CIRCULATING = frozenset({ItemStatus.ON_LOAN, ItemStatus.IN_TRANSIT, ItemStatus.ON_HOLD_SHELF})
LOCAL_SOURCE = "wenyun"
_EVERY_STATE = frozenset(ItemStatus.values)

# A copy's life: lent from the shelf (or the hold shelf, to the reader it waits for); taken back at any
# desk, whatever it was recorded as (a copy found after it was declared lost or missing is back), and
# then shelved, sent on in the van or put on the hold shelf; declared lost, claimed returned (searched
# for as missing), withdrawn when it is in no one's hands.
COPY_LIFECYCLE = Lifecycle(
    gettext_lazy("copy"),
    {
        "lend": ({ItemStatus.AVAILABLE, ItemStatus.ON_HOLD_SHELF}, ItemStatus.ON_LOAN),
        "shelve": (_EVERY_STATE, ItemStatus.AVAILABLE),
        "send": (_EVERY_STATE, ItemStatus.IN_TRANSIT),
        "hold_shelf": (_EVERY_STATE, ItemStatus.ON_HOLD_SHELF),
        "lose": (_EVERY_STATE - {ItemStatus.LOST, ItemStatus.WITHDRAWN}, ItemStatus.LOST),
        "claim_returned": (_EVERY_STATE - {ItemStatus.WITHDRAWN}, ItemStatus.MISSING),
        # A stocktake that does not find a copy on the shelf: one in someone's hands is not missing.
        "miss": (_EVERY_STATE - CIRCULATING - {ItemStatus.WITHDRAWN, ItemStatus.MISSING}, ItemStatus.MISSING),
        "withdraw": (_EVERY_STATE - CIRCULATING - {ItemStatus.WITHDRAWN}, ItemStatus.WITHDRAWN),
    },
    written=lambda target, at: {"status": target, "status_changed_at": at},
    label=lambda state: str(ItemStatus(state).label),
)


def item_move(item: Item, *, action: str, at: dt.datetime, unit: Unit | None = None, connection=None) -> None:
    """Circulation's step of a copy through COPY_LIFECYCLE (lend, shelve, send, hold_shelf, lose,
    claim_returned), at `unit` when it changes place; written in the caller's transaction with a
    prepared statement, as check-out and check-in need it fast."""
    fields = COPY_LIFECYCLE.move(item, action, at=at)
    if unit is not None:
        rows.relate(item, "current_unit", unit)
        fields.append("current_unit")
    rows.update(item, fields, connection=connection)


def _event(type_: str, *, unit: Unit, actor, **details) -> None:
    CatalogEvent.objects.create(type=type_, at=timezone.now(), unit=unit, actor=actor, details=details)


def user_can_catalogue(user) -> bool:
    """Cataloguing is central (统一编目): the hubs' staff and county administrators edit records;
    stations and villages add their copies to them."""
    from wenyun.core.models import Role

    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_county_admin or user.role == Role.INSTITUTION_STAFF)
    )


def require_cataloguer(user) -> None:
    if not user_can_catalogue(user):
        raise Forbidden(
            _("Records are catalogued centrally: ask the county library to add or change this record."),
            code="cataloguer_only",
        )


def _county(actor) -> Unit:
    from wenyun.network.selectors import unit_root

    unit = getattr(actor, "unit", None) or unit_root()
    if unit is None:
        raise DomainError(_("The county network has not been set up yet."), code="no_network")
    return unit


# ---------------------------------------------------------------------------------------------
# The search index


def document_of(values: dict) -> dict[str, list[str]]:
    """The search tokens of a record, from its columns (a Record's or the import's values)."""
    return text.document(
        title=" ".join(p for p in (values["title"], values.get("title_vernacular", "")) if p),
        author=" ".join(p for p in (values["responsibility"], values["authors"]) if p),
        other=" ".join(p for p in (values["publisher"], values["subjects"]) if p),
        isbn=values["isbn"] if values["isbn_valid"] else "",
        isbn_raw=values["isbn_raw"],
        codes=[values["clc"], values["call_number"]],
    )


DOCUMENT_FIELDS = (
    "title",
    "title_vernacular",
    "responsibility",
    "authors",
    "publisher",
    "subjects",
    "isbn",
    "isbn_valid",
    "isbn_raw",
    "clc",
    "call_number",
)


def record_document(record: Record) -> dict[str, list[str]]:
    return document_of({name: getattr(record, name) for name in DOCUMENT_FIELDS})


def records_index(*, records: list[Record]) -> None:
    search.backend().index((r.pk, record_document(r)) for r in records)


def catalog_reindex() -> int:
    """Rebuild the whole search index from the records (after a restore, or a change of tokens)."""
    backend = search.backend()
    count = 0
    with transaction.atomic():
        backend.clear()
        batch: list[Record] = []
        for record in Record.objects.defer("marc").iterator(chunk_size=2000):
            batch.append(record)
            if len(batch) >= 2000:
                records_index(records=batch)
                count += len(batch)
                batch = []
        records_index(records=batch)
        count += len(batch)
    return count


# ---------------------------------------------------------------------------------------------
# Records


def _clean_isbn(value: str) -> tuple[str, str, bool]:
    """(isbn13, raw, valid) for a staff-entered ISBN; a wrong check digit is refused."""
    value = (value or "").strip()
    if not value:
        return "", "", True
    parsed = isbn_parse(value)
    if parsed is None or not parsed.valid:
        raise DomainError(
            _("%(isbn)s is not a valid ISBN: check the digits and the check digit.") % {"isbn": value},
            code="isbn_invalid",
        )
    return parsed.isbn13, "", True


def _check_year(year: int | None) -> None:
    if year is not None and not 1000 <= year <= timezone.localdate().year + 1:
        raise DomainError(
            _("%(year)s is not a plausible year of publication.") % {"year": year}, code="year_invalid"
        )


def marc_for(record: Record) -> bytes:
    """The record's MARC with its main fields set from the record's columns (kept fields stay)."""
    fields: list[Field] = []
    leader = (
        "     nam a22     4500" if record.marc_format == Record.Format.MARC21 else "     nam0 22        450 "
    )
    if record.marc:
        try:
            parsed = parse_iso2709(bytes(record.marc), encoding="utf-8")
            leader, fields = parsed.leader, parsed.fields
        except Exception:  # an unreadable stored MARC is rebuilt from the columns
            fields = []
    if record.marc_format == Record.Format.UNIMARC:
        managed = {
            "010": [("a", record.isbn or record.isbn_raw)] if (record.isbn or record.isbn_raw) else None,
            "200": [("a", record.title)] + ([("f", record.responsibility)] if record.responsibility else []),
            "210": [("c", record.publisher), ("d", str(record.year or ""))],
            "690": [("a", record.clc)] if record.clc else None,
        }
    else:
        managed = {
            "020": [("a", record.isbn or record.isbn_raw)] if (record.isbn or record.isbn_raw) else None,
            "084": [("a", record.clc), ("2", "clc")] if record.clc else None,
            "090": [("a", record.call_number)] if record.call_number else None,
            "245": [("a", record.title)] + ([("c", record.responsibility)] if record.responsibility else []),
            "260": [("b", record.publisher), ("c", str(record.year or ""))],
        }
    kept = [f for f in fields if f.tag not in managed]
    if not any(f.tag == "001" for f in kept):
        kept.insert(0, Field("001", value=record.control_number or str(record.pk)))
    for tag, subfields in managed.items():
        if subfields:
            kept.append(Field(tag, indicators="  ", subfields=[(c, v) for c, v in subfields if v]))
    kept.sort(key=lambda f: f.tag)
    flavour = "unimarc" if record.marc_format == Record.Format.UNIMARC else "marc21"
    return to_iso2709(MarcRecord(leader=leader, fields=kept), flavour=flavour)


RECORD_FIELDS = (
    "title",
    "responsibility",
    "publisher",
    "year",
    "isbn",
    "clc",
    "call_number",
    "language",
    "subjects",
)


@transaction.atomic
def record_create(
    *,
    actor,
    title: str,
    responsibility: str = "",
    publisher: str = "",
    year: int | None = None,
    isbn: str = "",
    clc: str = "",
    call_number: str = "",
    language: str = "chi",
    subjects: str = "",
    marc_format: str = Record.Format.MARC21,
) -> Record:
    require_cataloguer(actor)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A record needs a title."), code="title_required")
    isbn13, isbn_raw, valid = _clean_isbn(isbn)
    _check_year(year)
    record = Record.objects.create(
        source=LOCAL_SOURCE,
        marc_format=marc_format,
        title=title[:500],
        responsibility=responsibility.strip()[:500],
        publisher=publisher.strip()[:255],
        year=year,
        isbn=isbn13,
        isbn_raw=isbn_raw,
        isbn_valid=valid,
        clc=clc.strip()[:40],
        call_number=(call_number or clc).strip()[:60],
        language=language.strip()[:3],
        subjects=subjects.strip(),
    )
    record.control_number = f"WY{record.pk:08d}"
    record.marc = marc_for(record)
    record.save(update_fields=["control_number", "marc"])
    records_index(records=[record])
    _event(
        CatalogEvent.Type.RECORD_CREATED,
        unit=_county(actor),
        actor=actor,
        record=record.pk,
        title=record.title,
    )
    return record


@transaction.atomic
def record_fast_add(
    *,
    actor,
    isbn: str,
    title: str,
    responsibility: str = "",
    publisher: str = "",
    year: int | None = None,
    clc: str = "",
    source: str = "fast-add",
) -> Record:
    """A brief record made at a desk for a copy in hand that the catalogue lacks (Koha's fast add): any
    staff member may; it is kept apart by its source, for the cataloguers to complete. A record with
    the ISBN already there is returned instead."""
    from wenyun.network.access import require_staff_for

    if actor is not None and not getattr(actor, "is_staff_member", False):
        raise Forbidden(_("Only staff may add a record."), code="staff_only")
    isbn13, _raw, _valid = _clean_isbn(isbn)
    if isbn13:
        existing = Record.objects.filter(isbn=isbn13).order_by("pk").first()
        if existing is not None:
            return existing
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A record needs a title."), code="title_required")
    _check_year(year)
    unit = _county(actor)
    if actor is not None:
        require_staff_for(actor, actor.unit or unit)
    record = Record.objects.create(
        source=source[:60],
        marc_format=Record.Format.MARC21,
        title=title[:500],
        responsibility=responsibility.strip()[:500],
        publisher=publisher.strip()[:255],
        year=year,
        isbn=isbn13,
        clc=clc.strip()[:40],
        call_number=clc.strip()[:60],
        language="chi",
    )
    record.control_number = f"WY{record.pk:08d}"
    record.marc = marc_for(record)
    record.save(update_fields=["control_number", "marc"])
    records_index(records=[record])
    _event(
        CatalogEvent.Type.RECORD_CREATED,
        unit=unit,
        actor=actor,
        record=record.pk,
        title=record.title,
        fast=True,
    )
    return record


@transaction.atomic
def record_update(*, actor, record: Record, **changes) -> Record:
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"record_update() got unknown fields {sorted(unknown)}")
    require_cataloguer(actor)
    record = Record.objects.select_for_update().get(pk=record.pk)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise DomainError(_("A record needs a title."), code="title_required")
    if "isbn" in changes:
        if (changes["isbn"] or "").strip() == (record.isbn or record.isbn_raw):
            changes.pop("isbn")
        else:
            isbn13, isbn_raw, valid = _clean_isbn(changes.pop("isbn"))
            record.isbn, record.isbn_raw, record.isbn_valid = isbn13, isbn_raw, valid
    if "year" in changes:
        _check_year(changes["year"])
    changed = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(record, name) != value:
            changed[name] = [str(getattr(record, name) or ""), str(value or "")]
            setattr(record, name, value)
    record.marc = marc_for(record)
    record.save()
    records_index(records=[record])
    _event(
        CatalogEvent.Type.RECORD_UPDATED, unit=_county(actor), actor=actor, record=record.pk, changed=changed
    )
    return record


@transaction.atomic
def record_delete(*, actor, record: Record) -> None:
    """Delete a record that has no copies; one with copies (even withdrawn ones) is refused."""
    require_cataloguer(actor)
    record = Record.objects.select_for_update().get(pk=record.pk)
    copies = Item.objects.filter(record=record).count()
    if copies:
        raise Refused(
            _("%(title)s has %(n)s copies: withdraw or move them before deleting the record.")
            % {"title": record.title, "n": copies},
            code="record_has_items",
        )
    search.backend().remove([record.pk])
    _event(
        CatalogEvent.Type.RECORD_DELETED,
        unit=_county(actor),
        actor=actor,
        record=record.pk,
        title=record.title,
    )
    record.delete()


# ---------------------------------------------------------------------------------------------
# Copies


def _price(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value).replace("¥", "").replace("CNY", "").replace("元", "").strip())
    except InvalidOperation:
        raise DomainError(_("%(price)s is not a price.") % {"price": value}, code="price_invalid") from None
    if price < 0 or price >= Decimal("10000000"):
        raise DomainError(_("%(price)s is not a price.") % {"price": value}, code="price_invalid")
    return price.quantize(Decimal("0.01"))


def _barcode(value: str) -> str:
    barcode = (value or "").strip()
    if not barcode:
        raise DomainError(_("A copy needs a barcode."), code="barcode_required")
    if len(barcode) > 32 or any(c.isspace() for c in barcode):
        raise DomainError(
            _("%(barcode)s is not a barcode: at most 32 characters, no spaces.") % {"barcode": barcode},
            code="barcode_invalid",
        )
    return barcode


@transaction.atomic
def item_create(
    *,
    actor,
    record: Record,
    barcode: str,
    home_unit: Unit,
    item_type: ItemType,
    location: str = "",
    call_number: str = "",
    price=None,
    acquired_on: dt.date | None = None,
    notes: str = "",
    current_unit: Unit | None = None,
) -> Item:
    """A new copy on the shelf of its home unit, or at `current_unit` when it is made elsewhere: at the
    hub that processes copies for every unit (统一编目: its cataloguers may), or at a desk adding a copy
    for another unit's collection (a shop's reader-choice book, bought for the library)."""
    here = current_unit or home_unit
    if current_unit is None or not user_can_catalogue(actor):
        require_manage(actor, here)
    if current_unit is not None:
        require_manage(actor, current_unit)
    barcode = _barcode(barcode)
    if Item.objects.filter(barcode=barcode).exists():
        raise Conflict(
            _("The barcode %(barcode)s is already on another copy.") % {"barcode": barcode},
            code="barcode_taken",
        )
    try:
        with transaction.atomic():
            item = Item.objects.create(
                barcode=barcode,
                record=record,
                home_unit=home_unit,
                current_unit=here,
                item_type=item_type,
                status=ItemStatus.AVAILABLE,
                location=location.strip()[:60],
                call_number=(call_number or record.call_number).strip()[:60],
                price=_price(price),
                acquired_on=acquired_on,
                status_changed_at=timezone.now(),
                notes=notes.strip()[:255],
            )
    except IntegrityError:
        raise Conflict(
            _("The barcode %(barcode)s is already on another copy.") % {"barcode": barcode},
            code="barcode_taken",
        ) from None
    _event(CatalogEvent.Type.ITEM_CREATED, unit=home_unit, actor=actor, barcode=barcode, record=record.pk)
    return item


ITEM_FIELDS = (
    "barcode",
    "home_unit",
    "item_type",
    "location",
    "call_number",
    "price",
    "acquired_on",
    "notes",
)


@transaction.atomic
def item_update(*, actor, item: Item, **changes) -> Item:
    """Describe a copy again. Its status and whereabouts are circulation's and are not changed here."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"item_update() got unknown fields {sorted(unknown)}")
    item = Item.objects.select_for_update().select_related("home_unit").get(pk=item.pk)
    require_manage(actor, item.home_unit)
    if "home_unit" in changes:
        require_manage(actor, changes["home_unit"])
    if "barcode" in changes:
        changes["barcode"] = _barcode(changes["barcode"])
        if Item.objects.filter(barcode=changes["barcode"]).exclude(pk=item.pk).exists():
            raise Conflict(
                _("The barcode %(barcode)s is already on another copy.") % {"barcode": changes["barcode"]},
                code="barcode_taken",
            )
    if "price" in changes:
        changes["price"] = _price(changes["price"])
    changed = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(item, name) != value:
            changed[name] = [str(getattr(item, name) or ""), str(value or "")]
            setattr(item, name, value)
    if changed:
        item.save(update_fields=[n for n in changes if n in changed])
        _event(
            CatalogEvent.Type.ITEM_UPDATED,
            unit=item.home_unit,
            actor=actor,
            barcode=item.barcode,
            changed=changed,
        )
    return item


@transaction.atomic
def item_withdraw(*, actor, item: Item, reason: str = "") -> Item:
    """Take a copy out of the collection; one that is out on loan, in transit or on the hold shelf is refused."""
    item = Item.objects.select_for_update().select_related("home_unit").get(pk=item.pk)
    require_manage(actor, item.home_unit)
    if item.status in CIRCULATING:
        raise Refused(
            _("%(barcode)s cannot be withdrawn while it is %(status)s.")
            % {"barcode": item.barcode, "status": ItemStatus(item.status).label.lower()},
            code="item_in_circulation",
        )
    if item.status == ItemStatus.WITHDRAWN:
        raise Refused(
            _("%(barcode)s is already withdrawn.") % {"barcode": item.barcode}, code="item_withdrawn"
        )
    previous = item.status
    item.save(update_fields=COPY_LIFECYCLE.move(item, "withdraw", at=timezone.now()))
    _event(
        CatalogEvent.Type.ITEM_WITHDRAWN,
        unit=item.home_unit,
        actor=actor,
        barcode=item.barcode,
        previous=previous,
        reason=reason.strip()[:200],
    )
    return item


def _require_here_or_home(actor, item: Item) -> None:
    """Staff of the copy's home unit, or of the unit where it is, may say where it is."""
    from wenyun.network.access import user_can_manage_unit

    places = [item.home_unit, item.current_unit]
    if actor is not None and not any(user_can_manage_unit(actor, place) for place in places):
        require_manage(actor, item.home_unit)


@transaction.atomic
def item_found_at(*, actor, item: Item, unit: Unit, via: str = "stocktake") -> Item:
    """A copy found on the shelf at `unit` (at a stocktake): shelved there, whatever it was recorded as.
    One that circulation has in hand (on loan, in transit, on the hold shelf) is refused: it is checked
    in at the desk, which closes its loan or transit; a withdrawn copy is refused too."""
    item = Item.objects.select_for_update().select_related("home_unit", "current_unit").get(pk=item.pk)
    require_manage(actor, unit)
    if item.status in CIRCULATING:
        raise Refused(
            _("%(barcode)s is %(status)s: check it in at the desk instead.")
            % {"barcode": item.barcode, "status": ItemStatus(item.status).label.lower()},
            code="item_in_circulation",
        )
    if item.status == ItemStatus.WITHDRAWN:
        raise Refused(
            _("%(barcode)s is withdrawn: it is no longer part of the collection.")
            % {"barcode": item.barcode},
            code="item_withdrawn",
        )
    previous, was_at = item.status, item.current_unit.code
    item_move(item, action="shelve", at=timezone.now(), unit=unit)
    _event(
        CatalogEvent.Type.ITEM_FOUND,
        unit=unit,
        actor=actor,
        barcode=item.barcode,
        previous=previous,
        was_at=was_at,
        via=via,
    )
    return item


@transaction.atomic
def item_mark_missing(*, actor, item: Item, reason: str = "", via: str = "stocktake") -> Item:
    """A copy not found where it should be (at a stocktake): missing until it turns up, when a check-in
    or `item_found_at` shelves it again. One in circulation's hands, or withdrawn, is refused."""
    item = Item.objects.select_for_update().select_related("home_unit", "current_unit").get(pk=item.pk)
    _require_here_or_home(actor, item)
    if item.status in CIRCULATING or item.status == ItemStatus.WITHDRAWN:
        raise Refused(
            _("%(barcode)s is %(status)s: it cannot be marked missing.")
            % {"barcode": item.barcode, "status": ItemStatus(item.status).label.lower()},
            code="item_not_missable",
        )
    if item.status == ItemStatus.MISSING:
        raise Refused(
            _("%(barcode)s is already missing.") % {"barcode": item.barcode}, code="item_missing_already"
        )
    previous = item.status
    item.save(update_fields=COPY_LIFECYCLE.move(item, "miss", at=timezone.now()))
    _event(
        CatalogEvent.Type.ITEM_MISSING,
        unit=item.current_unit,
        actor=actor,
        barcode=item.barcode,
        previous=previous,
        reason=reason.strip()[:200],
        via=via,
    )
    return item


# ---------------------------------------------------------------------------------------------
# Item types (county administrators)
#
# Whether a type's copies are lent is the circulation matrix's to say: "not for loan" is the
# county-wide row for the type (no unit, no reader category) with a loan limit of 0, saved through
# circulation's own service. Matrix rows name item types with ON DELETE CASCADE, so a type that rows
# name is not deleted either (the rows would vanish with it).

_TYPE_CODE = re.compile(r"[A-Za-z0-9_-]{1,20}")


def _county_rows(item_type: ItemType) -> tuple[Any, Any]:
    """The county-wide matrix row for this type, and the county default row (each None if absent)."""
    from wenyun.circulation.selectors import rule_list

    own = default = None
    for rule in rule_list():
        if rule.unit_id is None and rule.category_id is None:
            if rule.item_type_id == item_type.pk:
                own = rule
            elif rule.item_type_id is None:
                default = rule
    return own, default


def _type_lending(*, actor, item_type: ItemType, loanable: bool) -> None:
    from wenyun.circulation.services import rule_save

    own, default = _county_rows(item_type)
    if not loanable:
        if own is None:
            rule_save(
                actor=actor,
                unit=None,
                category=None,
                item_type=item_type,
                loan_days=default.loan_days if default else 30,
                loan_limit=0,
                renewals=0,
                holds_allowed=False,
                note=_("for use in the library only")[:200],
            )
        elif own.loan_limit or own.holds_allowed:
            rule_save(actor=actor, rule=own, loan_limit=0, holds_allowed=False)
    elif own is not None and own.loan_limit == 0:
        rule_save(
            actor=actor,
            rule=own,
            loan_limit=default.loan_limit if default and default.loan_limit else 10,
            holds_allowed=True,
        )


def _types_changed() -> None:
    """The circulation rules cache holds the item types its matrix rows name: it reads them again."""
    versions.bump(versions.CIRCULATION_RULES)


def _type_names(*, name: str, name_en: str) -> tuple[str, str]:
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name:
        raise DomainError(_("An item type needs a Chinese name."), code="item_type_invalid")
    if len(name) > 60 or len(name_en) > 80:
        raise DomainError(
            _("An item type's name is at most 60 characters, its English name at most 80."),
            code="item_type_invalid",
        )
    return name, name_en


@transaction.atomic
def item_type_create(*, actor, code: str, name: str, name_en: str = "", loanable: bool = True) -> ItemType:
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    code = (code or "").strip()
    if not _TYPE_CODE.fullmatch(code):
        raise DomainError(
            _("The code %(code)r is not 1 to 20 letters, digits, hyphens or underscores.") % {"code": code},
            code="item_type_invalid",
        )
    # Imports match item types by code whatever its case, so BOOK and book cannot both exist.
    if ItemType.objects.filter(code__iexact=code).exists():
        raise Conflict(
            _("There is already an item type with the code %(code)s.") % {"code": code},
            code="item_type_exists",
        )
    name, name_en = _type_names(name=name, name_en=name_en)
    item_type = ItemType.objects.create(code=code, name=name, name_en=name_en)
    _types_changed()
    if not loanable:
        _type_lending(actor=actor, item_type=item_type, loanable=False)
    _event(
        CatalogEvent.Type.ITEM_TYPE_CREATED, unit=_county(actor), actor=actor, code=code, loanable=loanable
    )
    return item_type


@transaction.atomic
def item_type_update(*, actor, item_type: ItemType, name: str, name_en: str, loanable: bool) -> ItemType:
    """Rename a type or change whether it is lent. The code stays: imports, the SIP2 media types and
    the statistics know types by their code."""
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    item_type = ItemType.objects.select_for_update().get(pk=item_type.pk)
    name, name_en = _type_names(name=name, name_en=name_en)
    was_loanable = item_type_loanable(item_type=item_type)
    item_type.name, item_type.name_en = name, name_en
    item_type.save(update_fields=["name", "name_en"])
    _types_changed()
    if loanable != was_loanable:
        _type_lending(actor=actor, item_type=item_type, loanable=loanable)
    _event(
        CatalogEvent.Type.ITEM_TYPE_UPDATED,
        unit=_county(actor),
        actor=actor,
        code=item_type.code,
        name=name,
        loanable=loanable,
    )
    return item_type


def item_type_loanable(*, item_type: ItemType) -> bool:
    own, _default = _county_rows(item_type)
    return own is None or own.loan_limit > 0


@transaction.atomic
def item_type_retire(*, actor, item_type: ItemType, retired: bool = True) -> ItemType:
    """Retire a type (no longer offered for new copies; the copies keep it), or bring it back."""
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    item_type = ItemType.objects.select_for_update().get(pk=item_type.pk)
    if item_type.retired != retired:
        item_type.retired = retired
        item_type.save(update_fields=["retired"])
        _types_changed()
        _event(
            CatalogEvent.Type.ITEM_TYPE_RETIRED if retired else CatalogEvent.Type.ITEM_TYPE_REINSTATED,
            unit=_county(actor),
            actor=actor,
            code=item_type.code,
        )
    return item_type


@transaction.atomic
def item_type_delete(*, actor, item_type: ItemType) -> None:
    """Delete a type no copy and no matrix row uses; one in use is refused, naming what uses it."""
    from django.db.models import ProtectedError

    from wenyun.circulation.selectors import rule_list
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    # Locked first: a copy added meanwhile waits for this row (and PROTECT stops the delete anyway).
    item_type = ItemType.objects.select_for_update().get(pk=item_type.pk)
    copies = Item.objects.filter(item_type=item_type).count()
    if copies:
        raise Conflict(
            ngettext(
                "%(count)s copy is of the type %(name)s: it cannot be deleted, only retired.",
                "%(count)s copies are of the type %(name)s: it cannot be deleted, only retired.",
                copies,
            )
            % {"count": copies, "name": item_type.name},
            code="item_type_in_use",
        )
    rows = sum(1 for rule in rule_list() if rule.item_type_id == item_type.pk)
    if rows:
        raise Conflict(
            ngettext(
                "%(count)s row of the circulation matrix names %(name)s: remove it there first, or retire"
                " the type.",
                "%(count)s rows of the circulation matrix name %(name)s: remove them there first, or retire"
                " the type.",
                rows,
            )
            % {"count": rows, "name": item_type.name},
            code="item_type_in_use",
        )
    code = item_type.code
    try:
        item_type.delete()
    except ProtectedError:
        raise Conflict(
            _("Copies of the type %(name)s were added meanwhile: it cannot be deleted, only retired.")
            % {"name": item_type.name},
            code="item_type_in_use",
        ) from None
    _types_changed()
    _event(CatalogEvent.Type.ITEM_TYPE_DELETED, unit=_county(actor), actor=actor, code=code)


__all__ = [
    "COPY_LIFECYCLE",
    "catalog_reindex",
    "item_create",
    "item_found_at",
    "item_mark_missing",
    "item_move",
    "item_type_create",
    "item_type_delete",
    "item_type_loanable",
    "item_type_retire",
    "item_type_update",
    "item_update",
    "item_withdraw",
    "record_create",
    "record_delete",
    "record_update",
    "records_index",
]
