from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Encoding


class KioskAccountForm(forms.Form):
    name = forms.CharField(label=_("login name"), max_length=40)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput(render_value=False))
    institution = forms.CharField(label=_("institution id (AO)"), max_length=40)
    unit = forms.ChoiceField(label=_("unit"))
    encoding = forms.ChoiceField(label=_("encoding"), choices=Encoding.choices, initial=Encoding.UTF8)
    patron_pin_required = forms.BooleanField(
        label=_("readers must give their PIN"), required=False, initial=True
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.code} {u.display_name}") for u in units]


class KioskPasswordForm(forms.Form):
    password = forms.CharField(label=_("new password"), widget=forms.PasswordInput(render_value=False))
