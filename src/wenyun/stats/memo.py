"""Figures several metrics share, kept while one page is built (`metrics.metric_cache` opens the
keeping): the metrics' sources, the daily summary and the apps' `stats_sources` all read through it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from typing import TypeVar

from .periods import Period

T = TypeVar("T")

_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("stats_sources_memo", default=None)

# The widest period the page being built reads (a dashboard's twelve months, say): day-by-day rows read
# once for it answer each shorter period inside it.
_span: contextvars.ContextVar[Period | None] = contextvars.ContextVar("stats_sources_span", default=None)


def memo(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, once per key while a page is built; every time outside one."""
    kept = _memo.get()
    if kept is None:
        return compute()
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def memo_span() -> Period | None:
    """The widest period the page being built reads, if it said."""
    return _span.get()


@contextlib.contextmanager
def memo_kept(*, span: Period | None = None):
    """Keep what `memo` computes within the block, and the page's `span`."""
    shared = _memo.set({})
    spanned = _span.set(span)
    try:
        yield
    finally:
        _span.reset(spanned)
        _memo.reset(shared)
