"""Cultural services: activities and their registrations, venues and bookings, museum timed entry,
the service menu villages order from (点单), folk troupes, digital resources and news.

Everything countable leaves a ProgramEvent behind (see ProgramEvent.Type); the registers below hold
the current state, the event log what happened and when.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core.models import EventBase


def new_code() -> str:
    """A short code printed as a QR code and read at the door; unguessable enough for a free ticket."""
    return secrets.token_hex(5).upper()


class Category(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    TRAINING = "training", _("Training class")
    EXHIBITION = "exhibition", _("Exhibition")
    PERFORMANCE = "performance", _("Performance")
    READING = "reading", _("Reading event")
    FILM = "film", _("Film showing")
    COMPETITION = "competition", _("Competition")
    OTHER = "other", _("Other activity")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone")
    CHILDREN = "children", _("Children")
    TEENAGERS = "teenagers", _("Teenagers")
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Seniors")
    FAMILIES = "families", _("Families")


class VenueKind(models.TextChoices):
    ROOM = "room", _("Room")
    HALL = "hall", _("Hall")
    SQUARE = "square", _("Square")
    GALLERY = "gallery", _("Gallery")
    STAGE = "stage", _("Stage")


class Venue(models.Model):
    """A space of a unit where activities happen and which people may book."""

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices, default=VenueKind.ROOM)
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    equipment = models.CharField(_("equipment"), max_length=200, blank=True)
    bookable = models.BooleanField(_("open to booking"), default=True)
    opens = models.TimeField(_("bookable from"))
    closes = models.TimeField(_("bookable until"))

    class Meta:
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="programs_venue_unit_name"),
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="programs_venue_hours"),
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    place = models.CharField(_("place"), max_length=120, blank=True)  # where there is no venue of record
    title = models.CharField(pgettext_lazy("culture", "title"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=0)  # 0: no limit
    registration_required = models.BooleanField(_("registration needed"), default=True)
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The first session's start and the last one's end, kept by the services for the calendar.
    starts_at = models.DateTimeField(_("starts"), null=True, db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True)
    confirmed_count = models.PositiveIntegerField(default=0)
    waiting_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["status", "starts_at"], name="programs_activity_cal")]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int | None:
        return None if not self.capacity else max(0, self.capacity - self.confirmed_count)

    @property
    def where(self) -> str:
        return self.venue.name if self.venue_id and self.venue else self.place


class Session(models.Model):
    """One meeting of an activity: a lecture has one, a weekly training class many."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    walk_ins = models.PositiveIntegerField(_("attendance without registration"), default=0)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="programs_session_order"
            )
        ]


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="registrations")
    reader = models.ForeignKey(
        "circulation.Reader", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who registered, as one comparable key: "card:<card>", "phone:<phone>" or "user:<id>".
    party = models.CharField(max_length=60)
    name = models.CharField(_("full name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    code = models.CharField(max_length=12, unique=True, default=new_code)
    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "party"],
                condition=~Q(status="cancelled"),
                name="programs_registration_once",
            )
        ]


class Attendance(models.Model):
    """A registrant checked in at the door of one session (by QR code or from the staff's list)."""

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        LIST = "list", _("Staff list")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="attendances")
    at = models.DateTimeField()
    method = models.CharField(max_length=8, choices=Method.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "registration"], name="programs_attendance_once")
        ]
        # Check-ins by session and time, read from the index alone (statistics: visits by day).
        indexes = [models.Index(fields=["session", "at"], name="programs_attendance_at")]


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    class Requester(models.TextChoices):
        READER = "reader", _("Reader")
        TROUPE = "troupe", _("Troupe")
        SCHOOL = "school", _("School")
        ORGANISATION = "organisation", _("Organisation")

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="bookings"
    )
    requester_kind = models.CharField(_("requested by"), max_length=16, choices=Requester.choices)
    requester_name = models.CharField(_("full name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    troupe = models.ForeignKey(
        "Troupe", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("people expected"), default=1)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    code = models.CharField(max_length=12, unique=True, default=new_code)  # the requester's link to it

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="programs_booking_order"
            )
        ]


class VisitSlot(models.Model):
    """A timed-entry slot of a museum or exhibition (预约参观): free tickets up to its capacity."""

    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    capacity = models.PositiveIntegerField(_("capacity"))
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "starts"], name="programs_slot_once"),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="programs_slot_not_over"
            ),
        ]

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)


class VisitTicket(models.Model):
    """One visitor's free ticket; its code is shown as a QR code and checked at the door."""

    slot = models.ForeignKey(VisitSlot, on_delete=models.PROTECT, related_name="tickets")
    name = models.CharField(_("full name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20)
    code = models.CharField(max_length=12, unique=True, default=new_code)
    booked_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    entered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot", "pk"]
        # Entries by slot and time, read from the index alone (statistics: museum visits by day).
        indexes = [models.Index(fields=["slot", "entered_at"], name="programs_ticket_entered")]


class MenuItem(models.Model):
    """A service on the county's menu (点单): a performance, a course, a touring exhibition, a film."""

    class Kind(models.TextChoices):
        PERFORMANCE = "performance", _("Performance")
        TRAINING = "training", _("Training course")
        EXHIBITION = "exhibition", _("Touring exhibition")
        FILM = "film", _("Film showing")
        LECTURE = "lecture", _("Lecture")

    provider = models.ForeignKey(
        "network.Unit", verbose_name=_("provided by"), on_delete=models.PROTECT, related_name="+"
    )
    troupe = models.ForeignKey(
        "Troupe", verbose_name=_("troupe"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(pgettext_lazy("culture", "title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=90)
    lead_days = models.PositiveIntegerField(_("days of notice needed"), default=7)
    active = models.BooleanField(_("on the menu"), default=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class MenuOrder(models.Model):
    class Status(models.TextChoices):
        ORDERED = "ordered", _("Ordered")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    item = models.ForeignKey(
        MenuItem, verbose_name=_("service"), on_delete=models.PROTECT, related_name="orders"
    )
    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("ordered for"), on_delete=models.PROTECT, related_name="+"
    )
    wanted_on = models.DateField(_("wanted on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ORDERED)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    feedback = models.CharField(_("feedback"), max_length=300, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ordered_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-wanted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="programs_order_rating",
            )
        ]


class Troupe(models.Model):
    """An amateur or folk troupe (民间文艺团队) registered with a unit."""

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    art_form = models.CharField(_("art form"), max_length=40)
    leader = models.CharField(_("leader"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    rehearsal_venue = models.ForeignKey(
        Venue,
        verbose_name=_("rehearses at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="programs_troupe_unit_name")]

    def __str__(self) -> str:
        return self.name


class TroupeSupport(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        EQUIPMENT = "equipment", _("Equipment")
        FUNDING = "funding", _("Funding")
        GUIDANCE = "guidance", _("Guidance")

    troupe = models.ForeignKey(Troupe, on_delete=models.CASCADE, related_name="support")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    description = models.CharField(_("what"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["-on", "-pk"]


class TroupePerformance(models.Model):
    troupe = models.ForeignKey(Troupe, on_delete=models.CASCADE, related_name="performances")
    on = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("culture", "title"), max_length=120)
    place = models.CharField(_("place"), max_length=120)
    audience = models.PositiveIntegerField(_("audience"), default=0)

    class Meta:
        ordering = ["-on", "-pk"]


class DigitalResource(models.Model):
    class Kind(models.TextChoices):
        EBOOKS = "ebooks", _("E-book platform")
        VIDEO = "video", _("Video lectures")
        LOCAL = "local", _("Local culture collection")
        AUDIO = "audio", _("Audio books")
        DATABASE = "database", _("Database")

    title = models.CharField(pgettext_lazy("culture", "title"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    provider = models.CharField(_("provider"), max_length=80, blank=True)
    url = models.URLField(_("access link"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    units = models.ManyToManyField("network.Unit", verbose_name=_("offered at"), related_name="+")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class DigitalUsage(models.Model):
    """A month's use of a resource at a unit, entered by staff or imported from the vendor's report."""

    resource = models.ForeignKey(DigitalResource, on_delete=models.PROTECT, related_name="usage")
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month
    visits = models.PositiveIntegerField(_("visits"), default=0)
    downloads = models.PositiveIntegerField(_("downloads or plays"), default=0)

    class Meta:
        ordering = ["-month", "resource"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "unit", "month"], name="programs_usage_once")
        ]


class News(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(pgettext_lazy("culture", "title"), max_length=120)
    body = models.TextField(_("text"))
    is_notice = models.BooleanField(_("notice"), default=False)
    photo = models.FileField(_("photo"), upload_to="news/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name_plural = _("news")


class ProgramEvent(EventBase):
    """What happened in cultural services; the statistics count from here.

    details by type:
      activity_published  {activity, category, sessions}
      activity_cancelled  {activity}
      activity_changed    {activity, fields: [names of the fields changed]}
      session_moved       {activity, session, was, now}  (local times, "Y-m-d H:i")
      registered          {activity, registration, status: confirmed|waiting, channel: card|phone|account}
      registration_cancelled {activity, registration, was: confirmed|waiting}
      promoted            {activity, registration}          (waiting list moved up)
      checked_in          {activity, session, registration, method: qr|list}
      walk_ins_recorded   {activity, session, count}        (count replaces the earlier figure)
      booking_requested / booking_approved / booking_refused / booking_cancelled {booking, venue}
      visit_booked        {slot, day, tickets}
      visit_cancelled     {slot, day, ticket}
      visit_entered       {slot, day, ticket}
      menu_ordered / menu_confirmed / menu_declined / menu_cancelled {order, item, kind, provider}
      menu_delivered      {order, item, kind, provider, attendance, rating, township}
      troupe_registered   {troupe}; troupe_supported {troupe, kind, amount}; troupe_performed {troupe, audience}
      digital_usage       {resource, month, visits, downloads} (the month's figures, replacing earlier ones)
      news_published      {news}
    The unit is where it happened: the activity's, the venue's, the museum's, the ordering village's.
    """

    class Type(models.TextChoices):
        ACTIVITY_PUBLISHED = "activity_published"
        ACTIVITY_CANCELLED = "activity_cancelled"
        ACTIVITY_CHANGED = "activity_changed"
        SESSION_MOVED = "session_moved"
        REGISTERED = "registered"
        REGISTRATION_CANCELLED = "registration_cancelled"
        PROMOTED = "promoted"
        CHECKED_IN = "checked_in"
        WALK_INS_RECORDED = "walk_ins_recorded"
        BOOKING_REQUESTED = "booking_requested"
        BOOKING_APPROVED = "booking_approved"
        BOOKING_REFUSED = "booking_refused"
        BOOKING_CANCELLED = "booking_cancelled"
        VISIT_BOOKED = "visit_booked"
        VISIT_CANCELLED = "visit_cancelled"
        VISIT_ENTERED = "visit_entered"
        MENU_ORDERED = "menu_ordered"
        MENU_CONFIRMED = "menu_confirmed"
        MENU_DECLINED = "menu_declined"
        MENU_CANCELLED = "menu_cancelled"
        MENU_DELIVERED = "menu_delivered"
        TROUPE_REGISTERED = "troupe_registered"
        TROUPE_SUPPORTED = "troupe_supported"
        TROUPE_PERFORMED = "troupe_performed"
        DIGITAL_USAGE = "digital_usage"
        NEWS_PUBLISHED = "news_published"

    class Meta(EventBase.Meta):
        pass
