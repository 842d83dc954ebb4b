"""Every unit of the demo county can have a kiosk that logs in and is bound to it; the demo's kiosks exist."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password

from wenyun.core.demo import DEMO_PASSWORD, DemoContext
from wenyun.network.models import Unit
from wenyun.sip2 import demo
from wenyun.sip2.models import KioskAccount
from wenyun.sip2.session import Session

from .sip import answer, msg


def test_a_kiosk_configured_for_any_unit_of_the_demo_county_logs_in_there(county):
    units = list(Unit.objects.filter(active=True).order_by("code"))
    password_hash = make_password("kiosk-pass-1")
    for n, unit in enumerate(units):
        KioskAccount.objects.create(name=f"k{n}", password_hash=password_hash, institution="YX", unit=unit)
    assert len(units) > 20
    for n, unit in enumerate(units):
        session = Session()
        assert session.respond(msg(f"9300CNk{n}|COkiosk-pass-1|")).data == b"941\r"
        assert answer(session.respond(msg("9900802.00")).data).get("AN") == unit.code


def test_the_demo_builds_its_kiosks_with_the_demo_password(county):
    ctx = DemoContext(today=dt.date(2026, 11, 27), out=lambda text: None)
    demo.build(ctx)
    assert list(KioskAccount.objects.values_list("name", "unit__code", "patron_pin_required")) == [
        ("drop-lib", "YX-LIB", False),
        ("kiosk-lib", "YX-LIB", True),
        ("kiosk-s01", "YX-S01", True),
    ]
    assert [login["username"] for login in ctx.logins] == ["kiosk-lib", "drop-lib", "kiosk-s01"]
    assert Session().respond(msg(f"9300CNkiosk-lib|CO{DEMO_PASSWORD}|")).data == b"941\r"
