"""Where the indicators' figures come from: the statistics' metrics, with no quiet way around them."""

from __future__ import annotations

import datetime as dt
import importlib
import sys

import pytest


def test_a_statistics_metric_module_that_cannot_be_imported_fails_loudly_not_as_not_computable(monkeypatch):
    """Were the ImportError swallowed, every indicator over a statistics metric would read "not
    computable yet" and nobody would hear of the bug."""
    import wenyun.stats

    # Given the statistics' metric module raises ImportError when imported (a bug in it, say),
    monkeypatch.setitem(sys.modules, "wenyun.stats.metrics", None)
    monkeypatch.delattr(wenyun.stats, "metrics")
    monkeypatch.delitem(sys.modules, "wenyun.ledger.sources")

    # when the ledger's sources are loaded and asked for a statistics figure,
    # then the error reaches the caller.
    with pytest.raises(ImportError, match=r"wenyun\.stats\.metrics"):
        sources = importlib.import_module("wenyun.ledger.sources")
        sources.figures(
            code="building_area",
            units=[],
            include_sub_units=False,
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
