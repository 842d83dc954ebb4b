from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyun.core.forms import DateField

from .models import Unit, UnitKind

WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


class UnitForm(forms.ModelForm):
    # The model's field allows up to 2^31 (PostgreSQL's integer); a county's people are far fewer.
    population = forms.IntegerField(
        label=Unit._meta.get_field("population").verbose_name, min_value=0, max_value=100_000_000
    )

    class Meta:
        model = Unit
        fields = [
            "name",
            "name_en",
            "address",
            "phone",
            "population",
            "building_area",
            "free_opening",
            "digital_service",
            "wifi",
            "grade",
            "active",
        ]

    def __init__(self, *args, county_fields: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not county_fields:
            for name in ("grade", "active"):
                self.fields.pop(name)


class UnitCreateForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=80)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices)


class HoursForm(forms.Form):
    """Two periods a day, Monday to Sunday: a morning and an afternoon or evening; blank is closed."""

    def __init__(self, *args, schedule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for day, label in enumerate(WEEKDAYS):
            periods = (schedule or [[]] * 7)[day] if schedule else []
            names = []
            for slot in range(2):
                opens, closes = periods[slot] if slot < len(periods) else (None, None)
                for part, value in (("opens", opens), ("closes", closes)):
                    name = f"d{day}_{slot}_{part}"
                    self.fields[name] = forms.TimeField(
                        required=False,
                        initial=value,
                        label=f"{label} {part}",
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )
                    names.append(name)
            self.rows.append({"label": label, "fields": [self[n] for n in names]})

    def clean(self):
        cleaned = super().clean()
        periods: list[tuple[int, dt.time, dt.time]] = []
        for day, label in enumerate(WEEKDAYS):
            for slot in range(2):
                opens = cleaned.get(f"d{day}_{slot}_opens")
                closes = cleaned.get(f"d{day}_{slot}_closes")
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    raise forms.ValidationError(
                        _("%(day)s: give both the opening and the closing time, or neither.") % {"day": label}
                    )
                periods.append((day, opens, closes))
        cleaned["periods"] = periods
        return cleaned


class ClosureForm(forms.Form):
    first_day = DateField(
        label=_("first day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last_day = DateField(
        label=_("last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("reason"), max_length=120)
