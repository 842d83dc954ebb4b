"""MARC import, end to end (parse, extract, store, index), beside pymarc's bare parse of the same bytes.

The file is the Library of Congress sample in pymarc's source distribution (250,000 records; `--scale`
takes a share of it). The Rust-backed readers on PyPI are parsed too where installed, for the record.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from wenyun.core.bench import BenchContext, Measurement

sys.path.insert(0, str(Path(__file__).parent))
from _lcfile import first_records, lc_file

SOURCE = "bench-lc"
FULL = 250_000


def _parse_rate(module_name: str, data: bytes) -> tuple[float, int]:
    module = __import__(module_name)
    began = time.perf_counter()
    count = sum(1 for record in module.MARCReader(data) if record is not None)
    return count / (time.perf_counter() - began), count


def clear_import(source: str = SOURCE) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "DELETE FROM catalog_fts WHERE rowid IN (SELECT id FROM catalog_record WHERE source = %s)",
                [source],
            )
        cursor.execute("DELETE FROM catalog_record WHERE source = %s", [source])


def import_lc(ctx: BenchContext, data: bytes):
    from wenyun.catalog.services import marc_import
    from wenyun.network.selectors import unit_get

    return marc_import(
        stream=data, owner=unit_get(code="YX-LIB"), name="BooksAll.2016.part01.utf8", source=SOURCE
    )


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    count = max(1000, round(FULL * ctx.scale))
    data = first_records(lc_file(), count)
    pymarc_rate, _parsed = _parse_rate("pymarc", data)
    clear_import()
    began = time.perf_counter()
    report = import_lc(ctx, data)
    elapsed = time.perf_counter() - began
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
            note=f"{report.added:,} added, {report.skipped} skipped, {elapsed:.1f}s",
        )
    ]
    from wenyun.catalog.extract import NEEDED_TAGS
    from wenyun.catalog.marc import parse_iso2709, split_iso2709

    began = time.perf_counter()
    ours = sum(1 for _p, chunk in split_iso2709(data) if parse_iso2709(chunk, tags=NEEDED_TAGS))
    results.append(
        Measurement(
            "import",
            "wenyun reader parse (needed fields)",
            ours / (time.perf_counter() - began),
            "rec/s",
            "pymarc 5.4.0 bare parse",
            pymarc_rate,
            higher_is_better=True,
        )
    )
    for name in ("rmarc", "mrrc"):
        try:
            other, _n = _parse_rate(name, data)
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
