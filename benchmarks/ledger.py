"""The acceptance ledger computed live, beside the bare cost of the figures it is computed from.

- Evaluating each shipped standard (every indicator, every unit in scope, failing units named) beside
  asking `ledger.sources.figures` for exactly the same figures and nothing else: the ledger's own
  work is the difference.
- Writing the ledger workbook (XLSX) beside openpyxl writing a sheet with the same number of cells.
- Taking a snapshot (compute and store) beside evaluating the same standard without storing.
"""

from __future__ import annotations

import io
import statistics
import time

from wenyun.core.bench import BenchContext, Measurement

RUNS = 5


def _median_ms(work) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _bare_figures(standard, year):
    from wenyun.ledger import sources
    from wenyun.ledger.evaluate import period_of, scope_units
    from wenyun.network.models import INSTITUTION_KINDS, Unit

    start, end = period_of(year)
    for indicator in standard.indicators.filter(retired=False):
        formula = indicator.formula
        kind = formula.get("kind")
        if kind == "share":
            kinds = list(INSTITUTION_KINDS) if formula["of"] == "institution" else [formula["of"]]
            units = list(Unit.objects.filter(active=True, kind__in=kinds).order_by("code"))
            codes = [formula["metric"]]
        elif kind in ("metric", "ratio"):
            units = scope_units(indicator.scope)
            codes = (
                [formula["metric"]] if kind == "metric" else [formula["numerator"], formula["denominator"]]
            )
        else:
            continue
        for code in codes:
            if sources.figure_known(code):
                sources.figures(
                    code=code,
                    units=units,
                    include_sub_units=formula.get("sub_units", True),
                    start=start,
                    end=end,
                )


def run(ctx: BenchContext) -> list[Measurement]:
    ctx.ensure_demo()
    from django.db import transaction
    from django.utils import timezone
    from openpyxl import Workbook

    from wenyun.ledger import exports, services
    from wenyun.ledger.evaluate import standard_evaluate
    from wenyun.ledger.models import Standard

    year = timezone.localdate().year
    results: list[Measurement] = []
    for standard in Standard.objects.order_by("code"):
        evaluated = _median_ms(lambda s=standard: standard_evaluate(standard=s, year=year))
        bare = _median_ms(lambda s=standard: _bare_figures(s, year))
        results.append(
            Measurement(
                "ledger",
                f"evaluate {standard.code} ({standard.indicators.filter(retired=False).count()} indicators)",
                evaluated,
                "ms",
                "the same figures from ledger.sources alone",
                bare,
            )
        )

    zone = Standard.objects.get(code="township-village-local")
    content = exports.ledger_workbook(standard=zone, year=year)
    from openpyxl import load_workbook

    cells = sum(sheet.max_row * sheet.max_column for sheet in load_workbook(io.BytesIO(content)).worksheets)

    def bare_workbook():
        book = Workbook()
        sheet = book.active
        columns = 12
        for row in range(cells // columns):
            sheet.append([row] * columns)
        book.save(io.BytesIO())

    results.append(
        Measurement(
            "ledger",
            f"workbook {zone.code} ({cells} cells)",
            _median_ms(lambda: exports.ledger_workbook(standard=zone, year=year)),
            "ms",
            "openpyxl writing the same number of cells",
            _median_ms(bare_workbook),
        )
    )

    def snapshot():
        with transaction.atomic():
            services.snapshot_take(actor=None, standard=zone, year=year)
            transaction.set_rollback(True)

    results.append(
        Measurement(
            "ledger",
            f"snapshot {zone.code}",
            _median_ms(snapshot),
            "ms",
            "evaluating it without storing",
            _median_ms(lambda: standard_evaluate(standard=zone, year=year)),
        )
    )
    return results
