from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wenyun.core.forms import DateField

from .models import CheckResult, Comparison, Part, Scope


class StandardUploadForm(forms.Form):
    file = forms.FileField(label=_("Standard file (JSON)"))


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=300)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    part = forms.ChoiceField(label=_("part"), choices=Part.choices)
    scope = forms.ChoiceField(label=_("scope"), choices=Scope.choices)
    measure = forms.CharField(label=_("unit of measure"), max_length=40, required=False)
    comparison = forms.ChoiceField(label=_("comparison"), choices=Comparison.choices)
    threshold = forms.DecimalField(label=_("threshold"), max_digits=14, decimal_places=4)
    weight = forms.DecimalField(label=_("weight"), max_digits=6, decimal_places=2, min_value=0)
    formula = forms.CharField(
        label=_("formula (JSON, as in the standard file)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_formula(self):
        try:
            return json.loads(self.cleaned_data["formula"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("The formula is not valid JSON: %(problem)s") % {"problem": exc}
            ) from None


class EvidenceForm(forms.Form):
    unit = forms.ChoiceField(label=_("unit"))
    file = forms.FileField(label=_("Document or photo (PDF, PNG, JPEG, DOCX, XLSX; at most 10 MB)"))
    description = forms.CharField(label=_("what it shows"), max_length=300)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.display_name} ({u.code})") for u in units]


class TaskEvidenceForm(forms.Form):
    file = forms.FileField(label=_("Document or photo (PDF, PNG, JPEG, DOCX, XLSX; at most 10 MB)"))
    description = forms.CharField(label=_("what it shows"), max_length=300)


class InspectionForm(forms.Form):
    unit = forms.CharField(label=_("unit code"), max_length=20)
    standard = forms.ChoiceField(label=_("standard"))
    date = DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    inspectors = forms.CharField(label=_("inspectors"), max_length=200)
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [(s.code, s.display_name) for s in standards]
        self.fields["date"].initial = timezone.localdate()


class ChecklistForm(forms.Form):
    result = forms.ChoiceField(choices=CheckResult.choices)
    note = forms.CharField(max_length=300, required=False)


class FindingForm(forms.Form):
    indicator = forms.ChoiceField(label=_("indicator"), required=False)
    text = forms.CharField(label=_("finding"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("owner"), max_length=80)
    deadline = DateField(
        label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—")] + [(i.code, str(i)) for i in indicators]
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=30)


class TaskActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    comment = forms.CharField(max_length=300, required=False)


class PublishForm(forms.Form):
    standard = forms.ChoiceField(label=_("standard"))
    year = forms.IntegerField(label=_("ledger year"), min_value=2000, max_value=2100)
    scope = forms.ChoiceField(
        label=_("scope"),
        choices=[(s, Scope(s).label) for s in (Scope.STATION, Scope.VILLAGE, Scope.INSTITUTION)],
    )

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [(s.code, s.display_name) for s in standards]
        self.fields["year"].initial = timezone.localdate().year


class SurveyForm(forms.Form):
    unit = forms.ChoiceField(label=_("unit"))
    title = forms.CharField(label=_("survey title"), max_length=200)
    opens = DateField(label=_("open from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    closes = DateField(
        label=_("open until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    questions = forms.CharField(
        label=_("Questions, one a line (empty: the usual five)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.display_name} ({u.code})") for u in units]
        self.fields["opens"].initial = timezone.localdate()
        self.fields["closes"].initial = timezone.localdate() + dt.timedelta(days=30)


class SurveyAnswerForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    comment = forms.CharField(
        label=_("Anything else you want to tell us"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
    )
