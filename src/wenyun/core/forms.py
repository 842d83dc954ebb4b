from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bounds import FIRST_DAY, day_problem
from .models import Role


class _DayWindow:
    """A form field whose day must lie in the window of core/bounds.py: from 2000 (or `earliest`) to
    ten years ahead (or `latest`). `earliest="today"` refuses a day already past (a card's expiry),
    `latest="today"` a day still to come (when a troupe was founded)."""

    def __init__(
        self, *, earliest: dt.date | str | None = FIRST_DAY, latest: dt.date | str | None = None, **kwargs
    ):
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)  # type: ignore[call-arg]

    def validate(self, value) -> None:
        super().validate(value)  # type: ignore[misc]
        if value in self.empty_values:  # type: ignore[attr-defined]
            return
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        day = value.date() if isinstance(value, dt.datetime) else value
        today = timezone.localdate()
        earliest = today if self.earliest == "today" else self.earliest
        latest = today if self.latest == "today" else self.latest
        problem = day_problem(day, earliest=earliest, latest=latest)  # type: ignore[arg-type]
        if problem:
            raise forms.ValidationError(problem, code="date_out_of_range")


class DateField(_DayWindow, forms.DateField):
    pass


class DateTimeField(_DayWindow, forms.DateTimeField):
    pass


class AccountForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("full name"), max_length=60)
    role = forms.ChoiceField(label=_("role"), choices=[c for c in Role.choices if c[0] != Role.READER])
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("unit"), queryset=None, to_field_name="code"
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)

    def __init__(self, *args, units, editing: bool = False, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None and not actor.is_county_admin:
            from .services import ROLE_RANK

            mine = ROLE_RANK.get(actor.role, 0)
            self.fields["role"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Role.choices if 0 < ROLE_RANK[value] < mine
            ]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if editing:
            del self.fields["username"], self.fields["password"]
            self.fields["is_active"] = forms.BooleanField(label=_("active"), required=False)
