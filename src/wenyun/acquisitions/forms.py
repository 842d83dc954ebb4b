"""The acquisitions pages' forms, and reading order lines pasted from a spreadsheet."""

from __future__ import annotations

import csv
import io

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyun.core.errors import DomainError
from wenyun.core.forms import DateField
from wenyun.core.normalise import plain
from wenyun.network.models import Unit

from .models import Fund, FundSource, Vendor
from .services import LineIn

MAX_PASTE = 200_000  # characters: some 2,000 lines


class FundForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=30)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    year = forms.IntegerField(label=gettext_lazy("Budget year"), min_value=2000, max_value=2100)
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.filter(active=True))
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=FundSource.choices)
    allocated = forms.CharField(label=gettext_lazy("Allocated (yuan)"), max_length=20)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Split from"), queryset=Fund.objects.all(), required=False
    )


class VendorForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    contact = forms.CharField(label=gettext_lazy("Contact person"), max_length=60, required=False)
    phone = forms.CharField(label=gettext_lazy("Telephone"), max_length=20, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    rate = forms.CharField(
        label=gettext_lazy("Price paid, percent of the list price"), max_length=10, initial="100"
    )
    sends_marc = forms.BooleanField(label=gettext_lazy("Sends MARC records with the books"), required=False)
    partner_shop = forms.BooleanField(
        label=gettext_lazy("Partner bookstore for reader choice"), required=False
    )
    shop_unit = forms.ModelChoiceField(
        label=gettext_lazy("Lends for"), queryset=Unit.objects.filter(active=True), required=False
    )


class OrderForm(forms.Form):
    vendor = forms.ModelChoiceField(
        label=gettext_lazy("Vendor"), queryset=Vendor.objects.filter(active=True, partner_shop=False)
    )
    fund = forms.ModelChoiceField(label=gettext_lazy("Fund"), queryset=Fund.objects.all())
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)
    lines = forms.CharField(
        label=gettext_lazy("Order lines"),
        max_length=MAX_PASTE,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "One title a line, pasted from a spreadsheet or typed: ISBN, title, price, copies, then the units "
            "and their copies (YX-S01:2 YX-S02:3); copies given no unit go to the fund's unit."
        ),
    )


def lines_parse(text: str, *, units: dict[str, Unit]) -> list[LineIn]:
    """Order lines from pasted text (tabs from a spreadsheet, or commas); a wrong line is named by its number."""
    parsed: list[LineIn] = []
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if "\t" in text else ","))
    for number, row in enumerate(rows, start=1):
        cells = [plain(cell) for cell in row]
        if not any(cells):
            continue
        if len(cells) < 4:
            raise DomainError(
                _("Line %(n)s: give at least the ISBN, the title, the price and the copies.") % {"n": number},
                code="line_short",
            )
        isbn, title, price, copies, *rest = cells
        destinations = []
        for cell in " ".join(rest).replace("，", " ").replace("；", " ").split():
            code, _sep, n = cell.replace("：", ":").partition(":")
            unit = units.get(code.upper())
            if unit is None:
                raise DomainError(
                    _("Line %(n)s: there is no unit with the code %(code)s.") % {"n": number, "code": code},
                    code="unit_not_found",
                )
            destinations.append((unit, n or "1"))
        parsed.append(LineIn(isbn=isbn, title=title, price=price, quantity=copies, destinations=destinations))
    if not parsed:
        raise DomainError(_("An order needs at least one line."), code="order_empty")
    return parsed


class ReceiveForm(forms.Form):
    isbn = forms.CharField(
        label=gettext_lazy("ISBN"),
        max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "off"}),
    )
    barcode = forms.CharField(
        label=gettext_lazy("New barcode"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class InvoiceForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Invoice number"), max_length=40)
    issued_on = DateField(
        label=gettext_lazy("Issued on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )


class MarcForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("The vendor's MARC file (ISO 2709 or MARCXML)"))


class ChoiceForm(forms.Form):
    shop = forms.ModelChoiceField(
        label=gettext_lazy("Bookstore"), queryset=Vendor.objects.filter(active=True, partner_shop=True)
    )
    card = forms.CharField(
        label=gettext_lazy("Reader's card"),
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    isbn = forms.CharField(
        label=gettext_lazy("ISBN"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=500)
    author = forms.CharField(label=gettext_lazy("Author"), max_length=500, required=False)
    publisher = forms.CharField(label=gettext_lazy("Publisher"), max_length=255, required=False)
    year = forms.CharField(label=gettext_lazy("Year of publication"), max_length=4)
    price = forms.CharField(label=gettext_lazy("Price (yuan)"), max_length=20)
    clc = forms.CharField(label=gettext_lazy("CLC class"), max_length=40, required=False)
    barcode = forms.CharField(
        label=gettext_lazy("Library barcode stuck on the book"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RotationForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    stops = forms.CharField(label=gettext_lazy("Stops, in order (unit codes)"), max_length=2000)
    period_days = forms.IntegerField(
        label=gettext_lazy("Days at each stop"), min_value=7, max_value=730, initial=90
    )
    barcodes = forms.CharField(
        label=gettext_lazy("Barcodes of the set's copies (at the first stop)"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class OfferImportForm(forms.Form):
    vendor = forms.ModelChoiceField(
        label=gettext_lazy("Vendor"), queryset=Vendor.objects.filter(active=True, partner_shop=False)
    )
    name = forms.CharField(label=gettext_lazy("Name of the list"), max_length=200, required=False)
    file = forms.FileField(label=gettext_lazy("The vendor's offer list (XLSX, CSV or MARC)"))


class AcceptForm(forms.Form):
    vendor = forms.ModelChoiceField(
        label=gettext_lazy("Vendor"), queryset=Vendor.objects.filter(active=True, partner_shop=False)
    )
    fund = forms.ModelChoiceField(label=gettext_lazy("Fund"), queryset=Fund.objects.all())


class SuggestForm(forms.Form):
    isbn = forms.CharField(label=gettext_lazy("ISBN (on the back cover)"), max_length=40, required=False)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=500, required=False)
    author = forms.CharField(label=gettext_lazy("Author"), max_length=500, required=False)
    note = forms.CharField(
        label=gettext_lazy("Why the library should buy it"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
