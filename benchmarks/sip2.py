"""200 simulated kiosks on loopback against `wenyun sip2`, beside the same checkout through the service
layer with no network, in the same run.

Each kiosk has its own connection and login (not timed), then runs reader sessions: Patron
Information (63), Checkout (11), Checkin (09), each message timed from send to answer. Twice: flat
out (every kiosk sends its next message as soon as it has an answer, so the round trip is mostly
queueing: 200 in flight / throughput), and at a reader's pace (a message every ~3 s per kiosk). The server is
`wenyun sip2` in a child process on the benchmark database; the kiosks are asyncio clients in this
process. The bare limit is `loan_checkout` + `loan_checkin` called directly, one after the other.

The kiosks are card-only self-checks (no PIN): a reader PIN is a Django password hash (PBKDF2,
1,000,000 iterations), about 0.8 s of CPU per check on this machine, so a PIN-checked session pays
that once at its first message (the SIP2 layer remembers a PIN it accepted for the rest of the
session). That figure is printed as its own line.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time

from wenyun.core.bench import BenchContext, Measurement, free_port, percentile

KIOSKS = 200
# A reader at a self-check: one message every PACE seconds or so (scanning the card, then each book).
PACE = 3.0
SESSIONS_PER_KIOSK = 5
PREFIX = "SIPBENCH"
STAMP = "20261127    100000"


def _prepare(kiosks: int):
    """Kiosk accounts spread over the county's units, a reader and a home copy for each kiosk."""
    from django.contrib.auth.hashers import make_password

    from wenyun.catalog.models import Item, ItemStatus, ItemType, Record
    from wenyun.circulation.models import Loan, Reader, ReaderCategory
    from wenyun.circulation.services import loan_checkin
    from wenyun.network.models import Unit
    from wenyun.sip2.models import KioskAccount

    units = list(
        Unit.objects.filter(active=True, kind__in=["library", "station", "village"]).order_by("code")
    )
    password = f"{PREFIX}-pass"
    password_hash = make_password(password)
    category = ReaderCategory.objects.order_by("pk").first() or ReaderCategory.objects.create(
        code="adult", name="成人"
    )
    item_type = ItemType.objects.get_or_create(code="book", defaults={"name": "图书"})[0]
    record = Record.objects.filter(title="SIP2 基准测试用书").first() or Record.objects.create(
        title="SIP2 基准测试用书"
    )
    plan = []
    for n in range(kiosks):
        unit = units[n % len(units)]
        name = f"{PREFIX.lower()}-{n:03d}"
        account, _created = KioskAccount.objects.update_or_create(
            name=name,
            defaults={
                "password_hash": password_hash,
                "institution": "YX",
                "unit": unit,
                "patron_pin_required": False,
                "active": True,
            },
        )
        reader, _created = Reader.objects.get_or_create(
            card=f"{PREFIX}-R{n:03d}",
            defaults={"name": f"读者{n:03d}", "category": category, "home_unit": unit},
        )
        item, _created = Item.objects.get_or_create(
            barcode=f"{PREFIX}-B{n:03d}",
            defaults={
                "record": record,
                "home_unit": unit,
                "current_unit": unit,
                "item_type": item_type,
                "status": ItemStatus.AVAILABLE,
            },
        )
        # A run cut short leaves a copy on loan: take it back so every session starts alike.
        if Loan.objects.filter(item=item, returned_at__isnull=True).exists():
            loan_checkin(item=item, at_unit=unit, actor=None, via="bench")
        plan.append((account.name, reader.card, item.barcode))
    return password, plan, units


def _service_layer(units, rounds: int) -> dict:
    """The bare limit: the same checkout and checkin through the services, no network, no SIP2."""
    from wenyun.catalog.models import Item
    from wenyun.circulation.models import Reader
    from wenyun.circulation.services import loan_checkin, loan_checkout

    unit = units[0]
    reader = Reader.objects.get(card=f"{PREFIX}-R000")
    item = Item.objects.get(barcode=f"{PREFIX}-B000")
    checkouts: list[float] = []
    began = time.perf_counter()
    for _ in range(rounds):
        t0 = time.perf_counter()
        loan_checkout(reader=reader, item=item, at_unit=unit, actor=None, via="bench")
        checkouts.append(time.perf_counter() - t0)
        loan_checkin(item=item, at_unit=unit, actor=None, via="bench")
    elapsed = time.perf_counter() - began
    return {
        "p50_ms": percentile(checkouts, 50) * 1000,
        "p99_ms": percentile(checkouts, 99) * 1000,
        "tps": 2 * rounds / elapsed,
    }


def _pin_check_seconds() -> float:
    from django.contrib.auth.hashers import make_password

    from wenyun.circulation.models import Reader
    from wenyun.circulation.services import reader_pin_check

    reader = Reader(pin_hash=make_password("1234"))
    began = time.perf_counter()
    assert reader_pin_check(reader=reader, pin="1234")
    return time.perf_counter() - began


class SipServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> SipServer:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wenyun.settings"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wenyun.cli", "sip2", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the SIP2 server did not start within 30 seconds")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


async def _kiosk(
    port: int, password: str, name: str, card: str, barcode: str, sessions: int, gate, ready, out, pace=0.0
):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 16)

    async def ask(message: str) -> bytes:
        writer.write((message + "\r").encode())
        await writer.drain()
        return await reader.readuntil(b"\r")

    answer = await ask(f"9300CN{name}|CO{password}|")
    if answer != b"941\r":
        raise RuntimeError(f"kiosk {name} could not log in: {answer!r}")
    ready.append(name)
    await gate.wait()
    timed: list[tuple[str, float]] = []
    rng = random.Random(name)
    if pace:
        await asyncio.sleep(rng.uniform(0, pace))
    for _ in range(sessions):
        for kind, message, good in (
            ("patron", f"63019{STAMP}          AOYX|AA{card}|", b"64"),
            ("checkout", f"11NN{STAMP}{' ' * 18}AOYX|AA{card}|AB{barcode}|AC|", b"121"),
            ("checkin", f"09N{STAMP}{STAMP}APx|AOYX|AB{barcode}|AC|", b"101"),
        ):
            t0 = time.perf_counter()
            got = await ask(message)
            timed.append((kind, time.perf_counter() - t0))
            if not got.startswith(good):
                raise RuntimeError(f"kiosk {name}: {kind} failed: {got[:120]!r}")
            if pace:
                await asyncio.sleep(rng.uniform(0.5 * pace, 1.5 * pace))
    writer.close()
    await writer.wait_closed()
    out.extend(timed)


async def _load(
    port: int, password: str, plan, sessions: int, pace: float = 0.0
) -> tuple[list[tuple[str, float]], float]:
    gate = asyncio.Event()
    ready: list[str] = []
    out: list[tuple[str, float]] = []
    tasks = [
        asyncio.create_task(_kiosk(port, password, name, card, barcode, sessions, gate, ready, out, pace))
        for name, card, barcode in plan
    ]
    # Every kiosk logs in first (a password hash each, not timed), then all start together.
    while len(ready) < len(tasks) and not any(t.done() for t in tasks):
        await asyncio.sleep(0.05)
    began = time.perf_counter()
    gate.set()
    await asyncio.gather(*tasks)
    return out, time.perf_counter() - began


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    ctx.out(f"sip2: preparing {KIOSKS} kiosk accounts, readers and copies")
    password, plan, units = _prepare(KIOSKS)
    bare = _service_layer(units, rounds=300)
    pin_seconds = _pin_check_seconds()
    with SipServer() as server:
        asyncio.run(_load(server.port, password, plan[:10], 1))  # warm up
        alone, _elapsed = asyncio.run(_load(server.port, password, plan[:1], 40))
        timed, elapsed = asyncio.run(_load(server.port, password, plan, SESSIONS_PER_KIOSK))
        paced, _elapsed = asyncio.run(_load(server.port, password, plan, 3, pace=PACE))
    every = [t for _kind, t in timed]
    checkouts = [t for kind, t in timed if kind == "checkout"]
    ctx.out(
        f"sip2: {len(every)} transactions in {elapsed:.1f} s; mean {statistics.fmean(every) * 1000:.1f} ms; "
        f"reader PIN check {pin_seconds * 1000:.0f} ms"
    )
    label = f"{KIOSKS} kiosks"
    alone_times = [t for _kind, t in alone]
    paced_times = [t for _kind, t in paced]
    alone_checkouts = [t for kind, t in alone if kind == "checkout"]
    return [
        Measurement(
            "sip2",
            "1 kiosk checkout p50",
            percentile(alone_checkouts, 50) * 1000,
            "ms",
            "service checkout p50",
            bare["p50_ms"],
        ),
        Measurement(
            "sip2",
            "1 kiosk round trip p99",
            percentile(alone_times, 99) * 1000,
            "ms",
            "service checkout p99",
            bare["p99_ms"],
        ),
        Measurement(
            "sip2",
            f"{label} transactions/s",
            len(every) / elapsed,
            "tx/s",
            "service checkout+checkin, no network",
            bare["tps"],
            higher_is_better=True,
        ),
        Measurement(
            "sip2",
            f"{label} round trip p50",
            percentile(every, 50) * 1000,
            "ms",
            "service checkout p50",
            bare["p50_ms"],
        ),
        Measurement(
            "sip2",
            f"{label} round trip p99",
            percentile(every, 99) * 1000,
            "ms",
            "service checkout p99",
            bare["p99_ms"],
        ),
        Measurement(
            "sip2",
            f"{label} checkout p99",
            percentile(checkouts, 99) * 1000,
            "ms",
            "service checkout p99",
            bare["p99_ms"],
        ),
        Measurement(
            "sip2",
            f"{label}, a message each ~{PACE:.0f} s, p50",
            percentile(paced_times, 50) * 1000,
            "ms",
            "service checkout p50",
            bare["p50_ms"],
        ),
        Measurement(
            "sip2",
            f"{label}, a message each ~{PACE:.0f} s, p99",
            percentile(paced_times, 99) * 1000,
            "ms",
            "service checkout p99",
            bare["p99_ms"],
        ),
        Measurement(
            "sip2",
            "reader PIN check (once a session)",
            pin_seconds * 1000,
            "ms",
            "service checkout p50",
            bare["p50_ms"],
            note="PBKDF2, 1,000,000 iterations",
        ),
    ]
