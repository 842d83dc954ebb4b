"""The union catalogue: bibliographic records (with their full MARC) and the copies each unit holds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyun.core.models import EventBase


class ItemType(models.Model):
    """A kind of copy as the circulation rules see it (book, periodical, audio-visual, reference...).

    Whether copies of a type are lent is the circulation matrix's to say (a county-wide row for the
    type with a loan limit of 0 keeps them in the library); a type copies still use is retired, not
    deleted: it is no longer offered for new copies."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Record(models.Model):
    """One bibliographic record. The MARC is kept whole; the fields people search and sort on are copied out."""

    class Format(models.TextChoices):
        MARC21 = "marc21", "MARC 21"
        UNIMARC = "unimarc", "UNIMARC/CNMARC"

    source = models.CharField(_("source"), max_length=60, blank=True)  # where it was imported from
    control_number = models.CharField(_("control number (001)"), max_length=60, blank=True)
    marc_format = models.CharField(max_length=10, choices=Format.choices, default=Format.MARC21)
    marc = models.BinaryField(_("MARC (ISO 2709, UTF-8)"), blank=True, default=b"")
    title = models.CharField(_("title"), max_length=500)
    # The title in its own script (MARC 21's 880 linked to 245), shown where the page's language reads it.
    title_vernacular = models.CharField(_("title in its own script"), max_length=500, blank=True, default="")
    responsibility = models.CharField(_("author"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)  # ISBN-13, normalised
    isbn_valid = models.BooleanField(default=True)
    isbn_raw = models.CharField(max_length=40, blank=True)  # as written in the record, when invalid
    clc = models.CharField(_("CLC class"), max_length=40, blank=True)  # 中图法分类号, e.g. I247.55
    call_number = models.CharField(_("call number"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=3, blank=True)
    subjects = models.TextField(_("subjects"), blank=True)
    # Every name the record gives (main entry, added entries), searched as the author.
    authors = models.TextField(_("names"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["source", "control_number"], name="catalog_record_source_001")]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title as the page's language reads it: on a Chinese page, the title in its own script
        (Chinese or Japanese, from 880) where the record has one; elsewhere the romanised 245."""
        from django.utils.translation import get_language

        if self.title_vernacular and (get_language() or "").startswith("zh"):
            return self.title_vernacular
        return self.title

    @property
    def clc_class(self) -> str:
        """The 中图法 top class (A..Z), the facet readers browse by."""
        return self.clc[:1].upper() if self.clc else ""


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ON_LOAN = "on_loan", _("On loan")
    IN_TRANSIT = "in_transit", _("In transit")
    ON_HOLD_SHELF = "on_hold_shelf", _("On the hold shelf")
    LOST = "lost", _("Lost")
    MISSING = "missing", _("Missing")
    DAMAGED = "damaged", _("Damaged")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PROCESSING = "processing", _("Being processed")


class Item(models.Model):
    """One copy. Its barcode is unique county-wide; it belongs to a home unit and sits at a current one."""

    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items")
    home_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    current_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="items")
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    location = models.CharField(_("shelving location"), max_length=60, blank=True)
    call_number = models.CharField(_("call number"), max_length=60, blank=True)
    price = models.DecimalField(_("price"), max_digits=9, decimal_places=2, null=True, blank=True)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["record", "status"], name="catalog_item_record_status"),
            models.Index(fields=["current_unit", "status"], name="catalog_item_unit_status"),
            models.Index(fields=["home_unit"], name="catalog_item_home"),
        ]

    def __str__(self) -> str:
        return self.barcode


class CatalogEvent(EventBase):
    """Records and copies added, edited, withdrawn; imports run."""

    class Type(models.TextChoices):
        RECORD_CREATED = "record_created"
        RECORD_UPDATED = "record_updated"
        RECORD_DELETED = "record_deleted"
        ITEM_CREATED = "item_created"
        ITEM_UPDATED = "item_updated"
        ITEM_WITHDRAWN = "item_withdrawn"
        ITEM_FOUND = "item_found"
        ITEM_MISSING = "item_missing"
        MARC_IMPORTED = "marc_imported"
        ITEMS_IMPORTED = "items_imported"
        ITEM_TYPE_CREATED = "item_type_created"
        ITEM_TYPE_UPDATED = "item_type_updated"
        ITEM_TYPE_RETIRED = "item_type_retired"
        ITEM_TYPE_REINSTATED = "item_type_reinstated"
        ITEM_TYPE_DELETED = "item_type_deleted"

    class Meta(EventBase.Meta):
        pass
