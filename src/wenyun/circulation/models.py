"""Readers and everything that moves copies between them and the county's units."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReaderCategory(models.Model):
    """adult, minor, senior, village reader, staff...: a column of the circulation matrix."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Reader(models.Model):
    """One county-wide reader card. The identity number is kept minimally: a keyed hash and its last 4."""

    card = models.CharField(_("card number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.ForeignKey(ReaderCategory, on_delete=models.PROTECT, related_name="readers")
    home_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_last4 = models.CharField(max_length=4, blank=True)
    pin_hash = models.CharField(max_length=128, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    lost_card = models.BooleanField(_("card reported lost"), default=False)
    manual_block = models.CharField(_("blocked because"), max_length=200, blank=True)
    keep_history = models.BooleanField(_("keep my loan history"), default=False)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reader"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["name"], name="circulation_reader_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.card})"

    @property
    def id_number_masked(self) -> str:
        return f"**************{self.id_number_last4}" if self.id_number_last4 else ""
