from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


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
