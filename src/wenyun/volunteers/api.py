"""Volunteer hours for the statistics: per volunteer and per team in a year (staff token)."""

from __future__ import annotations

from decimal import Decimal

from ninja import Router, Schema

from wenyun.core.api_types import Year, errors
from wenyun.network.access import access_unit

from . import selectors

router = Router(tags=["volunteers"])


class VolunteerHoursOut(Schema):
    volunteer: int
    name: str
    hours: Decimal
    shifts: int


class TeamHoursOut(Schema):
    team: str
    brand: str
    members: int
    hours: Decimal


class HoursOut(Schema):
    year: int
    total: Decimal
    volunteers: list[VolunteerHoursOut]
    teams: list[TeamHoursOut]


@router.get(
    "/hours",
    response={200: HoursOut, **errors(400, 401, 404)},
    summary="Confirmed volunteer hours in a year, per volunteer and per team",
)
def hours(request, year: Year, unit: str = ""):
    """Only hours confirmed by staff count, dated by the project's day; `unit` limits the volunteers'
    rows to projects of that unit's subtree (teams are county-wide)."""
    within = access_unit(request.user, unit) if unit else None
    volunteers = selectors.hours_by_volunteer(year=year, within=within)
    return HoursOut(
        year=year,
        total=sum((row["hours"] for row in volunteers), Decimal("0")),
        volunteers=[VolunteerHoursOut(**row) for row in volunteers],
        teams=[
            TeamHoursOut(
                team=row["team"].name, brand=row["team"].brand, members=row["members"], hours=row["hours"]
            )
            for row in selectors.hours_by_team(year=year)
        ],
    )
