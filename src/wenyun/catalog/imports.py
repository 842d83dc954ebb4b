"""Bringing records and copies in from other systems, and sending them out again as MARC.

An import runs in batches, each in its own transaction: stopping it part-way leaves every batch it
committed whole and no half record. A record that cannot be read is skipped with its position and
the reason; the others import. Importing the same file again changes nothing: a record matches an
earlier one by its control number (001) within its source, then by ISBN.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import marshal
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wenyun.core import uploads, versions
from wenyun.core.errors import DomainError
from wenyun.core.normalise import date_parse, plain, price_parse
from wenyun.network.models import Unit

from . import search, services
from .extract import NEEDED_TAGS, Extracted, Holding, extract
from .isbn import isbn_parse
from .marc import (
    MarcError,
    MarcRecord,
    Position,
    cut_iso2709,
    detect_flavour,
    guess_format,
    parse_iso2709,
    read_marcxml,
    split_iso2709,
    to_iso2709,
    to_marcxml,
)
from .models import CatalogEvent, Item, ItemStatus, ItemType, Record

BATCH = 5000  # records per transaction: each commit of a large import checkpoints the WAL
MAX_PROBLEMS = 1000  # a report lists this many problems in full; the counts are always complete


@dataclass
class ImportReport:
    file: str
    format: str
    flavour: str
    encoding: str
    source: str
    owner: str
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    matched_by_isbn: int = 0
    skipped: int = 0
    items_added: int = 0
    items_unchanged: int = 0
    items_skipped: int = 0
    invalid_isbns: int = 0
    encodings: dict[str, int] = field(default_factory=dict)
    # Which encoding each record was read in, as runs of records: [{"from": 1, "to": 500, "encoding": "utf-8"}, ...]
    encoding_runs: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    item_problems: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def skip(self, pos: Position, reason: str) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"record": pos.number, "offset": pos.offset, "reason": reason})

    def item_problem(self, pos: Position, barcode: str, reason: str) -> None:
        if len(self.item_problems) < MAX_PROBLEMS:
            self.item_problems.append({"record": pos.number, "barcode": barcode, "reason": reason})

    def as_dict(self) -> dict:
        return asdict(self)


class _Incoming:
    """One record ready to store, as small as it can be: workers send it to the main process.

    Its column values are one tuple in the order they are inserted (`INSERTED`), made in the worker,
    so that the main process, which alone writes and is the import's narrowest part, only passes
    them on to the database."""

    __slots__ = (
        "control_number",
        "holdings",
        "index_row",
        "isbn",
        "isbn_invalid",
        "marc",
        "pos",
        "row",
        "source",
    )

    def __init__(
        self, pos: Position, marc: bytes, source: str, data: Extracted, values: dict, index_row: Callable
    ) -> None:
        self.pos = pos
        self.marc = marc
        self.source = source
        self.control_number = data.control_number
        self.isbn = values["isbn"]
        self.isbn_invalid = bool(data.isbn and not data.isbn.valid)
        self.holdings = data.holdings
        self.row = tuple([values[name] for name in INSERTED])
        # The search index's row for the record, made here (in a worker, for large files).
        self.index_row = index_row(services.document_of(values))

    @property
    def values(self) -> dict:
        return dict(zip(INSERTED, self.row, strict=True))

    def packed(self, *, marc_in_file: bool) -> tuple:
        """What a worker sends: plain tuples of plain values, which `marshal` writes four times faster
        than pickle writes objects. The MARC is left out when it is the file's own bytes, which the
        main process has already."""
        row = self.row
        return (
            None if marc_in_file else self.marc,
            self.source,
            self.control_number,
            self.isbn_invalid,
            [tuple(vars(h).values()) for h in self.holdings],
            (*row[:_MARC_AT], None, *row[_MARC_AT + 1 :]),
            self.index_row,
        )

    @classmethod
    def unpacked(cls, pos: Position, packed: tuple, marc: bytes) -> _Incoming:
        incoming = cls.__new__(cls)
        (
            kept,
            incoming.source,
            incoming.control_number,
            incoming.isbn_invalid,
            holdings,
            row,
            incoming.index_row,
        ) = packed
        incoming.holdings = [Holding(*h) for h in holdings]
        incoming.pos = pos
        marc = incoming.marc = marc if kept is None else kept
        incoming.row = (*row[:_MARC_AT], marc, *row[_MARC_AT + 1 :])
        incoming.isbn = row[_ISBN_AT]
        return incoming


class _NewRecord:
    """A record this import adds, until it is inserted: its number and its row (a model instance
    for each of 250,000 records would cost a tenth of an import)."""

    __slots__ = ("index_row", "pk", "row")

    def __init__(self, incoming: _Incoming) -> None:
        self.pk = 0  # numbered when inserted
        self.row = incoming.row
        self.index_row = incoming.index_row

    @property
    def marc(self) -> bytes:
        return self.row[_MARC_AT]

    @property
    def isbn(self) -> str:
        return self.row[_ISBN_AT]

    @property
    def call_number(self) -> str:
        return self.row[_CALL_NUMBER_AT]


def _prepare(
    pos: Position,
    item: bytes | MarcRecord | MarcError,
    *,
    encoding: str,
    flavour: str,
    holdings_map: dict | None,
    source: str,
    owner_code: str,
    index_row: Callable,
) -> tuple[Position, _Incoming | str, str]:
    """Read, extract and tokenise one record: (position, the record or why it is skipped, encoding).

    Pure (no database), so that large files are prepared in worker processes."""
    if isinstance(item, MarcError):
        return pos, str(item), ""
    try:
        if isinstance(item, bytes):
            tags = NEEDED_TAGS if holdings_map is None else NEEDED_TAGS | frozenset(holdings_map)
            rec = parse_iso2709(item, encoding=encoding, flavour=flavour, tags=tags)
            rec_flavour = flavour if flavour != "auto" else detect_flavour(rec)
            if rec.raw:
                kept = rec.raw
            else:
                full = parse_iso2709(item, encoding=rec.encoding, flavour=flavour)
                kept = to_iso2709(full, flavour=rec_flavour)
        else:
            rec = item
            rec_flavour = flavour if flavour != "auto" else detect_flavour(rec)
            kept = to_iso2709(rec, flavour=rec_flavour)
    except MarcError as exc:
        return pos, str(exc), ""
    data = extract(rec, flavour=rec_flavour, holdings_map=holdings_map)
    if not data.title:
        reason = _("the record has no title (%(field)s)") % {
            "field": "200$a" if rec_flavour == "unimarc" else "245$a"
        }
        return pos, reason, rec.encoding
    record_source = (source or data.control_source or f"import:{owner_code}")[:60]
    values = _record_values(data, marc=kept, flavour=rec_flavour, source=record_source)
    return pos, _Incoming(pos, kept, record_source, data, values, index_row), rec.encoding


# The file being imported, as the worker processes see it (they are forked after it is set).
_shared_data = b""


def _prepare_many(job: tuple[list[tuple[int, int, int | MarcError]], dict]) -> bytes:
    """Prepare a run of records cut from the shared file; each comes back as (number, offset, the
    record packed or why it is skipped, encoding), the run written with `marshal`."""
    items, options = job
    data = _shared_data
    out: list[tuple] = []
    for number, offset, length in items:
        if isinstance(length, MarcError):
            out.append((number, offset, str(length), ""))
            continue
        chunk = data[offset : offset + length]
        _pos, result, used = _prepare(Position(number, offset), chunk, **options)
        if isinstance(result, _Incoming):
            out.append((number, offset, result.packed(marc_in_file=result.marc is chunk), used))
        else:
            out.append((number, offset, result, used))
    return marshal.dumps(out)


def _worker_started() -> None:
    # The main process, which alone writes, is the import's narrowest part: where the workers and it
    # want the same core, it goes first. The workers run ahead of it and lose nothing by waiting.
    os.nice(WORKER_NICENESS)


WORKER_NICENESS = 5
WORKER_CHUNK = 500  # records a worker prepares at a time
PARALLEL_FROM = 2_000_000  # bytes: a smaller file is prepared faster than worker processes start


def _prepared(data: bytes, *, format: str, workers: int, options: dict) -> Iterator[tuple]:
    """Each record prepared, in file order; ISO 2709 files of some size are prepared in parallel."""
    if format == "marcxml":
        for pos, rec in read_marcxml(data):
            yield _prepare(pos, rec, **options)
        return
    if workers <= 1 or len(data) < PARALLEL_FROM:
        for pos, chunk in split_iso2709(data):
            yield _prepare(pos, chunk, **options)
        return
    import multiprocessing

    language = translation.get_language()

    def jobs():
        # Only where each record lies goes to a worker: it has the file's bytes from the fork. This
        # runs in the pool's feeding thread, which must word the reasons a record cannot be cut out
        # of the file in the importer's language.
        translation.activate(language)
        part: list = []
        for place in cut_iso2709(data):
            part.append(place)
            if len(part) >= WORKER_CHUNK:
                yield part, options
                part = []
        if part:
            yield part, options

    global _shared_data
    _shared_data = data
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_started) as pool:
            for results in pool.imap(_prepare_many, jobs()):
                for number, offset, result, used in marshal.loads(results):
                    pos = Position(number, offset)
                    if isinstance(result, tuple):
                        marc = (
                            data[offset : offset + int(data[offset : offset + 5])]
                            if result[0] is None
                            else b""
                        )
                        yield pos, _Incoming.unpacked(pos, result, marc), used
                    else:
                        yield pos, result, used
    finally:
        _shared_data = b""


def marc_import(
    *,
    stream: BinaryIO | bytes,
    owner,
    actor=None,
    name: str = "",
    format: str = "auto",
    flavour: str = "auto",
    encoding: str = "auto",
    source: str = "",
    holdings_map: dict[str, dict[str, str]] | None = None,
    batch_size: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
    workers: int = 0,
    limits: bool = False,
    copies: bool = True,
) -> ImportReport:
    """Import a MARC file's records (and copies from its holdings fields) for the owner unit.

    `copies=False`: the records only, whatever holdings fields they carry (a vendor's records sent
    with a shipment: the copies are made one by one as they are received).

    `limits`: refuse a file past IMPORT_MAX_BYTES or IMPORT_MAX_ROWS records before reading it (an
    upload; `wenyun import-marc` reads the files its operator chose, of any size)."""
    if actor is not None:
        from wenyun.network.access import require_manage

        services.require_cataloguer(actor)
        require_manage(actor, owner)
    started = time.monotonic()
    workers = workers or min(4, os.cpu_count() or 1)
    data = stream if isinstance(stream, bytes) else stream.read()
    if limits:
        uploads.marc_check(data=data, filename=name)
    if format == "auto":
        format = guess_format(data[:200])
    report = ImportReport(
        file=name, format=format, flavour=flavour, encoding=encoding, source=source, owner=owner.code
    )
    context = _Context.load(owner)
    context.copies = copies
    batch: list[_Incoming] = []

    def flush() -> None:
        if batch:
            _store_batch(batch, context=context, report=report)
            batch.clear()
        if progress:
            progress(report.read, len(data))

    options = {
        "encoding": encoding,
        "flavour": flavour,
        "holdings_map": holdings_map,
        "source": source,
        "owner_code": owner.code,
        # The search backend's row maker, picked once (finding the backend costs more than the row).
        "index_row": search.backend().index_row,
    }
    # A large import holds many young objects and makes no reference cycles: the cyclic collector,
    # which would walk them again and again, is paused until the import is done.
    collecting = gc.isenabled()
    gc.disable()
    checkpoint_every = _wal_checkpoint_every(BULK_CHECKPOINT_PAGES)
    try:
        for pos, result, used_encoding in _prepared(data, format=format, workers=workers, options=options):
            report.read += 1
            if used_encoding:
                report.encodings[used_encoding] = report.encodings.get(used_encoding, 0) + 1
                runs = report.encoding_runs
                if runs and runs[-1]["encoding"] == used_encoding and runs[-1]["to"] == pos.number - 1:
                    runs[-1]["to"] = pos.number
                else:
                    runs.append({"from": pos.number, "to": pos.number, "encoding": used_encoding})
            if isinstance(result, str):
                report.skip(pos, result)
                if on_problem:
                    on_problem(
                        _("record %(number)s (byte %(offset)s): %(reason)s")
                        % {"number": pos.number, "offset": pos.offset, "reason": result}
                    )
                continue
            batch.append(result)
            if len(batch) >= batch_size:
                flush()
        flush()
    finally:
        if collecting:
            gc.enable()
        _wal_checkpoint_every(checkpoint_every)
    report.seconds = round(time.monotonic() - started, 3)
    CatalogEvent.objects.create(
        type=CatalogEvent.Type.MARC_IMPORTED,
        at=timezone.now(),
        unit=owner,
        actor=actor,
        details={
            k: v
            for k, v in report.as_dict().items()
            if k not in ("problems", "item_problems", "encoding_runs")
        },
    )
    return report


# SQLite: during an import, this connection copies the write-ahead log into the database every so
# many pages instead of every 1,000 (about every fourth batch rather than at each commit). Each copy
# ends with an fsync the import waits for; what is committed is as safe either way.
BULK_CHECKPOINT_PAGES = 20_000


def _wal_checkpoint_every(pages: int | None) -> int | None:
    """Set this connection's WAL auto-checkpoint (SQLite only); returns the setting it replaced."""
    from django.db import connection

    if pages is None or connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    raw = connection.connection
    before = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    raw.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    return before


@dataclass
class _Context:
    owner: Unit
    units: dict[str, Unit]
    item_types: dict[str, ItemType]
    default_type: ItemType
    copies: bool = True

    @classmethod
    def load(cls, owner) -> _Context:
        units = {u.code.upper(): u for u in Unit.objects.all()}
        types = {t.code.upper(): t for t in ItemType.objects.all()}
        default = types.get("BOOK") or next(iter(types.values()), None)
        if default is None:
            default, created = ItemType.objects.get_or_create(
                code="book", defaults={"name": "图书", "name_en": "Book"}
            )
            if created:
                versions.bump(versions.CIRCULATION_RULES)
            types["BOOK"] = default
        return cls(owner, units, types, default)


# An enum member's value costs half a microsecond to look up, a record at a time.
_UNIMARC, _MARC21 = Record.Format.UNIMARC.value, Record.Format.MARC21.value


def _record_values(d: Extracted, *, marc: bytes, flavour: str, source: str) -> dict:
    return {
        "source": source,
        "control_number": d.control_number,
        "marc_format": _UNIMARC if flavour == "unimarc" else _MARC21,
        "marc": marc,
        "title": d.title,
        "title_vernacular": d.title_vernacular,
        "responsibility": d.responsibility,
        "authors": "; ".join(a for a in d.authors if a not in d.responsibility)[:2000],
        "publisher": d.publisher,
        "year": d.year if d.year and d.year < 32767 else None,
        "isbn": d.isbn.isbn13 if d.isbn and d.isbn.valid else "",
        "isbn_valid": not (d.isbn and not d.isbn.valid),
        "isbn_raw": d.isbn.raw[:40] if d.isbn and not d.isbn.valid else "",
        "clc": d.clc,
        "call_number": d.call_number,
        "language": d.language[:3],
        "subjects": "; ".join(d.subjects),
    }


UPDATABLE = [
    "marc_format",
    "marc",
    "title",
    "title_vernacular",
    "responsibility",
    "authors",
    "publisher",
    "year",
    "isbn",
    "isbn_valid",
    "isbn_raw",
    "clc",
    "call_number",
    "language",
    "subjects",
]


def _present(column: str, values: Iterable[str], *, source: str | None = None) -> list[str]:
    """Which of these values records already have in a column (control_number or isbn).

    Asked with the whole list as one parameter: building an ORM query with thousands of parameters
    costs more than the query, and a new file matches nothing."""
    from django.db import connection

    assert column in ("control_number", "isbn")
    where = f"{column} IN (SELECT value FROM json_each(%s))"
    params: list[Any] = [json.dumps(list(values))]
    if connection.vendor == "postgresql":
        where = f"{column} = ANY(%s)"
        params = [list(values)]
    if source is not None:
        where += " AND source = %s"
        params.append(source)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {column} FROM catalog_record WHERE {where}", params)
        return [row[0] for row in cursor.fetchall()]


def _store_batch(batch: list[_Incoming], *, context: _Context, report: ImportReport) -> None:
    with transaction.atomic():
        # Match by control number within the source, then by ISBN.
        keys = {(i.source, i.control_number) for i in batch if i.control_number}
        existing: dict[tuple[str, str], Record] = {}
        by_source: dict[str, list[str]] = {}
        for src, number in keys:
            by_source.setdefault(src, []).append(number)
        for src, numbers in by_source.items():
            found = _present("control_number", numbers, source=src)
            if found:
                for r in Record.objects.filter(source=src, control_number__in=found):
                    existing[(r.source, r.control_number)] = r
        isbns = {i.isbn for i in batch if i.isbn}
        by_isbn: dict[str, Any] = {}
        found_isbns = _present("isbn", isbns) if isbns else []
        if found_isbns:
            for r in Record.objects.filter(isbn__in=found_isbns).defer("marc").order_by("pk"):
                by_isbn.setdefault(r.isbn, r)
        new: list[tuple[_Incoming, _NewRecord]] = []
        changed: list[Record] = []
        targets: list[tuple[_Incoming, Any]] = []
        seen: dict[tuple[str, str], Any] = {}
        seen_bytes: dict[tuple[str, bytes], Any] = {}
        for incoming in batch:
            isbn = incoming.isbn
            if incoming.isbn_invalid:
                report.invalid_isbns += 1
            key = (incoming.source, incoming.control_number)
            match = existing.get(key) if incoming.control_number else None
            match = match or (seen.get(key) if incoming.control_number else None)
            if match is not None:
                if bytes(match.marc or b"") == incoming.marc:
                    report.unchanged += 1
                elif isinstance(match, _NewRecord):
                    # The same record twice in a batch: the later one is inserted, and indexed.
                    match.row, match.index_row = incoming.row, incoming.index_row
                    report.updated += 1
                else:
                    values = incoming.values
                    for name in UPDATABLE:
                        setattr(match, name, values[name])
                    if match.pk and match not in changed:
                        changed.append(match)
                    report.updated += 1
                targets.append((incoming, match))
                continue
            if not incoming.control_number and not isbn:
                # Nothing to match on but the record itself: the same bytes from the same source.
                same = seen_bytes.get((incoming.source, incoming.marc)) or (
                    Record.objects.filter(source=incoming.source, marc=incoming.marc).defer("marc").first()
                )
                if same is not None:
                    report.unchanged += 1
                    targets.append((incoming, same))
                    continue
            isbn_match = by_isbn.get(isbn) if isbn else None
            if isbn_match is not None:
                report.matched_by_isbn += 1
                targets.append((incoming, isbn_match))
                continue
            record = _NewRecord(incoming)
            new.append((incoming, record))
            targets.append((incoming, record))
            if incoming.control_number:
                seen[key] = record
            if isbn:
                by_isbn.setdefault(isbn, record)
            if not incoming.control_number and not isbn:
                # Only such a record is looked up by its bytes (hashing them costs a microsecond).
                seen_bytes[(incoming.source, incoming.marc)] = record
        created = _insert_records([r for _i, r in new])
        report.added += len(created)
        if changed:
            Record.objects.bulk_update(changed, UPDATABLE, batch_size=500)
        backend = search.backend()
        if created:
            backend.index_rows([(r.pk, r.index_row) for _i, r in new], fresh=True)
        if changed:
            rows = {id(record): incoming.index_row for incoming, record in targets if record is not None}
            backend.index_rows([(r.pk, rows[id(r)]) for r in changed], fresh=False)
        if context.copies:
            _store_items(targets, context=context, report=report)


INSERTED = [
    "source",
    "control_number",
    "marc_format",
    "marc",
    "title",
    "title_vernacular",
    "responsibility",
    "authors",
    "publisher",
    "year",
    "isbn",
    "isbn_valid",
    "isbn_raw",
    "clc",
    "call_number",
    "language",
    "subjects",
]
_MARC_AT = INSERTED.index("marc")
_ISBN_AT = INSERTED.index("isbn")
_CALL_NUMBER_AT = INSERTED.index("call_number")


def _insert_records(records: list[_NewRecord], chunk: int = 400) -> list[_NewRecord]:
    """Insert new records with one multi-row INSERT ... RETURNING per chunk (what bulk_create does, less
    its per-field overhead, which is most of an import's time)."""
    from django.db import connection

    if records and connection.vendor == "sqlite":
        return _insert_records_sqlite(records)

    if not records:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = [*INSERTED, "created_at", "updated_at"]
    table = connection.ops.quote_name(Record._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(records), chunk):
            part = records[start : start + chunk]
            params: list = []
            for r in part:
                params.extend(r.row)
                params.extend((now, now))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(part))} RETURNING id",
                params,
            )
            for record, (pk,) in zip(part, cursor.fetchall(), strict=True):
                record.pk = pk
    return records


def _insert_records_sqlite(records: list[_NewRecord]) -> list[_NewRecord]:
    """SQLite: number the new records from the table's sequence and insert them with one executemany.

    The batch's transaction holds SQLite's write lock (BEGIN IMMEDIATE), so no one else takes these
    numbers; the table is AUTOINCREMENT, so SQLite moves its sequence past them and never reuses them."""
    from django.db import connection

    table = Record._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    raw = connection.connection
    last = raw.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    top = raw.execute(f'SELECT max(id) FROM "{table}"').fetchone()
    next_id = max(last[0] if last else 0, top[0] or 0) + 1
    columns = ["id", *INSERTED, "created_at", "updated_at"]
    rows = []
    for pk, r in enumerate(records, start=next_id):
        r.pk = pk
        rows.append((pk, *r.row, now, now))
    names = ", ".join(f'"{c}"' for c in columns)
    raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["?"] * len(columns))})', rows)
    return records


def _store_items(
    targets: list[tuple[_Incoming, Record | None]], *, context: _Context, report: ImportReport
) -> None:
    wanted = [(i, r, h) for i, r in targets if r is not None for h in i.holdings]
    if not wanted:
        return
    barcodes = {h.barcode for _i, _r, h in wanted if h.barcode}
    taken = set(Item.objects.filter(barcode__in=barcodes).values_list("barcode", flat=True))
    now = timezone.now()
    items: list[Item] = []
    for incoming, record, holding in wanted:
        if not holding.barcode:
            report.items_skipped += 1
            report.item_problem(incoming.pos, "", _("the holding has no barcode"))
            continue
        if holding.barcode in taken:
            report.items_unchanged += 1
            continue
        taken.add(holding.barcode)
        home = context.units.get(holding.home_unit.upper()) if holding.home_unit else None
        if home is None:
            if holding.home_unit:
                report.item_problem(
                    incoming.pos,
                    holding.barcode,
                    _("unknown unit %(code)s: the copy is at %(owner)s")
                    % {"code": holding.home_unit, "owner": context.owner.code},
                )
            home = context.owner
        current = context.units.get(holding.current_unit.upper(), home) if holding.current_unit else home
        item_type = context.item_types.get(holding.item_type.upper(), context.default_type)
        items.append(
            Item(
                barcode=holding.barcode,
                record_id=record.pk,
                home_unit=home,
                current_unit=current,
                item_type=item_type,
                status=holding.status,
                location=holding.location,
                call_number=holding.call_number or record.call_number,
                price=_holding_price(holding),
                acquired_on=_holding_date(holding),
                status_changed_at=now,
                notes=holding.notes,
            )
        )
    Item.objects.bulk_create(items, batch_size=500)
    report.items_added += len(items)


def _holding_price(h: Holding):
    from decimal import Decimal, InvalidOperation

    match = re.search(r"\d+(?:\.\d+)?", h.price or "")
    if not match:
        return None
    try:
        price = Decimal(match.group())
    except InvalidOperation:
        return None
    return price.quantize(Decimal("0.01")) if price < 10_000_000 else None


def _holding_date(h: Holding) -> dt.date | None:
    match = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", h.acquired_on or "")
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Export


EXPORT_ENCODINGS = ("utf-8", "marc8", "gb18030")


@dataclass
class ExportReport:
    records: int = 0
    # (record id, tag) of each field with characters MARC-8 has no code for, written as &#xXXXX;
    references: list[tuple[int, str]] = field(default_factory=list)


def marc_export(
    *, out: BinaryIO, format: str = "iso2709", encoding: str = "utf-8", records=None
) -> ExportReport:
    """Write the records as they were kept: ISO 2709 in UTF-8, MARC-8 or GB18030, or MARCXML (UTF-8).

    Records are kept in UTF-8 and written unchanged in UTF-8. In MARC-8 (leader/09 blank) a character
    no MARC-8 set has is written as the reference `&#xXXXX;`, as the Library of Congress does, and the
    report names the record and field; the import reads such references back."""
    if encoding not in EXPORT_ENCODINGS:
        raise DomainError(
            _("%(encoding)s is not an encoding MARC records are written in (utf-8, marc8, gb18030).")
            % {"encoding": encoding},
            code="bad_encoding",
        )
    if format == "marcxml" and encoding != "utf-8":
        raise DomainError(_("MARCXML is written in UTF-8 only."), code="bad_encoding")
    queryset = records if records is not None else Record.objects.order_by("pk")
    report = ExportReport()
    rows = queryset.values_list("pk", "marc", "marc_format").iterator(chunk_size=2000)
    if format == "marcxml":
        text_out = io.TextIOWrapper(out, encoding="utf-8", newline="\n")

        def parsed() -> Iterator[MarcRecord]:
            for _pk, marc, _flavour in rows:
                if marc:
                    report.records += 1
                    yield parse_iso2709(bytes(marc), encoding="utf-8")

        to_marcxml(parsed(), text_out)
        text_out.flush()
        text_out.detach()
        return report
    for pk, marc, flavour in rows:
        if not marc:
            continue
        report.records += 1
        if encoding == "utf-8":
            out.write(bytes(marc))
            continue
        record = parse_iso2709(bytes(marc), encoding="utf-8")
        record.raw = b""
        if encoding == "marc8":
            report.references.extend((pk, f.tag) for f in record.fields if _unencodable(f))
        out.write(to_iso2709(record, flavour=flavour, encoding=encoding))
    return report


def _unencodable(f) -> bool:
    from .marc8 import unencodable

    texts = [f.value] if f.is_control else [v for _c, v in f.subfields]
    return any(not text.isascii() and unencodable(text) for text in texts)


# ---------------------------------------------------------------------------------------------
# Copies from a migration file (CSV or XLSX)

ITEM_HEADERS = {
    "barcode": ("barcode", "条码号", "条码"),
    "record_id": ("record_id", "记录号"),
    "isbn": ("isbn",),
    "unit": ("unit", "馆藏单位"),
    "location": ("location", "馆藏地点"),
    "item_type": ("item_type", "文献类型"),
    "price": ("price", "价格"),
    "call_number": ("call_number", "索书号"),
    "acquired_on": ("acquired_on", "acquired", "入藏日期", "购入日期", "登录日期"),
}


@dataclass
class ItemsReport:
    file: str
    rows: int = 0
    added: int = 0
    problems: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _table_rows(path: str | os.PathLike, content: bytes | None = None) -> list[list[str]]:
    """The rows of a CSV (UTF-8 or GB18030) or XLSX file, as text."""
    filename = os.path.basename(str(path))
    if content is None:
        uploads.size_check(size=Path(path).stat().st_size, filename=filename)
    data = content if content is not None else Path(path).read_bytes()
    return uploads.table_rows(data=data, filename=filename)


def items_import(*, path: str | os.PathLike, actor=None, content: bytes | None = None) -> ItemsReport:
    """Import copies from a migration file; a bad row is reported with its line number, good rows import."""
    from wenyun.network.access import user_can_manage_unit
    from wenyun.network.models import Unit

    rows = _table_rows(path, content)
    report = ItemsReport(file=os.path.basename(str(path)))
    if not rows:
        raise DomainError(_("%(file)s is empty.") % {"file": report.file}, code="file_empty")
    header = [plain(h).lower() for h in rows[0]]
    columns: dict[str, int] = {}
    for name, aliases in ITEM_HEADERS.items():
        for index, h in enumerate(header):
            if h in aliases:
                columns[name] = index
    missing = [n for n in ("barcode", "unit") if n not in columns]
    if "record_id" not in columns and "isbn" not in columns:
        missing.append("record_id/isbn")
    if missing:
        raise DomainError(
            _("%(file)s has no column %(columns)s in its header row.")
            % {"file": report.file, "columns": ", ".join(missing)},
            code="header_missing",
        )
    units = {u.code.upper(): u for u in Unit.objects.all()}
    types = {t.code.upper(): t for t in ItemType.objects.all()}
    types.update({t.name.upper(): t for t in ItemType.objects.all()})
    default_type = types.get("BOOK")
    seen: set[str] = set()
    good: list[Item] = []
    now = timezone.now()

    def cell(row: list[str], name: str) -> str:
        # Full-width digits and letters (a Chinese input method's) as ASCII: barcodes, ISBNs, prices.
        index = columns.get(name)
        return plain(row[index]) if index is not None and index < len(row) else ""

    for line, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        report.rows += 1
        barcode = cell(row, "barcode")
        try:
            barcode = services._barcode(barcode)
            if barcode in seen:
                raise DomainError(
                    _("the barcode %(barcode)s appears twice in the file") % {"barcode": barcode}
                )
            record = _row_record(cell(row, "record_id"), cell(row, "isbn"))
            unit_code = cell(row, "unit")
            unit = units.get(unit_code.upper())
            if unit is None:
                raise DomainError(_("there is no unit with the code %(code)s") % {"code": unit_code})
            if actor is not None and not user_can_manage_unit(actor, unit):
                raise DomainError(_("%(unit)s is outside your unit") % {"unit": unit.name})
            type_name = cell(row, "item_type")
            item_type = types.get(type_name.upper()) if type_name else default_type
            if item_type is None:
                raise DomainError(_("there is no item type %(type)s") % {"type": type_name})
            price = price_parse(cell(row, "price"))
            acquired_on = date_parse(cell(row, "acquired_on"))
        except DomainError as exc:
            report.problems.append({"line": line, "barcode": barcode, "reason": exc.message})
            continue
        seen.add(barcode)
        good.append(
            Item(
                barcode=barcode,
                record=record,
                home_unit=unit,
                current_unit=unit,
                item_type=item_type,
                status=ItemStatus.AVAILABLE,
                location=cell(row, "location")[:60],
                call_number=(cell(row, "call_number") or record.call_number)[:60],
                price=price,
                acquired_on=acquired_on,
                status_changed_at=now,
            )
        )
    taken = set(Item.objects.filter(barcode__in=[i.barcode for i in good]).values_list("barcode", flat=True))
    if taken:
        line_of = {cell(row, "barcode"): line for line, row in enumerate(rows[1:], start=2)}
        for barcode in sorted(taken):
            report.problems.append(
                {
                    "line": line_of.get(barcode, 0),
                    "barcode": barcode,
                    "reason": _("the barcode %(barcode)s is already on another copy") % {"barcode": barcode},
                }
            )
        good = [i for i in good if i.barcode not in taken]
    report.problems.sort(key=lambda p: p["line"])
    with transaction.atomic():
        Item.objects.bulk_create(good, batch_size=500)
        if good:
            CatalogEvent.objects.create(
                type=CatalogEvent.Type.ITEMS_IMPORTED,
                at=now,
                unit=good[0].home_unit,
                actor=actor,
                details={"file": report.file, "added": len(good), "problems": len(report.problems)},
            )
    report.added = len(good)
    return report


def _row_record(record_id: str, isbn: str) -> Record:
    if record_id:
        if not record_id.isdigit():
            raise DomainError(_("the record number %(id)s is not a number") % {"id": record_id})
        record = Record.objects.filter(pk=int(record_id)).first()
        if record is None:
            raise DomainError(_("there is no record number %(id)s") % {"id": record_id})
        return record
    if not isbn:
        raise DomainError(_("the row gives neither a record number nor an ISBN"))
    parsed = isbn_parse(isbn)
    if parsed is None or not parsed.valid:
        raise DomainError(_("%(isbn)s is not a valid ISBN") % {"isbn": isbn})
    matches = list(Record.objects.filter(isbn=parsed.isbn13).order_by("pk")[:2])
    if not matches:
        raise DomainError(_("no record has the ISBN %(isbn)s") % {"isbn": isbn})
    if len(matches) > 1:
        raise DomainError(
            _("several records have the ISBN %(isbn)s: give the record number") % {"isbn": isbn}
        )
    return matches[0]
