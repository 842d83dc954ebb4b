"""Building the demo county: each app's `demo.py` adds its part, each part built once.

An app's demo module defines `build(ctx: DemoContext) -> None`. Parts run in DEMO_APPS order inside
one transaction each, and a DemoStep row marks a part done, so running `wenyun demo` again changes
nothing. Everything is drawn from `ctx.rng(...)`, seeded, so the county is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from . import versions
from .models import DemoStep

DEMO_APPS = [
    "network",
    "catalog",
    "circulation",
    "acquisitions",
    "sip2",
    "programs",
    "volunteers",
    "workforce",
    "stats",
    "ledger",
]
DEMO_PASSWORD = "wenyun-demo"
# The demo's history ends on the day it is built; tests pass a fixed day instead.


@dataclass
class DemoContext:
    today: dt.date
    scale: float = 1.0
    seed: int = 20180913  # the day the county's report was published
    out: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))
    logins: list[dict] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def scaled(self, count: int) -> int:
        return max(1, round(count * self.scale))

    def login(self, username: str, role: str, unit: str) -> None:
        self.logins.append({"username": username, "password": DEMO_PASSWORD, "role": role, "unit": unit})


def demo_build(
    *,
    today: dt.date | None = None,
    scale: float = 1.0,
    only: list[str] | None = None,
    out: Callable[[str], None] | None = None,
) -> list[dict]:
    """Build whatever part of the demo county is not built yet; return the demo logins."""
    ctx = DemoContext(today=today or dt.date.today(), scale=scale)
    if out is not None:
        ctx.out = out
    logins: list[dict] = []
    for app in DEMO_APPS:
        if only is not None and app not in only:
            continue
        module_name = f"wenyun.{app}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        done = DemoStep.objects.filter(name=app).first()
        if done is None:
            started = time.monotonic()
            ctx.logins = []
            ctx.out(f"building the demo county: {app} ...")
            with transaction.atomic():
                importlib.import_module(module_name).build(ctx)
                # Builders write directly (get_or_create, bulk_create), as a data migration does.
                versions.bump(versions.CIRCULATION_RULES)
                done = DemoStep.objects.create(
                    name=app, details={"logins": ctx.logins, "today": ctx.today.isoformat(), "scale": scale}
                )
            ctx.out(f"  {app} built in {time.monotonic() - started:.1f}s")
        logins.extend(done.details.get("logins", []))
    return logins


def demo_today() -> dt.date | None:
    """The day the demo county's history was built up to (None before it is built)."""
    step = DemoStep.objects.filter(name="network").first()
    return dt.date.fromisoformat(step.details["today"]) if step else None
