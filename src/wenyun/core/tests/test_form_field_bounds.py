"""Every date and number a form takes has bounds: a day in Wenyun's window, a number with a maximum."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms
from django.apps import apps

from wenyun.core.forms import DateField, DateTimeField

# Forms defined beside their views rather than in a forms.py.
MORE_MODULES = ["wenyun.volunteers.views", "wenyun.volunteers.portal_views", "wenyun.core.views"]


def _fields():
    names = [f"{c.name}.forms" for c in apps.get_app_configs() if c.name.startswith("wenyun.")] + MORE_MODULES
    for module_name in names:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for field_name, field in form.base_fields.items():
                    yield f"{module.__name__}.{name}.{field_name}", field


DATES = [(w, f) for w, f in _fields() if isinstance(f, (forms.DateField, forms.DateTimeField))]
NUMBERS = [(w, f) for w, f in _fields() if isinstance(f, (forms.IntegerField, forms.DecimalField))]


def test_the_forms_have_dates_and_numbers_to_check():
    assert (len(DATES) >= 20, len(NUMBERS) >= 20) == (True, True)


@pytest.mark.parametrize(("where", "field"), DATES, ids=[w for w, _f in DATES])
def test_a_date_field_keeps_to_the_window(where, field):
    assert isinstance(field, (DateField, DateTimeField)), where


@pytest.mark.parametrize(("where", "field"), NUMBERS, ids=[w for w, _f in NUMBERS])
def test_a_number_field_has_a_least_and_a_greatest_value(where, field):
    digits = getattr(field, "max_digits", None)
    assert field.max_value is not None or digits is not None, where
    assert field.min_value is not None or digits is not None, where
