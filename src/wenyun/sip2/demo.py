"""The demo county's kiosks: a self-check and a book drop at the county library, a self-check at the
城关镇 station. Readers borrow at them with their card and PIN (the demo readers' PIN is 1234)."""

from __future__ import annotations

from wenyun.core.demo import DEMO_PASSWORD, DemoContext
from wenyun.network.models import Unit

from .services import kiosk_account_add

KIOSKS = [
    # name, unit, readers give their PIN
    ("kiosk-lib", "YX-LIB", True),
    ("drop-lib", "YX-LIB", False),
    ("kiosk-s01", "YX-S01", True),
]


def build(ctx: DemoContext) -> None:
    for name, code, pin_required in KIOSKS:
        if not Unit.objects.filter(code=code).exists():
            continue
        account = kiosk_account_add(
            name=name,
            password=DEMO_PASSWORD,
            institution="YX",
            unit_code=code,
            patron_pin_required=pin_required,
        )
        ctx.login(name, "SIP2 kiosk (6001)", account.unit.name)
    ctx.out(f"  {len(KIOSKS)} kiosk logins for `wenyun sip2`")
