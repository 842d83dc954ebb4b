"""Every web form, staff and portal, takes random and extreme values without a server error, and a form
sent back with an error has saved nothing.

The forms are found as people find them: the pages of every URL pattern without parameters, and the
pages they link to, opened as the persona who uses them (a county administrator for the staff pages, a
visitor and a reader for the portal). Each form is then sent its own fields filled with extreme values
(huge and negative numbers, far dates, 3,000 characters, NUL, nothing) and with values Hypothesis
mixes, a bounded number of times so that the whole walk stays within seconds per app.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django import forms
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

EXTREMES = [
    "",
    "0",
    "-1",
    "-99999999999999999999",
    "99999999999999999999",
    "1e400",
    "NaN",
    "0001-01-01",
    "1999-01-01",
    "9999-12-31",
    "9999-12-31T23:59",
    "99999-01-01",
    "x" * 3000,
    "张" * 300,
    "\x00",
    "a\x00b",
]
# Each field in turn takes one of these beside the usual values of the others.
ALONE = ["99999999999999999999", "9999-12-31", "x" * 3000, "\x00", "-1"]
# Actions that end the test's own session or change its language: not forms about the county's data.
NOT_FORMS = ("/logout/", "/i18n/", "/account/logout/")
# Rows a refused form may write by design: sign-in failures (the throttle) and the session itself.
MAY_CHANGE = {"django_session", "core_failedlogin"}
MAX_PAGES = 400


@dataclass
class Form:
    page: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → the values it offers
    multipart: bool = False

    @property
    def key(self) -> str:
        return f"{_route(urlsplit(self.action).path)} {sorted(self.fields)}"


class _Forms(HTMLParser):
    """The POST forms of a page with their fields, and the page's links."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.links = page, [], []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form" and a.get("method", "get").lower() == "post":
            action = urljoin(self.page, a.get("action") or self.page)
            self._form = Form(page=self.page, action=action, multipart="multipart" in a.get("enctype", ""))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type", "text") not in ("submit", "button", "image", "reset"):
            offered = [a.get("value", "")] if a.get("type") != "file" else []
            self._form.fields.setdefault(a["name"], []).extend(offered)
        elif tag == "textarea":
            self._form.fields.setdefault(a["name"], [])
        elif tag == "select":
            self._select = a["name"]
            self._form.fields.setdefault(a["name"], [])
        elif tag == "button" and a.get("value"):
            self._form.fields.setdefault(a["name"], []).append(a["value"])
        if tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _plain_paths(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every URL pattern without parameters, as a path."""
    paths: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            paths.extend(_plain_paths(entry, prefix + route))
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + route)
    return paths


def _route(path: str) -> str:
    """The URL pattern a path matches: one page and one form per pattern is enough."""
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _discover(client: Client, starts: list[str], inside: tuple[str, ...]) -> list[Form]:
    """The POST forms on the pages reachable from `starts` by links staying under `inside`."""
    seen: set[str] = set()
    queue, forms = list(starts), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if _route(path) in seen or not path.startswith(inside) or any(path.startswith(n) for n in NOT_FORMS):
            continue
        seen.add(_route(path))
        answer = client.get(path)
        assert answer.status_code < 500, path
        if answer.status_code != 200 or "html" not in answer.get("Content-Type", ""):
            continue
        parser = _Forms(path)
        parser.feed(answer.content.decode())
        for form in parser.forms:
            if not any(urlsplit(form.action).path.startswith(n) for n in NOT_FORMS):
                forms.setdefault(form.key, form)
        for link in parser.links:
            split = urlsplit(link)
            if not split.netloc or split.netloc == "testserver":
                # One page per list is enough: drop the query (page numbers, searches, filters).
                queue.append(split.path)
    return list(forms.values())


def _counts() -> dict[str, int]:
    tables = sorted(
        m._meta.db_table for m in apps.get_models() if m._meta.managed and m._meta.db_table not in MAY_CHANGE
    )
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
        )
        return dict(cursor.fetchall())


_ERROR_MARK = re.compile(r'class="[^"]*(?:errorlist|msg-error)')


def _send(client: Client, form: Form, values: dict[str, str]) -> None:
    before = _counts()
    answer = client.post(urlsplit(form.action).path, values)
    where = f"{form.action} (form on {form.page}) with {values!r}"[:2000]
    assert answer.status_code < 500, where
    page = answer.content.decode()
    if answer.status_code == 200 and answer.context is not None:
        # Every error a form found is on the page, a field's beside it or in the form's alert.
        contexts = answer.context if isinstance(answer.context, list) else [answer.context]
        shown = {id(f): f for c in contexts for f in c.flatten().values() if isinstance(f, forms.BaseForm)}
        shown = {key: f for key, f in shown.items() if f.is_bound}
        for bound in shown.values():
            for errors in bound.errors.values():
                for message in errors:
                    assert escape(message) in page, (message, where)
    if answer.status_code == 200 and _ERROR_MARK.search(page):
        after = _counts()
        assert {t: (before[t], after[t]) for t in before if before[t] != after[t]} == {}, where


def _fuzz(client: Client, forms: list[Form], examples: int) -> None:
    for form in forms:
        names = sorted(form.fields)
        usual = {name: (form.fields[name] or [""])[0] for name in names}
        for extreme in EXTREMES:
            # Every field extreme at once; and, so a form's first check does not hide the others,
            # each field extreme alone beside the usual values of the rest.
            _send(client, form, {name: extreme for name in names})
        for index, name in enumerate(names):
            _send(client, form, {**usual, name: ALONE[index % len(ALONE)]})

        _mixed(client, form, examples)()


def _mixed(client: Client, form: Form, examples: int):
    """Hypothesis's mixes of each field's own values with extreme and random ones."""
    value = st.one_of(st.sampled_from(EXTREMES), st.text(max_size=40), st.integers().map(str))
    fields = {
        name: st.one_of(st.sampled_from(offered or [""]), value) for name, offered in form.fields.items()
    }

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries(fields))
    def mixed(values):
        _send(client, form, values)

    return mixed


@pytest.fixture
def county_objects(county, unit, county_admin):
    """One of each thing whose page carries a form: a venue and an activity, a troupe, visit slots, a
    service on the menu, a volunteer project, a reader with a copy on loan."""
    from wenyun.circulation.tests import factories as f
    from wenyun.programs import services as programs
    from wenyun.volunteers import services as volunteers

    lib = unit("YX-LIB")
    now = timezone.now()
    start = now + dt.timedelta(days=3)
    hall = programs.venue_create(actor=None, unit=lib, name="报告厅", kind="hall", capacity=120)
    programs.activity_create(
        actor=None,
        unit=lib,
        title="读书分享会",
        category="reading",
        venue=hall,
        capacity=10,
        sessions=[(start, start + dt.timedelta(hours=1))],
        publish=True,
    )
    programs.troupe_register(actor=None, unit=lib, name="城关镇腰鼓队", art_form="腰鼓", leader="王五")
    programs.visit_slots_create(
        actor=None,
        unit=lib,
        first_day=start.date(),
        last_day=start.date(),
        times=[(dt.time(9, 0), dt.time(11, 0))],
        capacity=20,
    )
    programs.menu_item_create(actor=None, provider=lib, title="送戏下乡", kind="performance")
    volunteers.project_post(
        actor=None,
        unit=lib,
        title="图书整理",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        places=5,
    )
    reader = f.reader(home=lib, card="YX0000001", name="张三", expires_on=now.date() + dt.timedelta(days=900))
    f.item(home=lib, barcode="D0000001")
    return {"reader": reader}


def test_every_staff_form_takes_extreme_values_without_a_500_and_a_refusal_saves_nothing(
    county_objects, county_admin
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county_admin)
    starts = [p for p in _plain_paths() if p.startswith("/staff/")]
    forms = _discover(client, starts, ("/staff/",))

    assert len(forms) >= 40, [f.action for f in forms]
    _fuzz(client, forms, examples=3)


def test_every_portal_form_takes_extreme_values_without_a_500_and_a_refusal_saves_nothing(
    county_objects, reader_account
):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    starts = [p for p in _plain_paths() if not p.startswith(("/staff/", "/admin/", "/api/"))]
    forms = _discover(visitor, starts, ("/",))
    portal = [f for f in forms if not urlsplit(f.action).path.startswith(("/staff/", "/admin/"))]

    assert len(portal) >= 6, [f.action for f in portal]
    _fuzz(visitor, portal, examples=6)

    # A reader signed in sees the forms of his account besides.
    reader = county_objects["reader"]
    reader.account = reader_account
    reader.save(update_fields=["account"])
    member = Client(HTTP_ACCEPT_LANGUAGE="en")
    member.force_login(reader_account)
    known = {f.key for f in portal}
    mine = [
        f
        for f in _discover(member, starts, ("/",))
        if f.key not in known and not urlsplit(f.action).path.startswith(("/staff/", "/admin/"))
    ]
    assert len(mine) >= 1, [f.action for f in mine]
    _fuzz(member, mine, examples=6)
