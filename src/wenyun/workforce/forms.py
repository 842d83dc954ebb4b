"""Forms check the shape of what was typed (a date, a number); the services check the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core.forms import DateField
from wenyun.network.models import UnitKind

from .models import EmploymentType, Post, Qualification


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # what a browser's date input reads
        super().__init__(attrs, format)


class PersonForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("workforce", "Name"), max_length=60)
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), ("M", _("Male")), ("F", _("Female"))]
    )
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    id_number = forms.CharField(
        label=_("Identity number"),
        max_length=18,
        required=False,
        help_text=_("Kept as a check value and its last 4 digits; leave empty to keep the one on file."),
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    bank_account = forms.CharField(
        label=_("Bank account"),
        max_length=32,
        required=False,
        help_text=_("Shown masked; leave empty to keep the one on file."),
    )
    education = forms.CharField(label=_("Education"), max_length=40, required=False)


class UnitChoice(forms.Form):
    """A form with a `unit` field choosing among the units the user may change (codes as values)."""

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.code, f"{u.code} {u.display_name}") for u in units]


class AppointmentForm(UnitChoice):
    unit = forms.ChoiceField(label=_("Unit"))
    post = forms.ChoiceField(label=pgettext_lazy("workforce", "Post"), choices=Post.choices)
    employment = forms.ChoiceField(label=_("Employment type"), choices=EmploymentType.choices)
    start_date = DateField(label=_("Start date"), widget=DateInput, earliest=dt.date(1950, 1, 1))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NewStaffForm(PersonForm, AppointmentForm):
    field_order = ["name", "unit", "post", "employment", "start_date", "note"]


class EndForm(forms.Form):
    end_date = DateField(label=_("Last day in the post"), widget=DateInput)


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("workforce", "Kind"), choices=Qualification.Kind.choices)
    name = forms.CharField(label=pgettext_lazy("workforce", "Name"), max_length=80)
    awarded_on = DateField(
        label=_("Awarded on"), required=False, widget=DateInput, earliest=dt.date(1950, 1, 1), latest="today"
    )


class StandardForm(forms.Form):
    post = forms.ChoiceField(label=pgettext_lazy("workforce", "Post"), choices=Post.choices)
    unit_kind = forms.ChoiceField(label=_("Unit kind"), choices=UnitKind.choices)
    monthly_amount = forms.DecimalField(label=_("Yuan a month"), min_value=0, max_digits=9, decimal_places=2)
    effective_from = DateField(label=pgettext_lazy("workforce", "From"), widget=DateInput)
    basis = forms.CharField(label=_("Basis (the document that sets it)"), max_length=200, required=False)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )


class AdjustmentForm(forms.Form):
    appointment = forms.IntegerField(
        label=pgettext_lazy("workforce", "Post"), widget=forms.Select, min_value=1, max_value=2**63 - 1
    )
    corrects_month = forms.CharField(
        label=_("Month corrected"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    amount = forms.DecimalField(label=_("Yuan (negative to take back)"), max_digits=9, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TrainingForm(UnitChoice):
    unit = forms.ChoiceField(label=_("Held by"))
    topic = forms.CharField(label=_("Topic"), max_length=120)
    date = DateField(label=_("Date"), widget=DateInput)
    trainer = forms.CharField(label=_("Trainer"), max_length=80)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=5, decimal_places=1)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)


class AttendanceForm(forms.Form):
    person = forms.IntegerField(label=_("Person"), widget=forms.Select, min_value=1, max_value=2**63 - 1)
    hours = forms.DecimalField(
        label=_("Hours (empty: the whole session)"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
    )
