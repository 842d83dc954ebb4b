from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyun.catalog.marc import ENCODINGS

from .models import ItemType, Record

LANGUAGES = [("chi", _("Chinese")), ("eng", _("English")), ("jpn", _("Japanese")), ("", _("Other"))]


class RecordForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=500)
    responsibility = forms.CharField(label=_("author"), max_length=500, required=False)
    publisher = forms.CharField(label=_("publisher"), max_length=255, required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=1000, max_value=2999)
    isbn = forms.CharField(
        label=_("ISBN"), max_length=40, required=False, help_text=_("10 or 13 digits, hyphens allowed")
    )
    clc = forms.CharField(
        label=_("CLC class"), max_length=40, required=False, help_text=_("中图法, e.g. I247.55")
    )
    call_number = forms.CharField(label=_("call number"), max_length=60, required=False)
    language = forms.ChoiceField(label=_("language"), choices=LANGUAGES, required=False, initial="chi")
    subjects = forms.CharField(label=_("subjects"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    marc_format = forms.ChoiceField(
        label=_("MARC format"), choices=Record.Format.choices, initial=Record.Format.MARC21
    )


class ItemForm(forms.Form):
    barcode = forms.CharField(label=_("barcode"), max_length=32)
    home_unit = forms.ChoiceField(label=_("home unit"))
    item_type = forms.ModelChoiceField(label=_("item type"), queryset=ItemType.objects.all())
    location = forms.CharField(label=_("shelving location"), max_length=60, required=False)
    call_number = forms.CharField(label=_("call number"), max_length=60, required=False)
    price = forms.CharField(label=_("price"), max_length=20, required=False)
    acquired_on = forms.DateField(
        label=_("acquired on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("notes"), max_length=255, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_unit"].choices = [(u.code, f"{u.code} {u.display_name}") for u in units]


class MarcImportForm(forms.Form):
    file = forms.FileField(label=_("MARC file (ISO 2709 or MARCXML)"))
    owner = forms.ChoiceField(label=_("for unit"))
    flavour = forms.ChoiceField(
        label=_("MARC flavour"),
        choices=[
            ("auto", _("decide from the records")),
            ("marc21", "MARC 21"),
            ("unimarc", "UNIMARC/CNMARC"),
        ],
    )
    encoding = forms.ChoiceField(label=_("character encoding"), choices=[(e, e) for e in ENCODINGS])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(u.code, f"{u.code} {u.display_name}") for u in units]


class ItemsImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
