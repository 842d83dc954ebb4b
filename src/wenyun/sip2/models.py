"""Kiosk accounts: the logins self-check machines and book drops use to speak SIP2 to Wenyun."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Encoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    GB18030 = "gb18030", "GB18030"


class KioskAccount(models.Model):
    """One kiosk login (SIP2 93 CN/CO). A login binds the connection to the account's unit: a check-in
    from that kiosk is a check-in at that unit. Only a hash of the password is kept."""

    name = models.CharField(_("login name"), max_length=40, unique=True)
    password_hash = models.CharField(max_length=128)
    institution = models.CharField(_("institution id (AO)"), max_length=40)
    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    encoding = models.CharField(_("encoding"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8)
    # A self-check must prove the reader with the PIN (AD); a book drop only checks items in.
    patron_pin_required = models.BooleanField(_("readers must give their PIN"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kiosk account")
        verbose_name_plural = _("kiosk accounts")

    def __str__(self) -> str:
        return self.name

    @property
    def channel(self) -> str:
        """How the circulation log names this kiosk."""
        return f"sip2:{self.name}"


class ItemProperties(models.Model):
    """What a kiosk or sorter stored about a copy with Item Status Update (SIP2 19, field CH): its
    own free-text note on the copy (an RFID tag's settings, a sorting bin), given back in Item
    Information (18, CH). The catalogue's description of the copy is not touched."""

    item = models.OneToOneField(
        "catalog.Item", verbose_name=_("copy"), on_delete=models.CASCADE, related_name="+"
    )
    properties = models.CharField(_("item properties (CH)"), max_length=255)
    account = models.ForeignKey(
        KioskAccount, verbose_name=_("kiosk account"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("item properties from a kiosk")
        verbose_name_plural = _("item properties from kiosks")

    def __str__(self) -> str:
        return self.properties
