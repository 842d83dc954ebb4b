"""Readers and everything that moves copies between them and the county's units."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyun.core.models import EventBase


class ReaderCategory(models.Model):
    """adult, minor, senior, village reader, staff...: a column of the circulation matrix."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Reader(models.Model):
    """One county-wide reader card. The identity number is kept minimally: a keyed hash and its last 4."""

    card = models.CharField(_("card number"), max_length=32, unique=True)
    name = models.CharField(_("full name"), max_length=60)
    category = models.ForeignKey(ReaderCategory, on_delete=models.PROTECT, related_name="readers")
    home_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_last4 = models.CharField(max_length=4, blank=True)
    pin_hash = models.CharField(max_length=128, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    lost_card = models.BooleanField(_("card reported lost"), default=False)
    manual_block = models.CharField(_("blocked because"), max_length=200, blank=True)
    keep_history = models.BooleanField(_("keep my loan history"), default=False)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reader"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["name"], name="circulation_reader_name"),
            # Valid cards by home unit at a date (statistics), read from the index alone.
            models.Index(
                fields=["home_unit", "registered_at", "expires_on"], name="circulation_reader_cards"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.card})"

    @property
    def id_number_masked(self) -> str:
        return f"**************{self.id_number_last4}" if self.id_number_last4 else ""


class ReturnPolicy(models.TextChoices):
    HOME = "home", _("Goes back to its home unit")
    FLOAT = "float", _("Floats: stays where it was returned")
    LENDING = "lending", _("Goes back to the unit that lent it")


class CirculationRule(models.Model):
    """One row of the circulation matrix. A blank column matches everything; the most specific row wins.

    Specificity: a unit scope deeper in the tree beats a shallower one, then a named reader category,
    then a named item type (Koha's library > category > item type order). The scope covers the unit
    and everything under it; it is the lending unit (where the copy is checked out) that is matched.
    """

    unit = models.ForeignKey(
        "network.Unit",
        verbose_name=_("unit scope"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    category = models.ForeignKey(
        ReaderCategory, verbose_name=_("reader category"), null=True, blank=True, on_delete=models.CASCADE
    )
    item_type = models.ForeignKey(
        "catalog.ItemType", verbose_name=_("item type"), null=True, blank=True, on_delete=models.CASCADE
    )
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=30)
    loan_limit = models.PositiveSmallIntegerField(_("loan limit"), default=10)
    renewals = models.PositiveSmallIntegerField(_("renewals allowed"), default=1)
    holds_allowed = models.BooleanField(_("holds allowed"), default=True)
    fee_per_day = models.DecimalField(_("overdue fee per day"), max_digits=7, decimal_places=2, default=0)
    fee_cap = models.DecimalField(_("fee cap"), max_digits=9, decimal_places=2, default=0)
    return_policy = models.CharField(
        _("return policy"), max_length=10, choices=ReturnPolicy.choices, default=ReturnPolicy.HOME
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # When the row last changed, for people (the rules cache goes by core.versions.CIRCULATION_RULES).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "category", "item_type"],
                name="circulation_rule_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit or '*'} × {self.category or '*'} × {self.item_type or '*'}"


class CirculationSettings(models.Model):
    """County-wide numbers that are not per rule: the blocks' thresholds and the hold shelf."""

    max_overdue = models.PositiveSmallIntegerField(_("overdue items before a block"), default=5)
    fee_limit = models.DecimalField(_("fees owed before a block"), max_digits=9, decimal_places=2, default=10)
    hold_shelf_days = models.PositiveSmallIntegerField(_("days a hold waits on the shelf"), default=7)
    due_soon_days = models.PositiveSmallIntegerField(_("days before the due date to remind"), default=3)
    transit_overdue_days = models.PositiveSmallIntegerField(_("days before a transit is overdue"), default=7)
    charge_lost_price = models.BooleanField(_("charge the price of a lost item"), default=True)
    updated_at = models.DateTimeField(auto_now=True)


class Loan(models.Model):
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="loans")
    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="loans")
    lending_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(
        CirculationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    out_at = models.DateTimeField(_("checked out at"))
    due_on = models.DateField(_("due on"))
    renewals = models.PositiveSmallIntegerField(_("times renewed"), default=0)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_unit = models.ForeignKey(
        "network.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lost = models.BooleanField(_("declared lost"), default=False)
    claimed_returned = models.BooleanField(_("reader says it was returned"), default=False)
    # Not stored: loan_checkout's sentence for the desk when the copy was on another unit's shelf.
    warning: str = ""

    class Meta:
        constraints = [
            # The last line of defence: a copy is never on two open loans.
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(returned_at__isnull=True),
                name="circulation_one_open_loan",
            ),
        ]
        indexes = [
            models.Index(fields=["reader", "returned_at"], name="circulation_loan_reader"),
            models.Index(fields=["due_on"], name="circulation_loan_due"),
        ]


class Hold(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        IN_TRANSIT = "in_transit", _("On its way to the pickup unit")
        READY = "ready", _("Ready for pickup")
        FULFILLED = "fulfilled", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Not collected in time")

    ACTIVE = (Status.WAITING, Status.IN_TRANSIT, Status.READY)

    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="holds")
    record = models.ForeignKey("catalog.Record", on_delete=models.PROTECT, related_name="+")
    # Set for a copy-level hold; for a title-level hold, the copy found for it (once one is).
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_level = models.BooleanField(default=False)
    # The copy the holds pass chose (on the pull list of its unit) or that was trapped for this hold.
    target = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pickup_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    placed_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    shelf_until = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["record", "status", "placed_at"], name="circulation_hold_queue"),
            models.Index(fields=["reader", "status"], name="circulation_hold_reader"),
            models.Index(fields=["item", "status"], name="circulation_hold_item"),
            models.Index(fields=["target", "status"], name="circulation_hold_target"),
        ]


class DeliveryRoute(models.Model):
    """The van's weekly round: from a hub through its stops on one weekday."""

    name = models.CharField(_("name"), max_length=80)
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday
    stops = models.ManyToManyField("network.Unit", related_name="+", verbose_name=_("stops"))

    class Meta:
        ordering = ["weekday", "name"]

    def __str__(self) -> str:
        return self.name


class DeliveryRun(models.Model):
    route = models.ForeignKey(DeliveryRoute, on_delete=models.PROTECT, related_name="runs")
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["route", "day"], name="circulation_run_route_day")]


class Transit(models.Model):
    class Reason(models.TextChoices):
        HOME = "home", _("Going home")
        HOLD = "hold", _("For a hold")
        LENDING = "lending", _("Back to the lending unit")
        DISTRIBUTION = "distribute", _("New copy for its unit")
        ROTATION = "rotation", _("Rotation set moving on")

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="transits")
    from_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.SET_NULL, related_name="transits")
    run = models.ForeignKey(
        DeliveryRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="transits"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(received_at__isnull=True, cancelled_at__isnull=True),
                name="circulation_one_open_transit",
            ),
        ]
        indexes = [models.Index(fields=["to_unit", "received_at"], name="circulation_transit_to")]


class Fee(models.Model):
    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Overdue")
        LOST = "lost", _("Lost item")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Owed")
        PAID = "paid", _("Paid")
        WAIVED = "waived", _("Waived")

    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="fees")
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="fees")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    # The running total of payments (each one is a fee_paid event with its amount); settled at `amount`.
    paid = models.DecimalField(_("paid"), max_digits=9, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["reader", "status"], name="circulation_fee_reader")]

    @property
    def balance(self) -> Decimal:
        """What is still owed: nothing once the fee is paid or waived."""
        if self.status != self.Status.OPEN:
            return Decimal("0.00")
        return self.amount - self.paid


class Notice(models.Model):
    """The outbox: what the default sender wrote for a reader (ready for pickup, due soon, overdue)."""

    class Kind(models.TextChoices):
        HOLD_READY = "hold_ready", _("Ready for pickup")
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent: no way to reach the reader")
        FAILED = "failed", _("Sending failed")

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=20, default="outbox")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Why a notice was skipped or failed: the gateway's answer, or what is missing.
    error = models.CharField(max_length=300, blank=True)


class CirculationEvent(EventBase):
    """The append-only circulation log: what, which item, which reader, where, by whom or which kiosk."""

    class Type(models.TextChoices):
        READER_REGISTERED = "reader_registered"
        READER_UPDATED = "reader_updated"
        READER_BLOCKED = "reader_blocked"
        READER_UNBLOCKED = "reader_unblocked"
        CHECKOUT = "checkout"
        CHECKIN = "checkin"
        RENEW = "renew"
        LOST = "lost"
        CLAIM_RETURNED = "claim_returned"
        FEE_CHARGED = "fee_charged"
        FEE_PAID = "fee_paid"
        FEE_WAIVED = "fee_waived"
        HOLD_PLACED = "hold_placed"
        HOLD_TRAPPED = "hold_trapped"
        HOLD_CANCELLED = "hold_cancelled"
        HOLD_EXPIRED = "hold_expired"
        TRANSIT_CREATED = "transit_created"
        TRANSIT_SENT = "transit_sent"
        TRANSIT_RECEIVED = "transit_received"

    # No single-column indexes on item and reader: (item, at) and (reader, at) below serve their
    # look-ups, and every check-out and check-in writes one index fewer for each.
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reader = models.ForeignKey(
        Reader, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The channel when no staff member acted: "desk", "portal", "sip2:<kiosk account>", "demo"...
    via = models.CharField(max_length=60, blank=True, default="")

    class Meta(EventBase.Meta):
        indexes = [
            models.Index(fields=["unit", "type", "at"], name="circulation_event_uta"),
            models.Index(fields=["item", "at"], name="circulation_event_item"),
            models.Index(fields=["reader", "at"], name="circulation_event_reader"),
        ]


class ReaderAccessQuerySet(models.QuerySet):
    """The record of processing is never rewritten nor thinned out through the app."""

    def update(self, **kwargs):
        raise ValueError("The reader access log is append-only: its rows are never changed.")

    def delete(self):
        raise ValueError("The reader access log is append-only: its rows are never deleted.")


class ReaderAccess(models.Model):
    """PIPL's record of processing: which staff member looked at or changed which reader, when, how.

    One row per look (the desk's reader page, the API's reader, a search listing the reader) and per
    change (block, edit, a loan declared lost...). Append-only, read by county administrators only.
    Never the identity number, nor what was searched for (it may be one): only who, whom, what, when.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Looked at the reader")
        LISTED = "listed", _("Listed in a search")
        REGISTERED = "registered", _("Registered the reader")
        UPDATED = "updated", _("Changed the reader's details")
        BLOCKED = "blocked", _("Blocked the card")
        UNBLOCKED = "unblocked", _("Lifted the block")
        MARKED_LOST = "marked_lost", _("Declared a loan lost")
        CLAIMED_RETURNED = "claimed_returned", _("Recorded a loan as claimed returned")
        FEE_WAIVED = "fee_waived", _("Waived a fee")
        HOLD_CANCELLED = "hold_cancelled", _("Cancelled a hold")

    at = models.DateTimeField(_("when"), db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    # The staff member's unit at the time: accounts move, the record should not.
    staff_unit = models.ForeignKey(
        "network.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    via = models.CharField(_("channel"), max_length=20, blank=True)
    # What the action touched, by id (a loan, a hold, a fee) or the names of the fields changed: never values.
    details = models.JSONField(default=dict, blank=True)

    objects = ReaderAccessQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["reader", "at"], name="circulation_access_reader"),
            models.Index(fields=["staff", "at"], name="circulation_access_staff"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The reader access log is append-only: its rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The reader access log is append-only: its rows are never deleted.")
