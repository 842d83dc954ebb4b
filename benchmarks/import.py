"""MARC import, end to end (parse, extract, store, index), beside pymarc's bare parse of the same bytes.

The file is the Library of Congress sample in pymarc's source distribution (250,000 records; `--scale`
takes a share of it). The Rust-backed readers on PyPI are parsed too where installed, for the record.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from wenyun.core.bench import BenchContext, Measurement

sys.path.insert(0, str(Path(__file__).parent))
from _lcfile import first_records, lc_file

SOURCE = "bench-lc"
FULL = 250_000


def _cpu() -> float:
    """CPU seconds of this process and of the worker processes it has waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _parse_rate(module_name: str, data: bytes) -> tuple[float, int, float]:
    """Records per second, records, and CPU microseconds per record."""
    module = __import__(module_name)
    cpu = _cpu()
    began = time.perf_counter()
    count = sum(1 for record in module.MARCReader(data) if record is not None)
    elapsed = time.perf_counter() - began
    return count / elapsed, count, (_cpu() - cpu) / max(count, 1) * 1e6


def clear_import(source: str = SOURCE) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "DELETE FROM catalog_fts WHERE rowid IN (SELECT id FROM catalog_record WHERE source = %s)",
                [source],
            )
        cursor.execute("DELETE FROM catalog_record WHERE source = %s", [source])
        if connection.vendor == "sqlite":
            # FTS5 keeps deleted rows as tombstones until its segments are merged; left in place, the
            # previous run's 250,000 would be merged away during (and charged to) the timed import.
            cursor.execute("INSERT INTO catalog_fts(catalog_fts) VALUES ('optimize')")


def import_lc(ctx: BenchContext, data: bytes):
    from wenyun.catalog.imports import marc_import
    from wenyun.network.selectors import unit_get

    return marc_import(
        stream=data, owner=unit_get(code="YX-LIB"), name="BooksAll.2016.part01.utf8", source=SOURCE
    )


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    count = max(1000, round(FULL * ctx.scale))
    data = first_records(lc_file(), count)
    clear_import()
    # pymarc parses the file just before the import and again just after: a shared machine's speed
    # drifts over a minute, and the bare limit is then the mean of the two, each printed.
    before_rate, _parsed, before_cpu = _parse_rate("pymarc", data)
    cpu = _cpu()
    began = time.perf_counter()
    report = import_lc(ctx, data)
    elapsed = time.perf_counter() - began
    import_cpu = (_cpu() - cpu) / max(report.read, 1) * 1e6
    after_rate, _parsed, after_cpu = _parse_rate("pymarc", data)
    pymarc_rate, pymarc_cpu = (before_rate + after_rate) / 2, (before_cpu + after_cpu) / 2
    rate = report.read / elapsed
    results = [
        Measurement(
            "import",
            f"import-marc records/s ({report.read:,} LC records)",
            rate,
            "rec/s",
            "pymarc 5.4.0 bare parse",
            pymarc_rate,
            higher_is_better=True,
            note=(
                f"{report.added:,} added, {report.skipped} skipped, {elapsed:.1f}s; "
                f"pymarc {before_rate:,.0f} rec/s before, {after_rate:,.0f} after"
            ),
        ),
        # CPU time, which other processes on a shared machine do not skew: all of the import's
        # processes together (on one core this is the whole cost), beside pymarc's one process.
        Measurement(
            "import",
            "import-marc CPU per record, all processes",
            import_cpu,
            "µs",
            "pymarc 5.4.0 bare parse CPU",
            pymarc_cpu,
        ),
    ]
    from wenyun.catalog.extract import NEEDED_TAGS
    from wenyun.catalog.marc import parse_iso2709, split_iso2709

    cpu = _cpu()
    began = time.perf_counter()
    ours = 0
    for _p, chunk in split_iso2709(data):
        if isinstance(chunk, bytes) and parse_iso2709(chunk, tags=NEEDED_TAGS):
            ours += 1
    results.append(
        Measurement(
            "import",
            "wenyun reader parse (needed fields)",
            ours / (time.perf_counter() - began),
            "rec/s",
            "pymarc 5.4.0 bare parse",
            pymarc_rate,
            higher_is_better=True,
            note=f"CPU {(_cpu() - cpu) / max(ours, 1) * 1e6:.1f} µs a record beside pymarc's {pymarc_cpu:.1f}",
        )
    )
    for name in ("rmarc", "mrrc"):
        try:
            other, _n, _cpu_us = _parse_rate(name, data)
        except ImportError:
            continue
        results.append(
            Measurement(
                "import",
                f"{name} bare parse",
                other,
                "rec/s",
                "pymarc 5.4.0 bare parse",
                pymarc_rate,
                higher_is_better=True,
            )
        )
    return results
