"""Reads for volunteers: confirmed hours per volunteer and per team in a year, and the certificate."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound
from wenyun.network.models import Unit

from .models import Project, Shift, Team, Volunteer


def volunteer_get(*, pk: int) -> Volunteer:
    volunteer = Volunteer.objects.select_related("unit").filter(pk=pk).first()
    if volunteer is None:
        raise NotFound(_("There is no volunteer number %(id)s.") % {"id": pk}, code="volunteer_not_found")
    return volunteer


def confirmed_shifts(*, year: int) -> QuerySet[Shift]:
    return Shift.objects.filter(status=Shift.Status.CONFIRMED, project__starts_at__year=year)


def hours_by_volunteer(*, year: int, within: Unit | None = None) -> list[dict]:
    """Each volunteer's confirmed hours and shifts in the year (by the project's date), most first."""
    shifts = confirmed_shifts(year=year)
    if within is not None:
        shifts = shifts.filter(project__unit__path__startswith=within.path)
    rows = (
        shifts.values("volunteer", "volunteer__name")
        .annotate(hours=Sum("hours"), shifts=Count("pk"))
        .order_by("-hours", "volunteer__name")
    )
    return [
        {
            "volunteer": r["volunteer"],
            "name": r["volunteer__name"],
            "hours": r["hours"],
            "shifts": r["shifts"],
        }
        for r in rows
    ]


def hours_by_team(*, year: int) -> list[dict]:
    """Each team's members' confirmed hours in the year (a volunteer in two teams counts in both)."""
    rows = []
    for team in Team.objects.order_by("name"):
        total = confirmed_shifts(year=year).filter(volunteer__teams=team).aggregate(h=Sum("hours"))["h"]
        rows.append({"team": team, "hours": total or Decimal("0"), "members": team.volunteers.count()})
    return sorted(rows, key=lambda r: (-r["hours"], r["team"].name))


def volunteer_year(*, volunteer: Volunteer, year: int) -> dict:
    """What the certificate prints: every confirmed shift of the year and their total."""
    shifts = list(
        confirmed_shifts(year=year)
        .filter(volunteer=volunteer)
        .select_related("project__unit")
        .order_by("project__starts_at", "pk")
    )
    return {
        "volunteer": volunteer,
        "year": year,
        "shifts": shifts,
        "hours": sum((s.hours for s in shifts), Decimal("0")),
    }


def projects_upcoming(*, within: Unit | None = None) -> QuerySet[Project]:
    projects = Project.objects.select_related("unit", "team").filter(ends_at__gte=timezone.now())
    if within is not None:
        projects = projects.filter(unit__path__startswith=within.path)
    return projects.order_by("starts_at", "pk")
