"""The benchmark harness behind `wenyun bench`.

A benchmark is `benchmarks/<name>.py` at the top of the repository with `run(ctx) -> list[Measurement]`.
Every measurement is printed beside the bare limit it is measured against, taken on the same machine
in the same run (a bare Django view, a bare SQLite transaction, a bare FTS5 query, pymarc's parse).
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BENCH_DIR = REPO / "benchmarks"
ORDER = ["pages", "import", "search", "circulation", "holds", "sip2", "stats"]


@dataclass
class Measurement:
    bench: str
    metric: str
    value: float
    unit: str
    baseline_name: str
    baseline_value: float
    # True where a larger value is better (throughput); the ratio is then value / baseline either way.
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.value / self.baseline_value, 3) if self.baseline_value else None

    def as_json(self) -> dict:
        return {
            "bench": self.bench,
            "metric": self.metric,
            "value": round(self.value, 3),
            "unit": self.unit,
            "baseline": {"name": self.baseline_name, "value": round(self.baseline_value, 3)},
            "ratio": self.ratio,
        }


@dataclass
class BenchContext:
    scale: float = 1.0
    out: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))

    def ensure_demo(self) -> None:
        """The demo county (at this scale) in the benchmark database."""
        from django.core.management import call_command

        from wenyun.core.demo import demo_build

        call_command("migrate", interactive=False, verbosity=0)
        demo_build(scale=self.scale, out=self.out)


def available() -> list[str]:
    names = [p.stem for p in BENCH_DIR.glob("*.py") if not p.stem.startswith("_")]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def load(name: str):
    path = BENCH_DIR / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"wenyun_bench_{name}", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def format_row(m: Measurement) -> str:
    ratio = f"{m.ratio:.2f}x" if m.ratio is not None else "-"
    return (
        f"{m.bench:<12} {m.metric:<34} {m.value:>12.2f} {m.unit:<10} "
        f"| {m.baseline_name:<34} {m.baseline_value:>12.2f}  ratio {ratio}"
        + (f"  ({m.note})" if m.note else "")
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`wenyun serve` in a child process on a free loopback port, on the same database as this process."""

    def __init__(self, threads: int = 8, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.threads = threads
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wenyun.settings", **self.env}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wenyun.cli",
                "serve",
                "--port",
                str(self.port),
                "--threads",
                str(self.threads),
            ],
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
        raise RuntimeError("the benchmark server did not start within 30 seconds")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def http_load(*, port: int, path: str, clients: int, requests_per_client: int, cookies: str = "") -> dict:
    """`clients` threads, each with its own keep-alive connection, each sending its requests in turn."""
    import http.client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Cookie": cookies} if cookies else {}
        mine = []
        start_gate.wait()
        try:
            for _ in range(requests_per_client):
                began = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 200:
                    with lock:
                        errors.append(f"{path}: HTTP {response.status}")
        except OSError as exc:
            with lock:
                errors.append(f"{path}: {exc!r}")
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, first: {errors[0]}")
    return {
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "rps": len(latencies) / elapsed,
    }


def run(names: list[str], *, scale: float, as_json: bool, out=print) -> list[Measurement]:
    ctx = BenchContext(scale=scale)
    results: list[Measurement] = []
    for name in names:
        module = load(name)
        if module is None:
            raise LookupError(name)
        for measurement in module.run(ctx):
            results.append(measurement)
            out(json.dumps(measurement.as_json(), ensure_ascii=False) if as_json else format_row(measurement))
    return results


__all__ = ["BenchContext", "Measurement", "Server", "asdict", "available", "http_load", "percentile", "run"]
