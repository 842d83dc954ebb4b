"""The search backends: SQLite FTS5 (the default) and PostgreSQL full text, with the same behaviour.

Both store the tokens `text.document` makes and match the plan `text.query_plan` makes, so what a
reader finds does not depend on the database. The backend is picked from the database in use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from .models import ItemStatus
from .text import COLUMNS, TEXT_COLUMNS, Alternative, Term

# How much a match in each column counts (title first, then author).
WEIGHTS = {"title": 10.0, "author": 6.0, "other": 2.0, "ids": 10.0, "py": 8.0, "ini": 8.0}


# SQLite: the mark in front of each pinyin and initial token (a bopomofo letter, which no catalogue
# text gives and FTS5 keeps as part of the token).
FTS_MARK = "\u3105"
FTS_MARKED = ("py", "ini")

# A search with up to RANK_ALL matches is ranked in full by bm25; beyond that, only CANDIDATES of
# them are (see SqliteBackend._ranked_candidates): bm25 costs about a microsecond a match, and a
# common word matches tens of thousands of records.
RANK_ALL = 2000
CANDIDATES = 500


def title_only(plan: list[Term]) -> list[Term]:
    """The plan with each word matched in the title (or identifiers, pinyin, initials) only; empty if a
    term has no such reading."""
    strict: list[Term] = []
    for term in plan:
        alternatives = tuple(
            Alternative(("title",), a.tokens, a.prefix) if a.columns == TEXT_COLUMNS else a for a in term
        )
        if not alternatives:
            return []
        strict.append(alternatives)
    return strict


@dataclass
class Filters:
    year: int | None = None
    clc_class: str = ""
    language: str = ""
    # Record ids must have a copy available at one of these units (None: no such condition).
    available_unit_ids: list[int] | None = None
    holding_unit_ids: list[int] | None = None


@dataclass
class Page:
    count: int
    ids: list[int]  # this page's record ids, best first
    top_ids: list[int] = field(default_factory=list)  # the best matches for the facets


def _where_filters(filters: Filters, params: list) -> str:
    clauses = []
    if filters.year is not None:
        clauses.append("r.year = %s")
        params.append(filters.year)
    if filters.clc_class:
        clauses.append("r.clc LIKE %s")
        params.append(filters.clc_class[:1].upper() + "%")
    if filters.language:
        clauses.append("r.language = %s")
        params.append(filters.language)
    for ids, extra, status in (
        (filters.available_unit_ids, " AND i.status = %s", ItemStatus.AVAILABLE.value),
        (filters.holding_unit_ids, " AND i.status <> %s", ItemStatus.WITHDRAWN.value),
    ):
        if ids is not None:
            marks = ", ".join(["%s"] * len(ids)) or "NULL"
            clauses.append(
                "EXISTS (SELECT 1 FROM catalog_item i WHERE i.record_id = r.id"
                f" AND i.current_unit_id IN ({marks}){extra})"
            )
            params.extend([*ids, status])
    return "".join(f" AND {c}" for c in clauses)


class SqliteBackend:
    name = "sqlite-fts5"

    def index(self, rows: Iterable[tuple[int, dict[str, list[str]]]]) -> None:
        rows = list(rows)
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM catalog_fts WHERE rowid = %s", [(pk,) for pk, _doc in rows])
            cursor.executemany(
                "INSERT INTO catalog_fts(rowid, title, author, other, ids, py, ini) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(pk, *self.index_row(doc)) for pk, doc in rows],
            )

    @staticmethod
    def index_row(doc: dict[str, list[str]]) -> tuple[str, ...]:
        """What `index_rows` stores for a document (made apart from storing, so import workers make it).

        Pinyin and initial tokens carry a mark (as on PostgreSQL), so that "s" in the initials column
        is not the same FTS5 term as the "s" of "women's": an initials query then reads only the
        records with Chinese in them, not the English half of the catalogue."""
        row = []
        for column in COLUMNS:
            tokens = doc[column]
            if tokens and column in FTS_MARKED:
                tokens = [FTS_MARK + t for t in tokens]
            row.append(" ".join(tokens))
        return tuple(row)

    def index_rows(self, rows: list[tuple[int, Any]], *, fresh: bool = False) -> None:
        """Store rows from `index_row`. `fresh`: the records are new, numbered above every earlier one."""
        if not rows:
            return
        raw = connection.connection
        if fresh:
            ids = [pk for pk, _row in rows]
            raw.execute("DELETE FROM catalog_fts WHERE rowid BETWEEN ? AND ?", (min(ids), max(ids)))
        else:
            raw.executemany("DELETE FROM catalog_fts WHERE rowid = ?", [(pk,) for pk, _row in rows])
        raw.executemany(
            "INSERT INTO catalog_fts(rowid, title, author, other, ids, py, ini) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(pk, *row) for pk, row in rows],
        )

    def remove(self, ids: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM catalog_fts WHERE rowid = %s", [(pk,) for pk in ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_fts")

    @staticmethod
    def _phrase(alt: Alternative) -> str:
        mark = FTS_MARK if alt.columns[0] in FTS_MARKED else ""
        phrase = (
            '"'
            + " ".join(mark + t.replace('"', '""') for t in alt.tokens)
            + '"'
            + (" *" if alt.prefix else "")
        )
        return "{" + " ".join(alt.columns) + "} : " + phrase

    def match_expression(self, plan: list[Term]) -> str:
        return " AND ".join("(" + " OR ".join(self._phrase(a) for a in term) + ")" for term in plan)

    def search(self, plan: list[Term], filters: Filters, *, offset: int, limit: int, top: int) -> Page:
        expression = self.match_expression(plan)
        params: list = [expression]
        where = _where_filters(filters, params)
        wanted = max(top, offset + limit)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) {self._from(where)}", params)
            count = cursor.fetchone()[0]
            if not count:
                return Page(0, [])
            if count <= RANK_ALL:
                cursor.execute(
                    f"SELECT f.rowid {self._from(where)} ORDER BY {self._bm25()}, f.rowid LIMIT %s",
                    [*params, wanted],
                )
                ranked = [row[0] for row in cursor.fetchall()]
            else:
                ranked = self._ranked_candidates(cursor, plan, expression, filters, wanted)
        return Page(count, ranked[offset : offset + limit], ranked[:top])

    @staticmethod
    def _from(where: str) -> str:
        if where:
            return f"FROM catalog_fts f JOIN catalog_record r ON r.id = f.rowid WHERE catalog_fts MATCH %s{where}"
        # No filter on the record: the index alone answers (services keep it in step with the records).
        return "FROM catalog_fts f WHERE catalog_fts MATCH %s"

    @staticmethod
    def _bm25() -> str:
        return "bm25(catalog_fts, " + ", ".join(str(WEIGHTS[c]) for c in COLUMNS) + ")"

    def _ranked_candidates(
        self, cursor, plan: list[Term], expression: str, filters: Filters, wanted: int
    ) -> list[int]:
        """The order of a search with more matches than bm25 can rank in time (a common word).

        The records that match in the title (or identifiers, pinyin, initials) come first, then the
        others. Within each of these two tiers, the newest CANDIDATES are ranked by bm25, and the rest
        follow newest first. Each read goes through the index in rowid order and stops at its limit,
        so bm25 never scores more than CANDIDATES rows, however common the words, and the reads stop
        once the page is full. Every page is a slice of this one order."""
        title_plan = title_only(plan)
        tiers = [expression]
        if title_plan:
            title_expression = self.match_expression(title_plan)
            tiers = [title_expression, f"({expression}) NOT ({title_expression})"]
        ranked: list[int] = []
        for tier in tiers:
            if len(ranked) >= wanted:
                break
            params: list = [tier]
            where = _where_filters(filters, params)
            cursor.execute(
                f"SELECT f.rowid, {self._bm25()} {self._from(where)} ORDER BY f.rowid DESC LIMIT %s",
                [*params, CANDIDATES],
            )
            scored = sorted((score, -pk) for pk, score in cursor.fetchall())
            ranked.extend(-negative for _score, negative in scored)
            if len(scored) == CANDIDATES and len(ranked) < wanted:
                cursor.execute(
                    f"SELECT f.rowid {self._from(where)} ORDER BY f.rowid DESC LIMIT %s OFFSET %s",
                    [*params, wanted - len(ranked), CANDIDATES],
                )
                ranked.extend(row[0] for row in cursor.fetchall())
        return ranked[:wanted]

    def bare_match(self, expression: str, *, limit: int) -> list[int]:
        """The FTS5 query alone, no join or filter: the bare limit the search benchmark compares with."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH %s ORDER BY rank LIMIT %s",
                [expression, limit],
            )
            return [row[0] for row in cursor.fetchall()]


# PostgreSQL: the columns are told apart by weight (A title, B author, C other) and, for the
# identifier, pinyin and initial columns (weight D), by a marker in front of each token.
PG_WEIGHT = {"title": "A", "author": "B", "other": "C", "ids": "D", "py": "D", "ini": "D"}
PG_MARKER = {"title": "", "author": "", "other": "", "ids": "#", "py": "~", "ini": "^"}


def _pg_quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresBackend:
    name = "postgresql"

    @staticmethod
    def tsvector_literal(doc: dict[str, list[str]]) -> str:
        positions: dict[str, list[str]] = {}
        position = 1
        for column in COLUMNS:
            weight = PG_WEIGHT[column]
            for token in doc[column]:
                if position > 16383:
                    break
                key = PG_MARKER[column] + token
                places = positions.setdefault(key, [])
                if len(places) < 255:
                    places.append(f"{position}{weight}")
                position += 1
            position += 10  # no phrase runs from one column into the next
        return " ".join(f"{_pg_quote(token)}:{','.join(places)}" for token, places in positions.items())

    def index(self, rows: Iterable[tuple[int, dict[str, list[str]]]]) -> None:
        rows = list(rows)
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO catalog_searchdoc(record_id, doc) VALUES (%s, %s::tsvector) "
                "ON CONFLICT (record_id) DO UPDATE SET doc = EXCLUDED.doc",
                [(pk, self.tsvector_literal(doc)) for pk, doc in rows],
            )

    index_row = tsvector_literal

    def index_rows(self, rows: list[tuple[int, Any]], *, fresh: bool = False) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO catalog_searchdoc(record_id, doc) VALUES (%s, %s::tsvector) "
                "ON CONFLICT (record_id) DO UPDATE SET doc = EXCLUDED.doc",
                rows,
            )

    def remove(self, ids: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_searchdoc WHERE record_id = ANY(%s)", [list(ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_searchdoc")

    @staticmethod
    def _phrase(alt: Alternative) -> str:
        text_columns = alt.columns == TEXT_COLUMNS
        marker = "" if text_columns else PG_MARKER[alt.columns[0]]
        label = ":" + ("*" if alt.prefix else "") + ("ABC" if text_columns else "")
        parts = []
        for i, token in enumerate(alt.tokens):
            last = i == len(alt.tokens) - 1
            suffix = label if last else (":ABC" if text_columns else "")
            parts.append(_pg_quote(marker + token) + (suffix if suffix != ":" else ""))
        return "(" + " <-> ".join(parts) + ")"

    def match_expression(self, plan: list[Term]) -> str:
        return " & ".join("(" + " | ".join(self._phrase(a) for a in term) + ")" for term in plan)

    def search(self, plan: list[Term], filters: Filters, *, offset: int, limit: int, top: int) -> Page:
        expression = self.match_expression(plan)
        params: list = [expression]
        where = _where_filters(filters, params)
        base = (
            "FROM catalog_searchdoc d JOIN catalog_record r ON r.id = d.record_id, "
            "CAST(%s AS tsquery) q WHERE d.doc @@ q" + where
        )
        weights = "'{0.2, 0.2, 0.6, 1.0}'"
        order = f"ORDER BY ts_rank({weights}, d.doc, q) DESC, r.id"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) {base}", params)
            count = cursor.fetchone()[0]
            if not count:
                return Page(0, [])
            cursor.execute(f"SELECT r.id {base} {order} LIMIT %s", [*params, max(top, offset + limit)])
            ranked = [row[0] for row in cursor.fetchall()]
        return Page(count, ranked[offset : offset + limit], ranked[:top])


def backend() -> SqliteBackend | PostgresBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
