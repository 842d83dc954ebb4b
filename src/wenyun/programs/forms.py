"""Forms parse what people type; the services decide whether it may be done."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core.forms import DateField, DateTimeField

from .models import Audience, Booking, Category, DigitalResource, MenuItem, TroupeSupport, Venue, VenueKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class ActivityEditForm(forms.Form):
    """What an activity is and where; places and session times are changed on the activity's page."""

    title = forms.CharField(label=pgettext_lazy("culture", "Title"), max_length=120)
    category = forms.ChoiceField(label=pgettext_lazy("culture", "Category"), choices=Category.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(), required=False)
    place = forms.CharField(label=_("Or another place"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    registration_required = forms.BooleanField(label=_("Registration needed"), required=False)
    registration_opens = DateTimeField(label=_("Registration opens"), required=False, widget=DATETIME)
    registration_closes = DateTimeField(label=_("Registration closes"), required=False, widget=DATETIME)

    def __init__(self, *args, venues=None, **kwargs):
        super().__init__(*args, **kwargs)
        if venues is not None:
            self.fields["venue"].queryset = venues


class ActivityForm(ActivityEditForm):
    """A new activity: what it is and where, its weekly sessions, its places."""

    first_day = DateField(label=_("Day (first session)"), widget=DATE)
    starts = forms.TimeField(label=_("Starts at"), widget=TIME)
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=1, max_value=24 * 60, initial=90)
    count = forms.IntegerField(label=_("Number of weekly sessions"), min_value=1, max_value=60, initial=1)
    capacity = forms.IntegerField(label=_("Places (0: no limit)"), min_value=0, max_value=100_000, initial=0)
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)

    field_order = [
        *("title", "category", "audience", "venue", "place", "description"),
        *("first_day", "starts", "minutes", "count", "capacity"),
        *("registration_required", "registration_opens", "registration_closes", "publish"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_required"].initial = True


class SessionMoveForm(forms.Form):
    day = DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=_("Starts at"), widget=TIME)
    ends = forms.TimeField(label=pgettext_lazy("culture", "Until"), widget=TIME)


class PortalRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    card = forms.CharField(label=_("Reader card (optional)"), max_length=32, required=False)
    pin = forms.CharField(
        label=_("PIN of the card"), max_length=32, required=False, widget=forms.PasswordInput
    )


class VenueForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("culture", "Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, max_value=100_000, initial=30)
    equipment = forms.CharField(label=_("Equipment"), max_length=200, required=False)
    opens = forms.TimeField(label=_("Bookable from"), widget=TIME, initial=dt.time(8, 30))
    closes = forms.TimeField(label=_("Bookable until"), widget=TIME, initial=dt.time(21, 0))


class BookingForm(forms.Form):
    requester_kind = forms.ChoiceField(label=_("You are"), choices=Booking.Requester.choices)
    requester_name = forms.CharField(label=_("Name (person, troupe, school)"), max_length=80)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    attendees = forms.IntegerField(label=_("People expected"), min_value=1, max_value=100_000, initial=10)
    day = DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=pgettext_lazy("culture", "From"), widget=TIME)
    ends = forms.TimeField(label=pgettext_lazy("culture", "Until"), widget=TIME)


class VisitForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    persons = forms.IntegerField(label=_("Visitors"), min_value=1, max_value=5, initial=1)


class SlotsForm(forms.Form):
    first_day = DateField(label=_("From day"), widget=DATE)
    last_day = DateField(label=_("To day"), widget=DATE)
    times = forms.CharField(
        label=_("Times (e.g. 09:00-11:00, 14:00-16:00)"), max_length=200, initial="09:00-11:00, 14:00-16:00"
    )
    capacity = forms.IntegerField(label=_("Visitors per slot"), min_value=1, max_value=100_000, initial=50)

    def clean_times(self):
        periods = []
        for part in self.cleaned_data["times"].replace("，", ",").split(","):
            try:
                start, end = (dt.time.fromisoformat(p.strip()) for p in part.split("-"))
            except ValueError:
                raise forms.ValidationError(
                    _("%(part)s is not a time span like 09:00-11:00.") % {"part": part.strip()}
                ) from None
            periods.append((start, end))
        return periods


class MenuItemForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("culture", "Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=MenuItem.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=7 * 24 * 60, initial=90
    )
    lead_days = forms.IntegerField(label=_("Days of notice needed"), min_value=0, max_value=365, initial=7)


class MenuOrderForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Service"), queryset=MenuItem.objects.filter(active=True))
    unit = forms.ChoiceField(label=_("For"))
    wanted_on = DateField(label=_("Wanted on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DeliveryForm(forms.Form):
    attendance = forms.IntegerField(label=_("Attendance"), min_value=0, max_value=1_000_000)
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)]
    )
    feedback = forms.CharField(label=_("Feedback"), max_length=300, required=False)


class TroupeForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("culture", "Name"), max_length=80)
    art_form = forms.CharField(label=_("Art form"), max_length=40)
    leader = forms.CharField(label=_("Leader"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    members = forms.IntegerField(label=_("Members"), min_value=0, max_value=100_000, initial=10)
    founded_on = DateField(
        label=_("Founded"), widget=DATE, required=False, earliest=dt.date(1900, 1, 1), latest="today"
    )


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TroupeSupport.Kind.choices)
    on = DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(label=_("What"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=0,
        max_value=10_000_000,
        initial=0,
        max_digits=10,
        decimal_places=2,
    )


class PerformanceForm(forms.Form):
    on = DateField(label=_("Date"), widget=DATE)
    title = forms.CharField(label=pgettext_lazy("culture", "Title"), max_length=120)
    place = forms.CharField(label=_("Place"), max_length=120)
    audience = forms.IntegerField(label=_("Audience"), min_value=0, max_value=1_000_000)


class UsageForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("Resource"), queryset=DigitalResource.objects.filter(active=True)
    )
    unit = forms.ChoiceField(label=_("Unit"))
    month = DateField(
        label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m"]
    )
    visits = forms.IntegerField(label=_("Visits"), min_value=0, max_value=100_000_000)
    downloads = forms.IntegerField(
        label=_("Downloads or plays"), min_value=0, max_value=100_000_000, initial=0
    )


class NewsForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("culture", "Title"), max_length=120)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    is_notice = forms.BooleanField(label=_("A notice"), required=False)
    photo = forms.FileField(label=_("Photo"), required=False)
    publish = forms.BooleanField(label=_("Publish now"), required=False)
