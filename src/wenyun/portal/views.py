from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound
from wenyun.network import selectors as network
from wenyun.network.forms import WEEKDAYS
from wenyun.network.models import INSTITUTION_KINDS, UnitKind


def home(request: HttpRequest) -> HttpResponse:
    county = network.unit_root()
    counts = network.unit_counts_by_kind()
    kind_order = list(UnitKind.values)
    institutions = sorted(
        network.unit_list(kinds=INSTITUTION_KINDS), key=lambda u: (kind_order.index(u.kind), u.code)
    )
    now = timezone.now()
    open_now = [u for u in institutions if network.unit_is_open(unit=u, at=now)]
    return render(
        request,
        "portal/home.html",
        {
            "title": _("Home"),
            "county_unit": county,
            "institutions": institutions,
            "open_now": {u.pk for u in open_now},
            "stations": network.unit_list(kinds=[UnitKind.STATION]),
            "station_count": counts.get(UnitKind.STATION, 0),
            "village_count": counts.get(UnitKind.VILLAGE, 0),
            "institution_count": sum(counts.get(k, 0) for k in INSTITUTION_KINDS),
        },
    )


def units(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/units.html", {"title": _("Where to find us"), "nodes": network.unit_tree()}
    )


def unit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = network.unit_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    today = timezone.localdate()
    return render(
        request,
        "portal/unit.html",
        {
            "title": place.display_name,
            "unit": place,
            "week": list(zip(WEEKDAYS, network.unit_weekly_schedule(unit=place), strict=True)),
            "open_now": network.unit_is_open(unit=place, at=timezone.now()),
            "next_open": network.unit_next_open_day(unit=place, after=today, include_given=True),
            "closures": network.unit_closures(
                unit=place, first_day=today, last_day=today + dt.timedelta(days=366)
            ),
            "children": network.unit_list().filter(parent=place),
        },
    )
