"""A browser's date input only shows a value written as YYYY-MM-DD: a form rendered in Chinese with
Django's localised format (2026/11/28) shows an empty field, and saving it would clear the date."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.utils import translation


def _date_inputs():
    for config in apps.get_app_configs():
        if not config.name.startswith("wenyun."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, field in form.base_fields.items():
                widget = field.widget
                if getattr(widget, "input_type", "") == "date" or widget.attrs.get("type") == "date":
                    yield f"{module.__name__}.{name}.{field_name}", widget


DATE_INPUTS = list(_date_inputs())


def test_the_forms_have_date_inputs_to_check():
    assert len(DATE_INPUTS) >= 8


@pytest.mark.parametrize(("where", "widget"), DATE_INPUTS, ids=[where for where, _w in DATE_INPUTS])
def test_a_date_input_shows_its_value_in_chinese_and_english(where, widget):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert widget.format_value(dt.date(2026, 11, 28)) == "2026-11-28", (where, language)
