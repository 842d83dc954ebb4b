from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wenyun.core.models import EventBase


class UnitKind(models.TextChoices):
    COUNTY = "county", _("County")
    DISTRICT = "district", _("District")
    LIBRARY = "library", _("Library")
    CULTURAL_CENTRE = "cultural_centre", _("Cultural centre")
    MUSEUM = "museum", _("Museum")
    ART_CENTRE = "art_centre", _("Art centre")
    THEATRE = "theatre", _("Theatre")
    STATION = "station", _("Township cultural station")
    VILLAGE = "village", _("Village or community cultural centre")


INSTITUTION_KINDS = frozenset(
    {UnitKind.LIBRARY, UnitKind.CULTURAL_CENTRE, UnitKind.MUSEUM, UnitKind.ART_CENTRE, UnitKind.THEATRE}
)

# Which kinds a unit of each kind may hang under. The tree is the county's hub-and-branch network:
# institutions (the "four halls") and township stations under the county or one of its districts,
# village centres under their township station.
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    UnitKind.COUNTY: frozenset(),
    UnitKind.DISTRICT: frozenset({UnitKind.COUNTY}),
    **{kind: frozenset({UnitKind.COUNTY, UnitKind.DISTRICT}) for kind in INSTITUTION_KINDS},
    UnitKind.STATION: frozenset({UnitKind.COUNTY, UnitKind.DISTRICT}),
    UnitKind.VILLAGE: frozenset({UnitKind.STATION}),
}


class Grade(models.IntegerChoices):
    NONE = 0, _("Not graded")
    FIRST = 1, _("National grade 1")
    SECOND = 2, _("National grade 2")
    THIRD = 3, _("National grade 3")


class Unit(models.Model):
    """One place in the county's network: the county itself down to a village bookstore."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of primary keys ("/1/4/27/"): a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    population = models.PositiveIntegerField(_("service population"), default=0)
    building_area = models.DecimalField(_("building area (m²)"), max_digits=9, decimal_places=1, default=0)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices, default=Grade.NONE)
    free_opening = models.BooleanField(_("free opening"), default=True)
    digital_service = models.BooleanField(_("digital service"), default=False)
    wifi = models.BooleanField(_("Wi-Fi"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_in_language(self.name, self.name_en)

    @staticmethod
    def name_in_language(name: str, name_en: str) -> str:
        """The name a page in the current language shows (for units read as plain values too)."""
        if name_en and (get_language() or "").startswith("en"):
            return name_en
        return name

    @property
    def is_institution(self) -> bool:
        return self.kind in INSTITUTION_KINDS

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class OpeningHours(models.Model):
    """One opening period in a unit's regular week (a day may have a morning and an afternoon)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday, as datetime.weekday()
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["unit", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="network_hours_weekday_valid"),
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="network_hours_order"
            ),
        ]


class Closure(models.Model):
    """Dated days a unit is closed (a holiday, a repair). A closure on a unit closes its subtree too."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=120)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")), name="network_closure_order"
            )
        ]


class NetworkEvent(EventBase):
    """Changes to the network: units created, edited, moved; hours and closures changed."""

    class Type(models.TextChoices):
        UNIT_CREATED = "unit_created"
        UNIT_UPDATED = "unit_updated"
        HOURS_CHANGED = "hours_changed"
        CLOSURE_ADDED = "closure_added"
        CLOSURE_REMOVED = "closure_removed"

    class Meta(EventBase.Meta):
        pass
