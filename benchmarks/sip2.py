"""200 simulated kiosks on loopback against `wenyun sip2`, beside the same checkout through the service
layer with no network, in the same run.

Each kiosk has its own connection and login (not timed), then runs reader sessions: Patron
Information (63), Checkout (11), Checkin (09), each message timed from send to answer. Twice:

- THE GOAL (issue 5: p99 under 30 ms with 200 connections) is judged on the paced run: 200 kiosks
  each sending a message every ~1 s (200 messages/s offered, far more than a county's kiosks send).
- Flat out: every kiosk sends its next message as soon as it has its answer. That measures
  throughput; its round trip is queueing (Little's law: 200 in flight / throughput), so no server
  could give it a 30 ms p99 below 6,700 transactions/s.

The server is `wenyun sip2` in a child process on the benchmark database; the kiosks are asyncio
clients in this process (on the same two cores). The bare limit is `loan_checkout` + `loan_checkin`
called directly, one after the other. Besides wall-clock figures, which other work on a shared
machine skews, the server's CPU time per message (from /proc) is printed beside the services' CPU
time per call.

The kiosks are card-only self-checks (no PIN): a reader PIN check (circulation's PIN hasher) is
paid once per reader session, on a thread of its own; it is printed as its own line.
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
# The goal's pace: each kiosk sends a message every PACE seconds or so (200 kiosks: 200 messages/s).
PACE = 1.0
GOAL_P99_MS = 30.0
SESSIONS_PER_KIOSK = 5
PACED_SESSIONS = 4
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
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        t0 = time.perf_counter()
        loan_checkout(reader=reader, item=item, at_unit=unit, actor=None, via="bench")
        checkouts.append(time.perf_counter() - t0)
        loan_checkin(item=item, at_unit=unit, actor=None, via="bench")
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "p50_ms": percentile(checkouts, 50) * 1000,
        "p99_ms": percentile(checkouts, 99) * 1000,
        "tps": 2 * rounds / elapsed,
        "cpu_ms": cpu / (2 * rounds) * 1000,
    }


def _pin_check_seconds() -> float:
    from wenyun.circulation.models import Reader
    from wenyun.circulation.services import pin_hash, reader_pin_check

    reader = Reader(pin_hash=pin_hash("1234"))
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

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc)."""
        assert self.process is not None
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Kiosk:
    """One kiosk's connection, logged in once (a password hash each, not timed) for every run."""

    def __init__(self, name: str, card: str, barcode: str) -> None:
        self.name, self.card, self.barcode = name, card, barcode

    async def connect(self, port: int, password: str) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 16)
        answer = await self.ask(f"9300CN{self.name}|CO{password}|")
        if answer != b"941\r":
            raise RuntimeError(f"kiosk {self.name} could not log in: {answer!r}")

    async def ask(self, message: str) -> bytes:
        self.writer.write((message + "\r").encode())
        await self.writer.drain()
        return await self.reader.readuntil(b"\r")

    async def sessions(self, count: int, pace: float) -> list[tuple[str, float]]:
        timed: list[tuple[str, float]] = []
        rng = random.Random(self.name)
        if pace:
            await asyncio.sleep(rng.uniform(0, pace))
        card, barcode = self.card, self.barcode
        for _ in range(count):
            for kind, message, good in (
                ("patron", f"63019{STAMP}          AOYX|AA{card}|", b"64"),
                ("checkout", f"11NN{STAMP}{' ' * 18}AOYX|AA{card}|AB{barcode}|AC|", b"121"),
                ("checkin", f"09N{STAMP}{STAMP}APx|AOYX|AB{barcode}|AC|", b"101"),
            ):
                t0 = time.perf_counter()
                got = await self.ask(message)
                timed.append((kind, time.perf_counter() - t0))
                if not got.startswith(good):
                    raise RuntimeError(f"kiosk {self.name}: {kind} failed: {got[:120]!r}")
                if pace:
                    await asyncio.sleep(rng.uniform(0.5 * pace, 1.5 * pace))
        return timed

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def _run(
    kiosks: list[Kiosk], sessions: int, pace: float = 0.0
) -> tuple[list[tuple[str, float]], float]:
    """Every kiosk runs its sessions, all starting together; (each message's kind and time, elapsed)."""
    began = time.perf_counter()
    timed = await asyncio.gather(*(kiosk.sessions(sessions, pace) for kiosk in kiosks))
    return [t for per_kiosk in timed for t in per_kiosk], time.perf_counter() - began


async def _all_runs(server: SipServer, password: str, plan) -> dict:
    kiosks = [Kiosk(name, card, barcode) for name, card, barcode in plan]
    await asyncio.gather(*(kiosk.connect(server.port, password) for kiosk in kiosks))
    runs: dict = {}
    try:
        await _run(kiosks[:10], 1)  # warm up
        runs["alone"] = await _run(kiosks[:1], 40)
        cpu = server.cpu_seconds()
        runs["flat"] = await _run(kiosks, SESSIONS_PER_KIOSK)
        runs["flat_cpu"] = server.cpu_seconds() - cpu
        # Let the server's once-a-second WAL checkpoint copy the flat-out run's writes back first.
        await asyncio.sleep(3)
        cpu = server.cpu_seconds()
        runs["paced"] = await _run(kiosks, PACED_SESSIONS, pace=PACE)
        runs["paced_cpu"] = server.cpu_seconds() - cpu
    finally:
        await asyncio.gather(*(kiosk.close() for kiosk in kiosks), return_exceptions=True)
    return runs


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    ctx.out(f"sip2: preparing {KIOSKS} kiosk accounts, readers and copies")
    password, plan, units = _prepare(KIOSKS)
    bare = _service_layer(units, rounds=300)
    pin_seconds = _pin_check_seconds()
    with SipServer() as server:
        runs = asyncio.run(_all_runs(server, password, plan))
    alone, _elapsed = runs["alone"]
    timed, elapsed = runs["flat"]
    paced, _elapsed = runs["paced"]
    cpu = {"flat": runs["flat_cpu"], "paced": runs["paced_cpu"]}
    every = [t for _kind, t in timed]
    checkouts = [t for kind, t in timed if kind == "checkout"]
    paced_times = [t for _kind, t in paced]
    paced_p99 = percentile(paced_times, 99) * 1000
    ctx.out(
        f"sip2: flat out {len(every)} transactions in {elapsed:.1f} s; mean {statistics.fmean(every) * 1000:.1f} ms; "
        f"reader PIN check {pin_seconds * 1000:.0f} ms"
    )
    ctx.out(
        f"sip2: THE GOAL is judged on the paced run ({KIOSKS} kiosks, a message each ~{PACE:.0f} s): "
        f"p99 {paced_p99:.1f} ms against {GOAL_P99_MS:.0f} ms: "
        + ("met." if paced_p99 < GOAL_P99_MS else "NOT met.")
        + " The flat-out run measures throughput; its latency is queueing."
    )
    label = f"{KIOSKS} kiosks"
    alone_times = [t for _kind, t in alone]
    alone_checkouts = [t for kind, t in alone if kind == "checkout"]
    goal = f"{label}, a message each ~{PACE:.0f} s"
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
            f"{goal}, p50",
            percentile(paced_times, 50) * 1000,
            "ms",
            "service checkout p50",
            bare["p50_ms"],
        ),
        Measurement(
            "sip2",
            f"{goal}, p99",
            paced_p99,
            "ms",
            "service checkout p99",
            bare["p99_ms"],
            note=f"THE GOAL: p99 under {GOAL_P99_MS:.0f} ms",
        ),
        Measurement(
            "sip2",
            f"{goal}, server CPU/message",
            cpu["paced"] / len(paced_times) * 1000,
            "ms",
            "service CPU per checkout or checkin",
            bare["cpu_ms"],
        ),
        Measurement(
            "sip2",
            f"{label} flat out transactions/s",
            len(every) / elapsed,
            "tx/s",
            "service checkout+checkin, no network",
            bare["tps"],
            higher_is_better=True,
        ),
        Measurement(
            "sip2",
            f"{label} flat out round trip p50",
            percentile(every, 50) * 1000,
            "ms",
            "service checkout p50",
            bare["p50_ms"],
            note="queueing: kiosks in flight / throughput",
        ),
        Measurement(
            "sip2",
            f"{label} flat out round trip p99",
            percentile(every, 99) * 1000,
            "ms",
            "service checkout p99",
            bare["p99_ms"],
        ),
        Measurement(
            "sip2",
            f"{label} flat out checkout p99",
            percentile(checkouts, 99) * 1000,
            "ms",
            "service checkout p99",
            bare["p99_ms"],
        ),
        Measurement(
            "sip2",
            f"{label} flat out server CPU/message",
            cpu["flat"] / len(every) * 1000,
            "ms",
            "service CPU per checkout or checkin",
            bare["cpu_ms"],
        ),
        Measurement(
            "sip2",
            "reader PIN check (once a session)",
            pin_seconds * 1000,
            "ms",
            "service checkout p50",
            bare["p50_ms"],
            note="circulation's PIN hasher, PBKDF2 20,000 iterations",
        ),
    ]
