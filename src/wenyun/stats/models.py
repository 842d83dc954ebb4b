"""Figures the system cannot derive from what it records, entered per unit and period by a person.

Everything else the statistics report is computed from the other apps' event logs and registers
(see `stats.metrics`); nothing here duplicates a figure that can be computed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyun.core.models import EventBase


class ManualCode(models.TextChoices):
    """The yearly figures a person enters. Building area is not here: the network keeps it."""

    ACQUISITION_SPENDING = "acquisition_spending", _("Spending on acquisitions (yuan)")
    OPERATING_BUDGET = "operating_budget", _("Operating budget (yuan)")
    READING_SEATS = "reading_seats", _("Reading seats")
    TERMINALS = "terminals", _("Computer terminals for the public")


class ManualFigure(models.Model):
    """One entered figure for a unit and a statistics year, with who entered it and when."""

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("figure"), max_length=40, choices=ManualCode.choices)
    year = models.PositiveSmallIntegerField(_("statistics year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["-year", "unit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code", "year"], name="stats_manual_unit_code_year"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="stats_manual_value_not_negative"),
        ]


class DoorCount(models.Model):
    """Visitors counted at a unit's door on one day (a counter's reading or a hand tally)."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered by hand")
        IMPORTED = "imported", _("Imported from a file")

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    visits = models.PositiveIntegerField(_("visits"))
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["-day", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="stats_doorcount_unit_day")]
        indexes = [models.Index(fields=["day", "unit"], name="stats_doorcount_day_unit")]


class StatsEvent(EventBase):
    """Figures entered, changed and imported: the trail behind every hand-entered number."""

    class Type(models.TextChoices):
        FIGURE_ENTERED = "figure_entered"
        FIGURE_CHANGED = "figure_changed"
        DOOR_COUNT_ENTERED = "door_count_entered"
        DOOR_COUNT_CHANGED = "door_count_changed"
        DOOR_COUNTS_IMPORTED = "door_counts_imported"

    class Meta(EventBase.Meta):
        pass


# --- the circulation summary: the event log added up by day, kept current from a high-water mark ---------


class CirculationDay(models.Model):
    """Circulation events of one type at one unit on one local day (Asia/Shanghai), and for checkouts the
    different readers who borrowed there that day. Built from the event log by `stats.summary`; every
    figure read from it is first brought up to the log's last event."""

    unit_id = models.BigIntegerField()
    type = models.CharField(max_length=40)
    day = models.DateField()
    events = models.PositiveIntegerField(default=0)
    readers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit_id", "type", "day"], name="stats_circday_unit_type_day")
        ]
        # The figures by day over many units are read from this index alone.
        indexes = [
            models.Index(
                fields=["type", "day", "unit_id", "events", "readers"], name="stats_circday_type_day_cover"
            )
        ]


class CirculationMonth(models.Model):
    """The same figures added up by month (readers: reader-days, which add up), so a unit's year reads
    twelve rows; the days of a month a period cuts are read from `CirculationDay`."""

    unit_id = models.BigIntegerField()
    type = models.CharField(max_length=40)
    month = models.DateField()  # its first day
    events = models.PositiveIntegerField(default=0)
    readers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "type", "month"], name="stats_circmonth_unit_type_month"
            )
        ]
        indexes = [
            models.Index(
                fields=["type", "month", "unit_id", "events", "readers"],
                name="stats_circmonth_cover",
            )
        ]


class BorrowerMonth(models.Model):
    """A reader who borrowed at a unit in a month, with the days of that month they borrowed on (bit n-1 for
    day n): distinct borrowers over any run of days are counted from it exactly."""

    unit_id = models.BigIntegerField()
    month = models.DateField()  # its first day
    reader_id = models.BigIntegerField()
    days = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "month", "reader_id"], name="stats_borrowermonth_unit_month_reader"
            )
        ]


class BorrowerYear(models.Model):
    """A reader who borrowed in a calendar year at the unit or a unit under it (rolled up the network tree
    recorded on the mark, like the titles): the borrowers of a station with its villages for a year are
    its rows, counted without a DISTINCT over the villages' months."""

    unit_id = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()
    reader_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "year", "reader_id"], name="stats_borroweryear_unit_year_reader"
            )
        ]


class TitleMonth(models.Model):
    """Checkouts of a title's copies in a month: at the unit itself (`own`) and, rolled up, at the unit
    and every unit under it (not `own`), so the titles borrowed most under a unit read one unit's rows.
    The rolled-up rows follow the network tree recorded on the mark; they are derived again from the own
    rows when the tree changes."""

    unit_id = models.BigIntegerField()
    own = models.BooleanField()
    month = models.DateField()  # its first day
    record_id = models.BigIntegerField()
    loans = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "own", "month", "record_id"], name="stats_titlemonth_unit_own_month_record"
            )
        ]


class SummaryMark(models.Model):
    """How far a summary has read its event log: every event with an id up to `last_event_id` is in it,
    none after; `tree` is the network tree (a digest of every unit's path) its roll-ups follow."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    tree = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(null=True, blank=True)
