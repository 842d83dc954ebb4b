from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core import uploads
from wenyun.core.forms import DateField

from .models import ManualCode


class UnitChoiceField(forms.ChoiceField):
    def __init__(self, *, units, **kwargs):
        super().__init__(choices=[(u.code, f"{u.code} {u.display_name}") for u in units], **kwargs)


class ManualFigureForm(forms.Form):
    code = forms.ChoiceField(label=_("figure"), choices=ManualCode.choices)
    year = forms.IntegerField(label=pgettext_lazy("statistics", "year"), min_value=2000, max_value=2100)
    value = forms.CharField(label=_("value"), max_length=20)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"unit": UnitChoiceField(units=units, label=_("unit")), **self.fields}


class DoorCountForm(forms.Form):
    day = DateField(label=_("day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    visits = forms.CharField(label=pgettext_lazy("statistics", "visits"), max_length=12)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"unit": UnitChoiceField(units=units, label=_("unit")), **self.fields}


class DoorCountImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))

    def clean_file(self):
        return uploads.upload_clean(self.cleaned_data["file"])
