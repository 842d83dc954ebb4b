"""Catalogue search latency: 200 mixed Chinese, pinyin, English, ISBN and call-number queries over the
demo catalogue plus the 250,000 Library of Congress records, each with live availability, beside the
bare FTS query (the same match expression, no join, no availability) on the same index in the same run.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from wenyun.core.bench import BenchContext, Measurement, percentile

sys.path.insert(0, str(Path(__file__).parent))
from _lcfile import first_records, lc_file

SOURCE = "bench-lc"
FULL = 250_000
QUERIES = 200


def _ensure_records(ctx: BenchContext, count: int) -> int:
    from wenyun.catalog.imports import marc_import
    from wenyun.catalog.models import Record
    from wenyun.network.selectors import unit_get

    have = Record.objects.filter(source=SOURCE).count()
    if have < count * 0.99:
        ctx.out(f"importing {count:,} LC records for the search benchmark ...")
        marc_import(stream=first_records(lc_file(), count), owner=unit_get(code="YX-LIB"), source=SOURCE)
    return Record.objects.count()


def _queries(rng: random.Random) -> list[str]:
    import opencc
    from pypinyin import Style, lazy_pinyin

    from wenyun.catalog.demo import demo_books
    from wenyun.catalog.isbn import isbn13_to_10
    from wenyun.catalog.models import Record

    books = [b for b in demo_books() if any("\u4e00" <= c <= "\u9fff" for c in b["title"])]
    to_traditional = opencc.OpenCC("s2t")
    chinese: list[str] = []
    pinyin: list[str] = []
    english: list[str] = []
    ids: list[str] = []
    for book in rng.sample(books, 90):
        title = book["title"].split("·")[0][:6]
        chinese.append(title)
    chinese = (
        chinese[:40]
        + [to_traditional.convert(t) for t in chinese[40:60]]
        + [b["author"].split("著")[0].split("，")[0][:4] for b in rng.sample(books, 10)]
    )
    for book in rng.sample(books, 40):
        syllables = lazy_pinyin(book["title"][:4], style=Style.NORMAL)
        pinyin.append("".join(syllables) if len(pinyin) % 2 == 0 else "".join(s[0] for s in syllables))
    lc = list(
        Record.objects.filter(source=SOURCE).order_by("?").values_list("title", "isbn", "call_number")[:400]
    )
    for title, _isbn, _call in lc:
        words = [w for w in title.replace(":", " ").split() if len(w) >= 4 and w.isalpha()]
        if words:
            english.append(" ".join(words[: rng.choice((1, 2))]))
        if len(english) >= 60:
            break
    for _title, isbn, call in lc:
        if isbn and len(ids) < 15:
            ten = isbn13_to_10(isbn)
            ids.append(ten or isbn)
        if call and len(ids) < 30 and len(ids) >= 15:
            ids.append(call.split()[0][:5])
    queries = chinese + pinyin + english + ids
    rng.shuffle(queries)
    return (queries * 2)[:QUERIES]


def run(ctx: BenchContext) -> list[Measurement]:
    from wenyun.catalog import search
    from wenyun.catalog.selectors import catalog_search
    from wenyun.catalog.text import query_plan

    ctx.ensure_demo()
    total = _ensure_records(ctx, max(1000, round(FULL * ctx.scale)))
    queries = _queries(random.Random(20180913))
    backend = search.backend()
    expressions = [backend.match_expression(query_plan(q)) for q in queries]
    for q in queries[:20]:  # warm the caches
        catalog_search(q=q)
    full, bare, faceted, found = [], [], [], 0
    for q, expression in zip(queries, expressions, strict=True):
        began = time.perf_counter()
        result = catalog_search(q=q)
        full.append(time.perf_counter() - began)
        found += 1 if result.count else 0
        if hasattr(backend, "bare_match"):
            began = time.perf_counter()
            backend.bare_match(expression, limit=20)
            bare.append(time.perf_counter() - began)
        began = time.perf_counter()
        catalog_search(q=q, facets=True)
        faceted.append(time.perf_counter() - began)
    note = f"{len(queries)} queries, {found} with hits, {total:,} records, {backend.name}"
    results = []
    for pct in (50, 95):
        results.append(
            Measurement(
                "search",
                f"catalog_search with availability p{pct}",
                percentile(full, pct) * 1000,
                "ms",
                f"bare FTS5 query p{pct}",
                percentile(bare, pct) * 1000 if bare else 0.0,
                note=note if pct == 50 else "",
            )
        )
    results.append(
        Measurement(
            "search",
            "catalog_search with facets p95",
            percentile(faceted, 95) * 1000,
            "ms",
            "bare FTS5 query p95",
            percentile(bare, 95) * 1000 if bare else 0.0,
        )
    )
    return results
