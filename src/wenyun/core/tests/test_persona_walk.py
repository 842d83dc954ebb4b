"""Every URL pattern and every API operation, walked by every persona against objects inside and
outside the persona's subtree (issue 15 item 1).

The table below names, for each URL pattern (from the resolver) and each API operation (from the
OpenAPI schema), how to fill its path from one place's objects (`walk_world.py`), what a write sends,
and who may do what. Each case asserts the status; a refused write also asserts that no row in the
database changed, and an allowed write that it did change something (so the data sent is a real
write, and a refusal is not a mere form error). A URL or operation missing from the table fails
`test_every_url_pattern_is_in_the_table` / `test_every_api_operation_is_in_the_table`.

Personas and the objects each walks (`SIDES`): the county administrator in 东坝镇 (inside, as is
everything); the library desk at the library (inside) and in 城关镇's village (outside); the 城关镇
station manager and the village manager of YX-S01-V01 in that village (inside) and in 东坝镇 (outside);
a reader on his own objects and another reader's; a visitor not signed in.

Figures (2026-12-04, with acquisitions' 11 pages and 7 operations, issue 17): 290 URL patterns = 172
pages in PAGES + 35 API operations in API + 83 admin patterns; 6 personas, each on an object inside and
(but for the county administrator and the visitor) one outside the subtree; 2,353 cases: 1,811 page
cases, 291 API cases, 249 admin cases and the 2 completeness tests. No case is an xfail: the 24 known
circulation defects the walk began with (mark lost, claim returned, block, waive, cancel a hold, reader
search outside the subtree, a routing slip and a payment receipt by id) are fixed. A page costs 0.1-0.4 s
here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .walk_world import ROLL_MONTH, STANDARD, World, world_build

# ---------------------------------------------------------------------------------------------------
# Who walks what: (persona, side, site). "in" objects lie in the persona's subtree (or are the reader's
# own), "out" objects do not.
SIDES = [
    ("county_admin", "in", "s02"),
    ("library_staff", "in", "lib"),
    ("library_staff", "out", "v01"),
    ("station_manager", "in", "v01"),
    ("station_manager", "out", "s02"),
    ("village_manager", "in", "v01"),
    ("village_manager", "out", "s02"),
    ("reader", "in", "v01"),
    ("reader", "out", "s02"),
    ("anonymous", "any", "v01"),
]
STAFF = ("county_admin", "library_staff", "station_manager", "village_manager")
ADMIN_ONLY_SIDES = [("county_admin", "in", "s02"), ("library_staff", "in", "lib"), ("reader", "in", "v01")]
ADMIN_ONLY_SIDES += [("anonymous", "any", "v01")]
RECORD = os.environ.get("WENYUN_WALK_RECORD")  # print what each case answers instead of asserting

# What an answer means: LOGIN = sent to the staff login page; ACCOUNT_LOGIN = to the portal's login.
PANEL = "trend"  # a dashboard chart, for its CSV
OK, FOUND, LOGIN, ACCOUNT_LOGIN, FORBIDDEN, MISSING = 200, 302, "login", "account_login", 403, 404
NOT_YOURS = "not_yours"  # 403 naming whose it is, or 404: either way nothing of it is shown
DENIED = "denied"  # 403, 404, or back to the page with the refusal: the write did not happen


# ---------------------------------------------------------------------------------------------------
# Expectations: a policy says what each (persona, side) gets for a GET and for a POST.
def staff_scoped(get=OK, post=FOUND, out_get=MISSING, out_post=DENIED, only=STAFF):
    """Staff see and change what is inside their subtree; outside it is not there for them."""

    def expect(persona, side, method):
        if persona == "anonymous":
            return LOGIN
        if persona not in only:
            return FORBIDDEN
        if side == "out":
            return out_get if method == "GET" else out_post
        return get if method == "GET" else post

    return expect


def staff_any(get=OK, post=FOUND):
    """Any staff member, whatever the object's place (borrow anywhere, the union catalogue)."""
    return staff_scoped(get=get, post=post, out_get=get, out_post=post)


def county_admin_only(get=OK, post=FOUND, others=FORBIDDEN):
    def expect(persona, side, method):
        if persona == "anonymous":
            return LOGIN
        if persona == "county_admin":
            return get if method == "GET" else post
        return others if method == "GET" else DENIED

    return expect


ACQUIRERS = ("county_admin", "library_staff")


def acquirers_only(get=OK, post=FOUND, others=FORBIDDEN):
    """Buying is central (acquisitions.access.user_can_acquire): county administrators and the county
    library's staff act for every unit of the county; other staff are turned away (403)."""

    def expect(persona, side, method):
        if persona == "anonymous":
            return LOGIN
        if persona in ACQUIRERS:
            return get if method == "GET" else post
        return others

    return expect


def public(get=OK, post=FOUND):
    return lambda persona, side, method: get if method == "GET" else post


def reader_own(get=OK, post=FOUND, out=MISSING):
    """The portal account: the signed-in reader's own loans and holds; others' are not there."""

    def expect(persona, side, method):
        if persona != "reader":
            return ACCOUNT_LOGIN
        if side == "out":
            return out if method == "GET" else DENIED
        return get if method == "GET" else post

    return expect


def api_staff_scoped(get=OK, post=OK, out_get=MISSING, out_post=DENIED):
    def expect(persona, side, method):
        if persona in ("anonymous", "reader"):
            return 401
        if side == "out":
            return out_get if method == "GET" else out_post
        return get if method == "GET" else post

    return expect


def api_staff_any(get=OK, post=OK):
    return api_staff_scoped(get=get, post=post, out_get=get, out_post=post)


def api_county_admin_only(get=OK):
    def expect(persona, side, method):
        if persona in ("anonymous", "reader"):
            return 401
        return get if persona == "county_admin" else FORBIDDEN

    return expect


def api_acquirers_only(get=OK, post=201, others=MISSING):
    """The hub's API: acquirers anywhere; another staff member finds no such order (404), or is
    refused what only the hub does (403, given as `others`)."""

    def expect(persona, side, method):
        if persona in ("anonymous", "reader"):
            return 401
        if persona in ACQUIRERS:
            return get if method == "GET" else post
        return others

    return expect


def api_public(get=OK):
    return lambda persona, side, method: get


def overrides(policy, **cases):
    """The policy, except for the cases named persona_side_METHOD (e.g. village_manager_in_GET)."""

    def expect(persona, side, method):
        for key in (f"{persona}_{side}_{method}", f"{persona}_{method}", f"{persona}_{side}", persona):
            if key in cases:
                return cases[key]
        return policy(persona, side, method)

    return expect


def OUTSIDE(reason: str, method: str = "GET") -> dict:
    """A known defect: staff outside the object's subtree get it. The case fails today (strict xfail)."""
    return {f"{persona}_out_{method}": reason for persona in STAFF}


@dataclass
class Entry:
    route: str  # the pattern as the resolver spells it, or "METHOD /api/v1/path{param}" for the API
    expect: Callable
    path: Callable = lambda s: {}
    post: Callable | None = None  # the form a write sends (None: the page takes no POST)
    get: bool = True
    query: Callable | None = None
    sides: list = field(default_factory=lambda: SIDES)
    known: dict = field(default_factory=dict)  # "persona_side_METHOD" -> reason it fails today
    changes: bool = True  # an allowed POST changes rows (False: it only answers, e.g. a search)
    check: Callable | None = None  # a check of the answer's content: check(response, site, side) -> bool


def E(route, expect, path=None, **kw):
    return Entry(route, expect, path or (lambda s: {}), **kw)


# ---------------------------------------------------------------------------------------------------
# The table. Paths take a Site `s` (its objects as attributes) and return the path's parameters.
PAGES: list[Entry] = []
API: list[Entry] = []


def pages(*entries: Entry) -> None:
    PAGES.extend(entries)


# -- accounts, login, the workbench ------------------------------------------------------------------
pages(
    E("login/", overrides(public(), anonymous=OK, **dict.fromkeys((*STAFF, "reader"), FOUND))),
    E("logout/", public(post=FOUND), get=False, post=lambda s: {}, changes=False),
    E("healthz", public()),
    E("i18n/setlang/", public(), get=False, post=lambda s: {"language": "en"}, changes=False),
    E("api/v1/openapi.json", public()),
    E("api/v1/docs", public()),
    E("api/v1/", public(get=MISSING)),
    E("staff/", overrides(staff_any(), reader=FOUND)),  # a reader goes to the portal
    E("staff/password/", overrides(staff_any(), reader=OK)),
    E("staff/accounts/", staff_any(post=OK), post=lambda s: {}, changes=False),
    E(
        "staff/accounts/<str:username>/",
        staff_scoped(),
        path=lambda s: {"username": s.account.username},
        post="form",
    ),
)

# -- the network ---------------------------------------------------------------------------------------
pages(
    E("staff/network/", staff_any()),
    E("staff/network/units/<str:code>/", staff_scoped(), path=lambda s: {"code": s.code}),
    E(
        "staff/network/units/<str:code>/edit/",
        staff_scoped(out_get=FORBIDDEN),
        path=lambda s: {"code": s.code},
        post="form",
    ),
    E(
        "staff/network/units/<str:code>/hours/",
        staff_scoped(out_get=FORBIDDEN),
        path=lambda s: {"code": s.code},
        post="form",
    ),
    E(
        "staff/network/units/<str:code>/closures/",
        staff_scoped(),
        path=lambda s: {"code": s.code},
        get=False,
        post=lambda s: {"first_day": "2027-03-01", "last_day": "2027-03-02", "reason": "停电"},
    ),
    E(
        "staff/network/units/<str:code>/closures/<int:closure_id>/remove/",
        staff_scoped(),
        path=lambda s: {"code": s.code, "closure_id": s.closure.pk},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/network/units/<str:code>/add/",
        # The form shows inside the subtree; only a county administrator's submission creates a unit.
        overrides(staff_scoped(out_get=FORBIDDEN, post=DENIED), county_admin_POST=FOUND),
        path=lambda s: {"code": s.code},
        post=lambda s: {"code": f"{s.code}-X", "name": "新点", "kind": "village"},
    ),
)

# -- the catalogue: the union catalogue is the county's; records are catalogued centrally ---------------
pages(
    E("staff/catalog/", staff_any()),
    E("staff/catalog/records/new/", staff_any(), post=lambda s: {"title": "新书"}),
    E("staff/catalog/records/<int:record_id>/", staff_any(), path=lambda s: {"record_id": s.record.pk}),
    E(
        "staff/catalog/records/<int:record_id>/edit/",
        staff_any(),
        path=lambda s: {"record_id": s.record.pk},
        post="form",
    ),
    E(
        "staff/catalog/records/<int:record_id>/delete/",
        # Records are catalogued centrally: the library's desk and county administrators delete them.
        overrides(staff_any(post=DENIED), county_admin_POST=FOUND, library_staff_POST=FOUND),
        path=lambda s: {"record_id": s.bare_record.pk},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/catalog/records/<int:record_id>/copies/new/",
        staff_any(),
        path=lambda s: {"record_id": s.record.pk},
        post="form",
    ),
    E(
        "staff/catalog/copies/<str:barcode>/",
        staff_scoped(out_get=OK),
        path=lambda s: {"barcode": s.shelf_item.barcode},
        post="form",
    ),
    E(
        "staff/catalog/copies/<str:barcode>/withdraw/",
        staff_scoped(),
        path=lambda s: {"barcode": s.shelf_item.barcode},
        get=False,
        post=lambda s: {"reason": "破损"},
    ),
    E("staff/catalog/item-types/", staff_any(), post=lambda s: {"code": "map", "name": "地图"}),
    E(
        "staff/catalog/item-types/<str:code>/",
        staff_any(),
        path=lambda s: {"code": "book"},
        post="form",
    ),
    E("staff/catalog/import/", staff_any(), post=lambda s: {}),
    E("staff/catalog/import/items/", staff_any(), post=lambda s: {}),
)

# -- circulation: borrow anywhere, consequential actions inside the subtree ---------------------------
pages(
    E("staff/circulation/", staff_any()),
    E("staff/circulation/scan/", staff_any(), get=False, post=lambda s: {"scan": s.reader.card}),
    E("staff/circulation/checkin/", staff_any()),
    E("staff/circulation/checkin/scan/", staff_any(), get=False, post=lambda s: {"scan": s.item.barcode}),
    E(
        "staff/circulation/slip/<int:event_id>/",
        staff_scoped(out_get=NOT_YOURS),
        path=lambda s: {"event_id": s.checkin.pk},
    ),
    E("staff/circulation/receipt/<str:card>/", staff_any(), path=lambda s: {"card": s.reader.card}),
    E(
        "staff/circulation/receipt/<str:card>/done/",
        staff_any(),
        path=lambda s: {"card": s.reader.card},
        get=False,
        post=lambda s: {},
        changes=False,
    ),
    E(
        "staff/circulation/loans/<int:loan_id>/renew/",
        staff_any(),
        path=lambda s: {"loan_id": s.loan.pk},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/circulation/loans/<int:loan_id>/lost/",
        staff_scoped(),
        path=lambda s: {"loan_id": s.loan.pk},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/circulation/loans/<int:loan_id>/claim-returned/",
        staff_scoped(),
        path=lambda s: {"loan_id": s.loan.pk},
        get=False,
        post=lambda s: {},
    ),
    E("staff/circulation/readers/new/", staff_any(), post="form"),
    E(
        "staff/circulation/readers/",
        staff_any(),
        query=lambda s: {"q": s.reader.name},
        check=lambda response, s, side: (s.reader.card in response.content.decode()) == (side != "out"),
    ),
    E("staff/circulation/access-log/", county_admin_only()),
    E(
        "staff/circulation/readers/<str:card>/renew-all/",
        staff_any(),
        path=lambda s: {"card": s.reader.card},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/circulation/readers/<str:card>/block/",
        staff_scoped(),
        path=lambda s: {"card": s.reader.card},
        get=False,
        post=lambda s: {"action": "block", "reason": "屡次逾期"},
    ),
    E(
        "staff/circulation/fees/<int:fee_id>/",
        staff_scoped(),
        path=lambda s: {"fee_id": s.fee.pk},
        get=False,
        post=lambda s: {"action": "waive", "reason": "困难读者"},
    ),
    E(
        "staff/circulation/fees/payments/<int:event_id>/receipt/",
        staff_scoped(out_get=NOT_YOURS),
        path=lambda s: {"event_id": s.payment.pk},
    ),
    E(
        "staff/circulation/holds/<int:hold_id>/cancel/",
        staff_scoped(),
        path=lambda s: {"hold_id": s.hold.pk},
        get=False,
        post=lambda s: {},
    ),
    E("staff/circulation/m/", staff_any()),
    E("staff/circulation/lists/", staff_any()),
    E("staff/circulation/lists/fill/", staff_any(), get=False, post=lambda s: {}, changes=False),
    E("staff/circulation/lists/send/", staff_any(), get=False, post=lambda s: {}, changes=False),
    E("staff/circulation/van/", staff_any()),
    E(
        "staff/circulation/van/<int:route_id>/send/",
        staff_any(),
        path=lambda s: {"route_id": s.route.pk},
        get=False,
        post=lambda s: {},
        changes=False,
    ),
    E(
        "staff/circulation/van/<int:route_id>/manifest/",
        staff_any(),
        path=lambda s: {"route_id": s.route.pk},
    ),
    E(
        "staff/circulation/van/runs/<int:run_id>/receive/",
        staff_scoped(),
        path=lambda s: {"run_id": s.run.pk},
        get=False,
        post=lambda s: {"unit": s.code},
        changes=False,
    ),
    E("staff/circulation/rules/", staff_any(), post=lambda s: {}),
    E("staff/circulation/rules/explain/", staff_any()),
    E(
        "staff/circulation/items/<str:barcode>/",
        staff_any(),
        path=lambda s: {"barcode": s.item.barcode},
    ),
)

# -- programs --------------------------------------------------------------------------------------------
pages(
    E("staff/programs/", staff_any()),
    E("staff/programs/activities/new/", staff_any(), post=lambda s: {}),
    E("staff/programs/activities/<int:pk>/", staff_scoped(), path=lambda s: {"pk": s.activity.pk}),
    E(
        "staff/programs/activities/<int:pk>/edit/",
        staff_scoped(),
        path=lambda s: {"pk": s.activity.pk},
        post="form",
    ),
    E(
        "staff/programs/activities/<int:pk>/<str:action>/",
        staff_scoped(),
        path=lambda s: {"pk": s.activity.pk, "action": "cancel"},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/programs/activities/<int:pk>/checkin/<int:registration_id>/",
        staff_scoped(),
        path=lambda s: {"pk": s.activity.pk, "registration_id": s.registration.pk},
        get=False,
        post=lambda s: {"session": s.session.pk},
    ),
    E(
        "staff/programs/checkin/<str:code>/",
        staff_scoped(),
        path=lambda s: {"code": s.registration.code},
        post=lambda s: {},
        changes=False,
    ),
    E("staff/programs/venues/", staff_any(), post=lambda s: {}),
    E("staff/programs/bookings/", staff_any()),
    E(
        "staff/programs/bookings/<int:pk>/<str:action>/",
        staff_scoped(),
        path=lambda s: {"pk": s.booking.pk, "action": "approve"},
        get=False,
        post=lambda s: {},
    ),
    E("staff/programs/visits/", staff_any(), post=lambda s: {}),
    E("staff/programs/menu/", staff_any(), post=lambda s: {}),
    E(
        "staff/programs/menu/orders/<int:pk>/<str:action>/",
        staff_scoped(),
        path=lambda s: {"pk": s.menu_order.pk, "action": "confirm"},
        get=False,
        post=lambda s: {},
    ),
    E("staff/programs/troupes/", staff_any(), post=lambda s: {}),
    E("staff/programs/troupes/<int:pk>/", staff_scoped(), path=lambda s: {"pk": s.troupe.pk}, post="form"),
    E("staff/programs/digital/", staff_any(), post=lambda s: {}),
    E("staff/programs/news/", staff_any()),
    E("staff/programs/news/new/", staff_any(), post=lambda s: {}),
    E("staff/programs/news/<int:pk>/", staff_scoped(), path=lambda s: {"pk": s.news.pk}, post="form"),
)

# -- volunteers -----------------------------------------------------------------------------------------
pages(
    E("staff/volunteers/", staff_any(), post=lambda s: {}),
    E("staff/volunteers/projects/", staff_any(), post=lambda s: {}),
    E(
        "staff/volunteers/projects/<int:pk>/",
        staff_scoped(),
        path=lambda s: {"pk": s.project.pk},
        post=lambda s: {"action": "sign_in", "shift": s.shift.pk},
    ),
    E("staff/volunteers/<int:pk>/certificate/", staff_scoped(), path=lambda s: {"pk": s.volunteer.pk}),
)

# -- workforce ------------------------------------------------------------------------------------------
pages(
    E("staff/workforce/", staff_any()),
    E("staff/workforce/staff/new/", staff_any(), post=lambda s: {}),
    E("staff/workforce/staff/<int:pk>/", staff_scoped(), path=lambda s: {"pk": s.person.pk}),
    E(
        "staff/workforce/staff/<int:pk>/edit/",
        staff_scoped(),
        path=lambda s: {"pk": s.person.pk},
        post="form",
    ),
    E(
        "staff/workforce/staff/<int:pk>/posts/",
        staff_scoped(),
        path=lambda s: {"pk": s.person.pk},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/workforce/staff/<int:pk>/posts/<int:appointment_id>/end/",
        staff_scoped(),
        path=lambda s: {"pk": s.person.pk, "appointment_id": s.appointment.pk},
        get=False,
        post=lambda s: {"end_date": "2026-01-31"},
    ),
    E(
        "staff/workforce/staff/<int:pk>/qualifications/",
        staff_scoped(),
        path=lambda s: {"pk": s.person.pk},
        get=False,
        post=lambda s: {"kind": "certificate", "name": "图书管理员证"},
    ),
    E("staff/workforce/staffing/", staff_any()),
    E("staff/workforce/units/<str:code>/", staff_scoped(), path=lambda s: {"code": s.code}),
    E("staff/workforce/standards/", staff_any(post=OK), post=lambda s: {}, changes=False),
    E("staff/workforce/rolls/", staff_any(), post=lambda s: {}),
    E("staff/workforce/rolls/<str:month>/", staff_any(), path=lambda s: {"month": ROLL_MONTH}),
    E(
        "staff/workforce/rolls/<str:month>/approve/",
        county_admin_only(),
        path=lambda s: {"month": ROLL_MONTH},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/workforce/rolls/<str:month>/recompute/",
        county_admin_only(),
        path=lambda s: {"month": ROLL_MONTH},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/workforce/rolls/<str:month>/adjust/",
        county_admin_only(),
        path=lambda s: {"month": ROLL_MONTH},
        get=False,
        post=lambda s: {},
    ),
    E("staff/workforce/rolls/<str:month>/xlsx/", staff_any(), path=lambda s: {"month": ROLL_MONTH}),
    E("staff/workforce/training/", staff_any(), post=lambda s: {}),
    E(
        "staff/workforce/training/<int:pk>/",
        staff_scoped(),
        path=lambda s: {"pk": s.training.pk},
        post="form",
    ),
)

# -- statistics -----------------------------------------------------------------------------------------
pages(
    E("staff/stats/", staff_scoped(), query=lambda s: {"unit": s.code}),
    E("staff/stats/screen/", staff_scoped(), query=lambda s: {"unit": s.code}),
    E(
        "staff/stats/panels/<str:key>.csv",
        staff_scoped(),
        path=lambda s: {"key": PANEL},
        query=lambda s: {"unit": s.code},
    ),
    E("staff/stats/annual/", staff_scoped(), query=lambda s: {"unit": s.code}),
    E("staff/stats/annual.xlsx", staff_scoped(), query=lambda s: {"unit": s.code}),
    E("staff/stats/metrics/", staff_any()),
    E("staff/stats/figures/", staff_any(), query=lambda s: {"unit": s.code}, post=lambda s: {}),
    E("staff/stats/door-counts/", staff_any(), query=lambda s: {"unit": s.code}, post=lambda s: {}),
)

# -- the ledger -----------------------------------------------------------------------------------------
pages(
    E("staff/ledger/", staff_any()),
    E("staff/ledger/standards/", overrides(staff_any(post=DENIED), county_admin_POST=OK), post=lambda s: {}),
    E(
        "staff/ledger/snapshot/",
        county_admin_only(),
        get=False,
        post=lambda s: {"standard": STANDARD, "year": "2026"},
    ),
    E("staff/ledger/workbook.xlsx", staff_any(), query=lambda s: {"standard": STANDARD}),
    E("staff/ledger/report.docx", county_admin_only(), query=lambda s: {"standard": STANDARD}),
    E("staff/ledger/evidence/<int:pk>/", staff_scoped(), path=lambda s: {"pk": s.evidence.pk}),
    E(
        "staff/ledger/inspections/",
        overrides(staff_any(post=FORBIDDEN), county_admin_POST=OK),
        post=lambda s: {},
        changes=False,
    ),
    E(
        "staff/ledger/inspections/<int:pk>/",
        staff_scoped(),
        path=lambda s: {"pk": s.inspection.pk},
        post=lambda s: {},
    ),
    E(
        "staff/ledger/inspections/<int:pk>/items/<int:item_id>/",
        staff_scoped(),
        path=lambda s: {"pk": s.inspection.pk, "item_id": s.checklist_item.pk},
        get=False,
        post=lambda s: {"result": "met"},
    ),
    E(
        "staff/ledger/tasks/<int:pk>/",
        staff_scoped(),
        path=lambda s: {"pk": s.task.pk},
        post=lambda s: {"action": "start"},
    ),
    E(
        "staff/ledger/performance/",
        overrides(staff_any(post=FORBIDDEN), county_admin_POST=OK),
        post=lambda s: {},
        changes=False,
    ),
    E("staff/ledger/surveys/", staff_any(), post=lambda s: {}),
    E("staff/ledger/surveys/<int:pk>/", staff_scoped(), path=lambda s: {"pk": s.survey.pk}),
    E(
        "staff/ledger/<slug:standard>/<str:code>/",
        staff_any(),
        path=lambda s: {"standard": STANDARD, "code": "1.1"},
    ),
    E(
        "staff/ledger/<slug:standard>/<str:code>/edit/",
        county_admin_only(),
        path=lambda s: {"standard": STANDARD, "code": "1.1"},
        post="form",
    ),
    E(
        "staff/ledger/<slug:standard>/<str:code>/evidence/",
        staff_scoped(),
        path=lambda s: {"standard": STANDARD, "code": "1.1"},
        get=False,
        post=lambda s: {"unit": s.code, "description": "照片"},
    ),
)

# -- kiosk logins -----------------------------------------------------------------------------------------
pages(
    E(
        "staff/sip2/",
        overrides(staff_any(post=OK), village_manager=FORBIDDEN),
        post=lambda s: {},
        changes=False,
    ),
    E(
        "staff/sip2/<str:name>/active/",
        overrides(staff_scoped(), village_manager=FORBIDDEN),
        path=lambda s: {"name": s.kiosk.name},
        get=False,
        post=lambda s: {"active": "0"},
    ),
    E(
        "staff/sip2/<str:name>/password/",
        overrides(staff_scoped(), village_manager=FORBIDDEN),
        path=lambda s: {"name": s.kiosk.name},
        get=False,
        post=lambda s: {"password": "new-kiosk-pass-2", "password2": "new-kiosk-pass-2"},
    ),
)


def _lists_the_set(response, s, side) -> bool:
    """The rotation page lists the place's set to the staff of its subtree and to the hub (the
    library's desk sees every set, as it buys and sends for every unit), and to no one else."""
    return (f"<td>{s.rotation.code}</td>" in response.content.decode()) == (
        side != "out" or s.desk == "YX-LIB"
    )


# -- acquisitions: bought, received and invoiced centrally; rotation sets move among the villages --------
pages(
    E("staff/acquisitions/", staff_any()),
    E(
        "staff/acquisitions/funds/",
        acquirers_only(),
        post=lambda s: {
            "code": "WALK-NEW",
            "name": "新经费",
            "year": "2026",
            "unit": s.unit.pk,
            "source": "county_budget",
            "allocated": "1000",
        },
    ),
    E(
        "staff/acquisitions/vendors/",
        acquirers_only(),
        post=lambda s: {"code": "WALKNEW", "name": "新书商", "rate": "80"},
    ),
    E(
        "staff/acquisitions/orders/new/",
        acquirers_only(),
        post=lambda s: {
            "vendor": s.vendor.pk,
            "fund": s.fund.pk,
            "lines": f"{s.new_isbn}\t新书\t20\t1\t{s.code}:1",
        },
    ),
    E("staff/acquisitions/orders/<int:pk>/", acquirers_only(), path=lambda s: {"pk": s.order.pk}),
    E(
        "staff/acquisitions/orders/<int:pk>/<str:action>/",
        acquirers_only(),
        path=lambda s: {"pk": s.draft_order.pk, "action": "send"},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/acquisitions/receive/",
        acquirers_only(),
        post=lambda s: {"order": s.order.pk, "isbn": s.order_isbn, "barcode": f"WALKN{s.order.pk}"},
    ),
    E(
        "staff/acquisitions/rotation/",
        # A new set needs its owner's and every stop's staff: the village's manager and the library's
        # desk have the set's place but not its neighbour.
        overrides(staff_scoped(out_get=OK), village_manager_in_POST=DENIED, library_staff_in_POST=DENIED),
        post=lambda s: {
            "code": "WALKNEW",
            "name": "新书箱",
            "stops": f"{s.code} {s.neighbour}",
            "period_days": "90",
            "barcodes": s.spare_copy.barcode,
        },
        check=_lists_the_set,
    ),
    E(
        "staff/acquisitions/rotation/<str:code>/move/",
        # Staff whose subtree holds both the set's stop and the next one move it on.
        overrides(staff_scoped(), village_manager_in=DENIED, library_staff_in=DENIED),
        path=lambda s: {"code": s.rotation.code},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/acquisitions/rotation/moves/<int:pk>/arrive/",
        staff_scoped(),  # the staff of the unit it arrives at
        path=lambda s: {"pk": s.arriving_move.pk},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/acquisitions/choice/",
        # The walk's partner bookstore lends for the library: its staff and county administrators.
        acquirers_only(),
        post=lambda s: {
            "shop": s.shop.pk,
            "card": s.reader.card,
            "isbn": s.choice_isbn,
            "title": "你选的书",
            "year": str(s.choice_fund.year),
            "price": "30",
            "barcode": f"WALKC{s.order.pk}",
        },
    ),
)


# -- acquisitions: the order's papers, selection and readers' suggestions ---------------------------------
def _staff_see_acquirers_act(persona, side, method):
    """Every staff member reads it; only the hub writes (other staff are turned away, 403)."""
    if persona == "anonymous":
        return LOGIN
    if persona not in STAFF:
        return FORBIDDEN
    if method == "GET" or persona in ACQUIRERS:
        return OK if method == "GET" else FOUND
    return DENIED


pages(
    E("staff/acquisitions/orders/<int:pk>/order.xlsx", acquirers_only(), path=lambda s: {"pk": s.order.pk}),
    E(
        "staff/acquisitions/orders/<int:pk>/labels.pdf",
        acquirers_only(post=OK),  # the sheet of the copy received on the order, marked printed
        path=lambda s: {"pk": s.order.pk},
        get=False,
        post=lambda s: {"paper": "a4-3x8", "kind": "both"},
    ),
    E(
        "staff/acquisitions/orders/<int:pk>/packing.<str:fmt>",
        # The packing list of the copies leaving the hub: none leave for the library itself, so its
        # desk is sent back to the order with the sentence saying so.
        overrides(acquirers_only(), library_staff_in_GET=FOUND),
        path=lambda s: {"pk": s.order.pk, "fmt": "pdf"},
    ),
    E("staff/acquisitions/late.xlsx", acquirers_only()),
    E(
        "staff/acquisitions/offers/",
        # Everyone reads the offer lists; importing one is the hub's (an empty form: answered, not saved).
        overrides(_staff_see_acquirers_act, county_admin_POST=OK, library_staff_POST=OK),
        post=lambda s: {"vendor": s.vendor.pk, "name": "空"},
        changes=False,
    ),
    E(
        "staff/acquisitions/offers/<int:pk>/",
        # A unit wishes copies for itself (百姓点单); the county, no library or village, does not.
        overrides(staff_any(), county_admin_POST=DENIED),
        path=lambda s: {"pk": s.offer.pk},
        post=lambda s: {"line": s.offer_line.pk, "copies": "2"},
    ),
    E(
        "staff/acquisitions/suggestions/",
        _staff_see_acquirers_act,
        post=lambda s: {"decline": s.wish.pk, "reason": "本年度已足"},
    ),
)
pages(
    E(
        "suggest/",
        lambda persona, side, method: (
            (OK if method == "GET" else FOUND) if persona == "reader" else ACCOUNT_LOGIN
        ),
        post=lambda s: {"isbn": s.suggest_isbn, "title": "荐购的书", "note": "想看"},
    ),
)

# -- the public portal ----------------------------------------------------------------------------------
pages(
    E("", public()),
    E("units/", public()),
    E("units/<str:code>/", public(), path=lambda s: {"code": s.code}),
    E("activities/", public()),
    E("activities/mine/", public()),
    E("activities/<int:pk>/", public(), path=lambda s: {"pk": s.activity.pk}, post=lambda s: {}),
    E("activities/r/<str:code>/", public(), path=lambda s: {"code": s.registration.code}),
    E(
        "activities/r/<str:code>/cancel/",
        public(),
        path=lambda s: {"code": s.registration.code},
        get=False,
        post=lambda s: {},
    ),
    E("visits/", public()),
    E("visits/slot/<int:slot_id>/", public(), path=lambda s: {"slot_id": s.slot.pk}, post=lambda s: {}),
    E("visits/t/<str:code>/", public(), path=lambda s: {"code": s.ticket.code}),
    E(
        "visits/t/<str:code>/cancel/",
        public(),
        path=lambda s: {"code": s.ticket.code},
        get=False,
        post=lambda s: {},
    ),
    E("venues/", public()),
    E("venues/<int:pk>/", public(), path=lambda s: {"pk": s.venue.pk}, post=lambda s: {}),
    E("venues/b/<str:code>/", public(), path=lambda s: {"code": s.booking.code}),
    E(
        "venues/b/<str:code>/cancel/",
        public(),
        path=lambda s: {"code": s.booking.code},
        get=False,
        post=lambda s: {},
    ),
    E("news/", public()),
    E("news/unit/<str:code>/", public(), path=lambda s: {"code": s.code}),
    E("news/<int:pk>/", public(), path=lambda s: {"pk": s.news.pk}),
    E("news/<int:pk>/photo/", public(), path=lambda s: {"pk": s.news.pk}),
    E("volunteer/", public()),
    E("volunteer/join/", public(), post=lambda s: {}),
    E(
        "volunteer/projects/<int:pk>/sign-up/",
        public(),
        path=lambda s: {"pk": s.project.pk},
        get=False,
        post=lambda s: {"phone": s.volunteer.phone},
    ),
    E("survey/<str:token>/", public(), path=lambda s: {"token": s.survey.token}, post=lambda s: {}),
    E("catalog/", public()),
    E("catalog/records/<int:record_id>/", public(), path=lambda s: {"record_id": s.record.pk}),
    E("account/", reader_own()),
    E("account/login/", public(), post=lambda s: {"card": s.reader.card, "pin": "0000"}, changes=False),
    E("account/logout/", public(), get=False, post=lambda s: {}, changes=False),
    E(
        "account/renew/<int:loan_id>/",
        reader_own(),
        path=lambda s: {"loan_id": s.loan.pk},
        get=False,
        post=lambda s: {},
    ),
    E("account/renew-all/", reader_own(), get=False, post=lambda s: {}),
    E(
        "account/holds/new/<int:record_id>/",
        # Any record may be held, for pickup anywhere: "out" is simply another unit's record.
        overrides(reader_own(), reader_out=OK, reader_out_POST=FOUND),
        path=lambda s: {"record_id": s.record.pk},
        post=lambda s: {"pickup_unit": s.code},
    ),
    E(
        "account/holds/<int:hold_id>/cancel/",
        reader_own(),
        path=lambda s: {"hold_id": s.hold.pk},
        get=False,
        post=lambda s: {},
    ),
    E("account/history/", reader_own(), get=False, post=lambda s: {"keep": "1"}),
)


# -- acquisitions: stocktaking (盘点) and weeding (剔旧), by the unit's staff ------------------------------
pages(
    E(
        "staff/acquisitions/stocktake/",
        # The list shows one's own units' stocktakes; starting one for another township's unit is refused.
        staff_scoped(out_get=OK),
        post=lambda s: {"unit": s.code, "location": "", "call_prefix": ""},
    ),
    E(
        "staff/acquisitions/stocktake/<int:pk>/",
        staff_scoped(),
        path=lambda s: {"pk": s.stocktake.pk},
        post=lambda s: {"barcodes": s.shelf_item.barcode},
    ),
    E(
        "staff/acquisitions/stocktake/<int:pk>/resolve/",
        staff_scoped(),
        path=lambda s: {"pk": s.stocktake.pk},
        get=False,
        post=lambda s: {"barcode": s.shelf_item.barcode, "outcome": "missing"},
    ),
    E(
        "staff/acquisitions/stocktake/<int:pk>/finish/",
        staff_scoped(),
        path=lambda s: {"pk": s.stocktake.pk},
        get=False,
        post=lambda s: {},
    ),
    E(
        "staff/acquisitions/weeding/",
        staff_scoped(),
        query=lambda s: {"unit": s.code, "older": "0", "idle": "5"},
        post=lambda s: {"unit": s.code, "items": s.shelf_item.pk, "reason": "破损"},
    ),
    E(
        "staff/acquisitions/weeding/batches/<int:pk>.xlsx",
        staff_scoped(),
        path=lambda s: {"pk": s.weeding_batch.pk},
    ),
)


# -- the API: GET/POST/DELETE /api/v1/... ----------------------------------------------------------------
def api(*entries: Entry) -> None:
    API.extend(entries)


def _found(card_key: str, expected: bool):
    """A content check: the reader of this site is (or is not) among the answer's readers."""

    def check(response, s):
        cards = [row["card"] for row in response.json()]
        return (s.reader.card in cards) == expected

    return check


api(
    E("GET /api/v1/me", api_staff_any()),
    E("GET /api/v1/network/units", api_public()),
    E("GET /api/v1/catalog/search", api_public(), query=lambda s: {"q": s.record.title}),
    E("GET /api/v1/items/{barcode}", api_staff_any(), path=lambda s: {"barcode": s.item.barcode}),
    E(
        "GET /api/v1/readers",
        api_staff_any(),
        query=lambda s: {"q": s.reader.name},
        check=lambda response, s, side: (
            (s.reader.card in [r["card"] for r in response.json()]) == (side != "out")
        ),
    ),
    E("GET /api/v1/readers/{card}", api_staff_any(), path=lambda s: {"card": s.reader.card}),
    E("GET /api/v1/reader-access", api_county_admin_only()),
    E("GET /api/v1/readers/{card}/loans", api_staff_any(), path=lambda s: {"card": s.reader.card}),
    E(
        "POST /api/v1/circulation/checkout",
        api_staff_any(),
        post=lambda s: {"card": s.reader.card, "barcode": s.shelf_item.barcode, "unit": s.desk},
    ),
    E(
        "POST /api/v1/circulation/checkin",
        api_staff_any(),
        post=lambda s: {"barcode": s.item.barcode, "unit": s.desk},
    ),
    E(
        "POST /api/v1/holds",
        api_staff_any(),
        post=lambda s: {"card": s.other_card, "record_id": s.record.pk, "pickup_unit": s.desk},
    ),
    E("GET /api/v1/readers/{card}/fees", api_staff_any(), path=lambda s: {"card": s.reader.card}),
    E(
        "POST /api/v1/fees/{fee_id}/pay",
        api_staff_any(),
        path=lambda s: {"fee_id": s.fee.pk},
        post=lambda s: {"unit": s.desk},
    ),
    E("GET /api/v1/activities", api_public()),
    E("GET /api/v1/activities/{activity_id}", api_public(), path=lambda s: {"activity_id": s.activity.pk}),
    E(
        "POST /api/v1/activities/{activity_id}/registrations",
        api_staff_any(post=201),
        path=lambda s: {"activity_id": s.activity.pk},
        post=lambda s: {"card": s.other_card},
    ),
    E(
        "GET /api/v1/activities/{activity_id}/registrations",
        api_staff_scoped(),
        path=lambda s: {"activity_id": s.activity.pk},
    ),
    E(
        "DELETE /api/v1/activities/{activity_id}/registrations/{card}",
        api_staff_scoped(),
        path=lambda s: {"activity_id": s.activity.pk, "card": s.reader.card},
    ),
    E("GET /api/v1/programs/figures", api_staff_scoped(), query=lambda s: {"year": 2026, "unit": s.code}),
    E("GET /api/v1/volunteers/hours", api_staff_scoped(), query=lambda s: {"year": 2026, "unit": s.code}),
    E("GET /api/v1/workforce/rolls/{month}", api_staff_any(), path=lambda s: {"month": ROLL_MONTH}),
    E("GET /api/v1/workforce/rolls", api_staff_any()),
    E(
        "POST /api/v1/workforce/rolls/{month}/approve",
        # The bureau approves; the walk's roll has no lines, so even the bureau is refused (409).
        overrides(api_staff_any(post=DENIED), county_admin=409),
        path=lambda s: {"month": ROLL_MONTH},
        post=lambda s: {},
    ),
    E("GET /api/v1/workforce/staffing", api_staff_scoped(), query=lambda s: {"unit": s.code}),
    E("GET /api/v1/stats/annual", api_staff_scoped(), query=lambda s: {"year": 2026, "unit": s.code}),
    E("GET /api/v1/stats/metrics", api_staff_any()),
    E(
        "GET /api/v1/stats/metrics/{code}",
        api_staff_scoped(),
        path=lambda s: {"code": "loans"},
        query=lambda s: {"unit": s.code},
    ),
    E("GET /api/v1/ledger", api_staff_any(), query=lambda s: {"standard": STANDARD, "year": 2026}),
)
api(
    E("GET /api/v1/acquisitions/funds", api_staff_any()),
    E(
        "POST /api/v1/acquisitions/orders",
        api_acquirers_only(others=FORBIDDEN),
        post=lambda s: {
            "vendor": s.vendor.code,
            "fund": s.fund.code,
            "lines": [
                {
                    "isbn": s.new_isbn,
                    "title": "新书",
                    "price": "20",
                    "quantity": 2,
                    "destinations": [{"unit": s.code, "quantity": 1}],
                }
            ],
        },
    ),
    E(
        "GET /api/v1/acquisitions/orders/{order_id}",
        api_acquirers_only(),
        path=lambda s: {"order_id": s.order.pk},
    ),
    E(
        "POST /api/v1/acquisitions/orders/{order_id}/send",
        api_acquirers_only(post=OK),
        path=lambda s: {"order_id": s.draft_order.pk},
        post=lambda s: {},
    ),
    E(
        "POST /api/v1/acquisitions/receipts",
        api_acquirers_only(),
        post=lambda s: {"order": s.order.pk, "isbn": s.order_isbn, "barcode": f"WALKN{s.order.pk}"},
    ),
    E(
        "POST /api/v1/acquisitions/invoices",
        api_acquirers_only(),
        post=lambda s: {
            "order": s.order.pk,
            "number": "FP-WALK",
            "lines": [{"line": s.order_line.pk, "quantity": 1, "amount": "24.00"}],
        },
    ),
    E(
        "GET /api/v1/acquisitions/rotation-sets",
        api_staff_any(),
        check=lambda response, s, side: s.rotation.code in [r["code"] for r in response.json()],
    ),
)


# Writes the walk sends an empty or unchanged form to: they show who is let in (a refused persona
# changes nothing), not that an allowed one's write lands. Each is a form with many required fields
# (a new activity, a staff member, an import file ...) that its app's own tests fill in.
STATUS_ONLY = {
    "account/holds/new/<int:record_id>/",
    "activities/<int:pk>/",
    "staff/accounts/<str:username>/",
    "staff/catalog/copies/<str:barcode>/",
    "staff/catalog/import/",
    "staff/catalog/import/items/",
    "staff/catalog/item-types/",
    "staff/catalog/item-types/<str:code>/",
    "staff/catalog/records/<int:record_id>/copies/new/",
    "staff/catalog/records/<int:record_id>/edit/",
    "staff/catalog/records/new/",
    "staff/circulation/readers/new/",
    "staff/circulation/rules/",
    "staff/ledger/<slug:standard>/<str:code>/edit/",
    "staff/ledger/inspections/<int:pk>/",
    "staff/ledger/standards/",
    "staff/ledger/surveys/",
    "staff/network/units/<str:code>/add/",
    "staff/network/units/<str:code>/edit/",
    "staff/programs/activities/<int:pk>/edit/",
    "staff/programs/activities/new/",
    "staff/programs/digital/",
    "staff/programs/menu/",
    "staff/programs/news/<int:pk>/",
    "staff/programs/news/new/",
    "staff/programs/troupes/",
    "staff/programs/troupes/<int:pk>/",
    "staff/programs/venues/",
    "staff/programs/visits/",
    "staff/stats/door-counts/",
    "staff/stats/figures/",
    "staff/volunteers/",
    "staff/volunteers/projects/",
    "staff/workforce/rolls/",
    "staff/workforce/staff/<int:pk>/edit/",
    "staff/workforce/staff/new/",
    "staff/workforce/training/",
    "staff/workforce/training/<int:pk>/",
    "survey/<str:token>/",
    "venues/<int:pk>/",
    "visits/slot/<int:slot_id>/",
    "volunteer/join/",
    # These answer (or hand on) without a write when there is nothing to do for the walk's objects.
    "staff/accounts/",
    "staff/catalog/records/<int:record_id>/delete/",
    "staff/circulation/checkin/scan/",
    "staff/circulation/lists/send/",
    "staff/circulation/scan/",
    "staff/circulation/van/runs/<int:run_id>/receive/",
    "staff/ledger/<slug:standard>/<str:code>/evidence/",
    "staff/ledger/inspections/<int:pk>/items/<int:item_id>/",
    "staff/programs/activities/<int:pk>/checkin/<int:registration_id>/",
    "staff/programs/checkin/<str:code>/",
    "staff/volunteers/projects/<int:pk>/",
    "staff/workforce/rolls/<str:month>/adjust/",
    "staff/workforce/rolls/<str:month>/approve/",
    "staff/workforce/staff/<int:pk>/posts/",
    "volunteer/projects/<int:pk>/sign-up/",
}


# ---------------------------------------------------------------------------------------------------
# The walk.
def url_patterns(resolver=None, prefix: str = ""):
    """Every URL pattern the site answers, as (route text, pattern), the admin's included."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def api_operations() -> list[str]:
    from wenyun.core.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    return [f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops]


def _is_admin(route: str) -> bool:
    return route.startswith("admin/")


def _is_api_operation(route: str) -> bool:
    return route.startswith("api/v1/") and route not in {e.route for e in PAGES}


def fill(route: str, params: dict) -> str:
    import re

    def one(match):
        return str(params[match.group(1)])

    text = re.sub(r"<(?:\w+:)?(\w+)>", one, route.replace("(?P<url>.*)$", "<url>"))
    return "/" + re.sub(r"\{(\w+)\}", one, text).lstrip("/")


# Columns a request may write without changing anything anyone sees: the sign-in and token clocks.
CLOCKS = {"last_login", "last_used_at"}


def fingerprint() -> dict:
    """A digest of every row of every table the walk could change (sessions and clocks aside)."""
    digests = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "admin", "contenttypes"):
            continue
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in CLOCKS]
        rows = model._default_manager.order_by("pk").values_list(*columns)
        digests[model._meta.label] = hashlib.sha1(repr(list(rows)).encode()).hexdigest()
    return digests


def write_count() -> int:
    """Rows inserted, updated or deleted so far on this connection: cheap, so every write is checked."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
        )
        return int(cursor.fetchone()[0])


def changed(before: dict, after: dict) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


class _FormReader(HTMLParser):
    """The fields of the page's first POST form, as a browser would send them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form[name] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self._form[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._select_first is None:
                self._select_first = value
                self._form.setdefault(self._select, value)
            if "selected" in a:
                self._form[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def harvest(client: Client, url: str) -> dict:
    """The page's own form, filled as it stands, with one text field changed so that saving it writes."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} answers the county administrator {response.status_code}"
    reader = _FormReader()
    reader.feed(response.content.decode())
    form = next((f for f in reader.forms if len(f) > 1), reader.forms[0] if reader.forms else {})
    for name in (
        "display_name",
        "name",
        "title",
        "topic",
        "body",
        "description",
        "note",
        "responsibility",
        "address",
    ):
        if form.get(name):
            form[name] = form[name][:20] + "改"
            break
    form.pop("csrfmiddlewaretoken", None)
    return form


# ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The walk's county, built once for the module inside a transaction rolled back at its end;
    each case runs in a savepoint inside it, so one case's write never reaches the next."""
    from django.test.utils import override_settings

    media = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("walk-media")),
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    )
    media.enable()
    with django_db_blocker.unblock():
        from wenyun.network.selectors import unit_root

        if unit_root() is None:
            from conftest import _build_test_county

            _build_test_county()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield world_build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()


def _client(world: World, persona: str) -> Client:
    client = Client()
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    return client


def _site_for(world: World, persona: str, site_key: str):
    site = world.sites[site_key]
    user = world.users[persona]
    desk = user.unit.code if user is not None and user.unit_id and persona != "county_admin" else site.code
    site.objects["desk"] = desk
    return site


def _cases(entries: list[Entry], *, api: bool):
    for entry in entries:
        if _is_admin(entry.route):
            continue
        methods = []
        if api:
            methods = [entry.route.split(" ", 1)[0]]
        else:
            methods = (["GET"] if entry.get else []) + (["POST"] if entry.post is not None else [])
        sides = entry.sides
        if api or entry.route.startswith("staff/"):
            # A reader is turned away at the door of every staff page and API call, whatever it names.
            sides = [side for side in sides if side[:2] != ("reader", "out")]
        placeless_post = entry.post is None or entry.post == "form" or not entry.post.__code__.co_names
        if "<" not in entry.route and "{" not in entry.route and entry.query is None and placeless_post:
            # Nothing in the request names a place: each persona walks it once.
            sides = [side for n, side in enumerate(sides) if side[0] not in {p for p, *_ in sides[:n]}]
        for method in methods:
            for persona, side, site in sides:
                case = f"{persona}_{side}_{method}"
                marks = []
                reason = entry.known.get(case) or entry.known.get(f"{persona}_{side}")
                if reason and not RECORD:
                    marks = [pytest.mark.xfail(strict=True, reason=f"issue 15 item 1: {reason}")]
                yield pytest.param(
                    entry,
                    method,
                    persona,
                    side,
                    site,
                    marks=marks,
                    id=f"{entry.route} {method} {persona}-{side}",
                )


OUT_SITE = {"library_staff": "v01", "station_manager": "s02", "village_manager": "s02"}


def private_marks(s) -> dict:
    """Texts only that place's pages should show: its readers, volunteers, staff, kiosks and the like."""
    return {
        "reader's name": s.reader.name,
        "reader's phone": s.reader.phone,
        "reader's card": s.reader.card,
        "volunteer": s.volunteer.name,
        "volunteer's phone": s.volunteer.phone,
        "staff member": s.person.name,
        "kiosk": s.kiosk.name,
        "survey": s.survey.title,
        "booking's phone": s.booking.phone,
        "visitor's phone": s.ticket.phone,
        "troupe": s.troupe.name,
        "venue": s.venue.name,
        "volunteer project": s.project.title,
        "activity": s.activity.title,
    }


def _meets(expected, response, method: str = "GET") -> bool:
    status = response.status_code
    if expected == FOUND and method == "POST":
        return status in (200, 302) and not response.get("Location", "").startswith("/login/")
    if expected == LOGIN:
        return status == 302 and response["Location"].startswith("/login/")
    if expected == ACCOUNT_LOGIN:
        return status == 302 and response["Location"].startswith("/account/login/")
    if expected == NOT_YOURS:
        return status in (403, 404)
    if expected == DENIED:
        return status in (302, 400, 403, 404, 405, 409, 200) and not (
            status == 302 and response["Location"].startswith(("/login/", "/account/login/"))
        )
    return status == expected


def _walk(world, entry: Entry, method: str, persona: str, side: str, site_key: str, *, api: bool):
    s = _site_for(world, persona, site_key)
    route = entry.route.split(" ", 1)[1] if api else entry.route
    url = fill(route, entry.path(s))
    query = entry.query(s) if entry.query else {}
    expected = entry.expect(persona, side, method)
    if api:
        user = world.users[persona]
        token = world.shared["tokens"].get(persona)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}") if token else _client(world, persona)
        del user
    else:
        client = _client(world, persona)
    data = None
    if method != "GET":
        if entry.post == "form":
            forms = world.shared.setdefault("forms", {})
            if (route, site_key) not in forms:
                forms[(route, site_key)] = harvest(_client(world, "county_admin"), url)
            data = dict(forms[(route, site_key)])
        elif entry.post is not None:
            data = entry.post(s)
    baseline = world.shared.setdefault("baseline", {})
    if method != "GET" and not baseline:
        baseline.update(fingerprint())
    writes = write_count()
    if method == "GET":
        response = client.get(url, query)
    elif method == "DELETE":
        response = client.delete(url)
    elif api:
        response = client.post(url, data or {}, content_type="application/json")
    else:
        response = client.post(url + ("?" + urlencode(query) if query else ""), data or {})
    # Most refusals write nothing at all; where something was written, say which tables changed.
    rows = []
    if method != "GET" and write_count() != writes:
        rows = changed(baseline, fingerprint())
    outcome = f"{response.status_code}" + (
        f" -> {response['Location']}" if response.status_code == 302 else ""
    )
    if RECORD:
        print(
            f"\nWALK {entry.route} | {method} | {persona}-{side} | {outcome} | changed={rows} | expected={expected}"
        )
        return
    assert response.status_code < 500
    assert _meets(expected, response, method), (
        f"{method} {url} as {persona} ({side}): {outcome}, expected {expected}"
    )
    staff_list = not api and route.startswith("staff/") and "<" not in route
    if method == "GET" and response.status_code == 200 and persona in OUT_SITE and staff_list:
        # A list, a dashboard, a form: nothing in it names another township's people or things.
        body = response.content.decode(errors="replace")
        for asked in (entry.query(s) if entry.query else {}).values():
            body = body.replace(str(asked), "")  # a search box shows what was asked, not a finding
        other = world.sites[OUT_SITE[persona]]
        leaked = [what for what, text in private_marks(other).items() if text in body]
        assert leaked == [], f"{url} shows {persona} another township's {leaked}"
    if entry.check is not None and response.status_code == 200:
        assert entry.check(response, s, side), (
            f"{method} {url} as {persona} ({side}) answers {response.content[:300]!r}"
        )
    if method == "GET":
        return
    allowed = expected == FOUND or (isinstance(expected, int) and expected < 300)
    if allowed and entry.changes and entry.route not in STATUS_ONLY and persona != "anonymous":
        assert rows, f"{method} {url} as {persona} ({side}) was allowed but changed nothing: {outcome}"
    elif not allowed:
        assert rows == [], f"{method} {url} as {persona} ({side}) was refused ({outcome}) but changed {rows}"


# The admin site: Django's own pages, for the county administrator (a superuser) alone; everyone else
# is sent to the admin's login. Its patterns are walked as the resolver lists them, so a model newly
# registered there joins the walk by itself.
ADMIN_PERSONAS = ["county_admin", "village_manager", "anonymous"]
# The admin's own door (a signed-in administrator is sent on to the index) and its POST-only exit.
ADMIN_OPEN = {"admin/login/": (200, 302), "admin/logout/": (302, 405)}
ADMIN_PARAMS = {"app_label": "core", "object_id": "1", "id": "1", "content_type_id": "1", "url": "nowhere/"}


def _admin_cases():
    for route, _pattern in url_patterns():
        if _is_admin(route):
            for persona in ADMIN_PERSONAS:
                yield pytest.param(route, persona, id=f"{route} GET {persona}")


@pytest.mark.parametrize(("route", "persona"), list(_admin_cases()))
def test_admin_page(world, db, route, persona):
    response = _client(world, persona).get(fill(route, ADMIN_PARAMS))
    if route in ADMIN_OPEN:
        assert response.status_code in ADMIN_OPEN[route]
    elif persona == "county_admin":
        # 403: the append-only logs and the shipped standards refuse add and delete even to him.
        assert response.status_code in (200, 302, 403, 404)
    else:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(("entry", "method", "persona", "side", "site"), list(_cases(PAGES, api=False)))
def test_page(world, db, entry, method, persona, side, site):
    _walk(world, entry, method, persona, side, site, api=False)


@pytest.mark.parametrize(("entry", "method", "persona", "side", "site"), list(_cases(API, api=True)))
def test_api_operation(world, db, entry, method, persona, side, site):
    _walk(world, entry, method, persona, side, site, api=True)


def test_every_url_pattern_is_in_the_table():
    routes = {entry.route for entry in PAGES}
    missing = [
        route
        for route, _pattern in url_patterns()
        if route not in routes and not _is_admin(route) and not route.startswith("api/v1/")
    ]
    assert missing == []


def test_every_api_operation_is_in_the_table():
    assert sorted(set(api_operations()) - {entry.route for entry in API}) == []
    assert sorted({entry.route for entry in API} - set(api_operations())) == []
