from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wenyun.catalog.marc import ENCODINGS
from wenyun.core import uploads
from wenyun.core.forms import DateField

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
    item_type = forms.ModelChoiceField(label=_("item type"), queryset=ItemType.objects.filter(retired=False))
    location = forms.CharField(label=_("shelving location"), max_length=60, required=False)
    call_number = forms.CharField(label=_("call number"), max_length=60, required=False)
    price = forms.CharField(label=_("price"), max_length=20, required=False)
    acquired_on = DateField(
        label=_("acquired on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(label=_("notes"), max_length=255, required=False)

    def __init__(self, *args, units=(), current_type: ItemType | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        home_unit = self.fields["home_unit"]
        assert isinstance(home_unit, forms.ChoiceField)
        home_unit.choices = [(u.code, f"{u.code} {u.display_name}") for u in units]
        if current_type is not None and current_type.retired:
            # A retired type is offered for new copies no more, but a copy of it keeps it when edited.
            field = self.fields["item_type"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = ItemType.objects.filter(Q(retired=False) | Q(pk=current_type.pk))


class ItemTypeForm(forms.Form):
    code = forms.CharField(
        label=_("code"),
        max_length=20,
        help_text=_("Letters, digits, - or _; it cannot be changed later (imports and kiosks use it)."),
    )
    name = forms.CharField(label=_("name"), max_length=60)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    loanable = forms.BooleanField(
        label=_("lent out"),
        required=False,
        initial=True,
        help_text=_("Unticked: for use in the library only (a county-wide row of the circulation matrix)."),
    )


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

    def clean_file(self):
        return uploads.upload_clean(self.cleaned_data["file"])


class ItemsImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))

    def clean_file(self):
        return uploads.upload_clean(self.cleaned_data["file"])
