"""Rows read and written with prepared SQL instead of the ORM's compiler, on the hot paths only.

Each app uses it on its own tables only (circulation's check-out and check-in path, catalogue's copy
state that circulation changes through catalogue's service); it is here, in core, so that an app need
not reach into another's private module for it.

Every check-out and check-in reads and writes the same handful of rows, and every kiosk message
reads a reader or a copy; building each statement through the query compiler cost several times
more than running it. The statements here are built once per model, field set and database from the
models' own metadata (table, columns, converters, `get_db_prep_save`), so a row read here is the
same model instance the ORM would give and a row written here carries the same values. A write here
bypasses `save()` and the save signals: no model written here may have either
(circulation/tests/test_rows.py names the models and fails on one that gains them).

The statements run on the DB-API connection under Django's transaction (`execute`): Django's
cursor wrapper (its per-statement connection lookups, placeholder rewriting and wrapper chain) cost
about as much as SQLite running the statement. Driver errors are still turned into Django's
(`IntegrityError` and the rest), and a statement outside a transaction is refused.

Used by circulation (its services, and its row locks in `circulation/locks.py`, which build their
statements with `select`) and by the selectors of the kiosk path (circulation's and catalog's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

_shapes: dict[tuple[str, type], _Shape] = {}
_updates: dict[tuple[str, type, tuple[str, ...]], tuple[str, list]] = {}
_inserts: dict[tuple[str, type], tuple[str, list, bool]] = {}
_selects: dict[tuple[str, type, str, str], str] = {}
_texts: dict[tuple[str, str], str] = {}


def db() -> BaseDatabaseWrapper:
    """This thread's connection: looked up once per service call rather than once per statement."""
    return connections[DEFAULT_DB_ALIAS]


def _text(connection: BaseDatabaseWrapper, sql: str) -> str:
    """The statement as the driver takes it: sqlite3 wants ? where Django's SQL says %s."""
    key = (connection.vendor, sql)
    found = _texts.get(key)
    if found is None:
        found = _texts[key] = sql.replace("%s", "?") if connection.vendor == "sqlite" else sql
    return found


def execute(sql: str, params: Sequence, *, connection: BaseDatabaseWrapper | None = None) -> Any:
    """Run one statement (%s placeholders) inside the current transaction; the DB-API cursor is returned."""
    connection = connection or db()
    if not connection.in_atomic_block:
        raise TransactionManagementError("The check-out and check-in statements run inside a transaction.")
    cursor = connection.connection.cursor()
    with connection.wrap_database_errors:
        cursor.execute(_text(connection, sql), params)
    return cursor


class _Shape:
    """A model's columns as a SELECT list, with the converters that turn database values into Python."""

    def __init__(self, model: type[Model], connection) -> None:
        qn = connection.ops.quote_name
        table = model._meta.db_table
        fields = model._meta.concrete_fields
        self.model = model
        self.width = len(fields)
        self.attnames = [f.attname for f in fields]
        # Filled in directly, as unpickling does, unless something listens for a model's construction.
        self.direct = not (pre_init.has_listeners(model) or post_init.has_listeners(model))
        self.columns = ", ".join(f"{qn(table)}.{qn(f.column)}" for f in fields)
        # For `new`: every field's default, and the fields whose default is made afresh for each row.
        made = [f for f in fields if f.has_default() and callable(f.default)]
        self.defaults = {f.attname: f.get_default() for f in fields if f not in made}
        self.made = [(f.name, f.attname, f.get_default) for f in made]
        self.converters: list[tuple[int, list, Any]] = []
        for index, f in enumerate(fields):
            col = f.get_col(table)
            field: Any = f
            converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if converters:
                self.converters.append((index, converters, col))

    def build(self, row: Sequence, connection: BaseDatabaseWrapper | None = None) -> Model:
        connection = connection or db()
        if self.converters:
            row = list(row)
            for index, converters, col in self.converters:
                value = row[index]
                for converter in converters:
                    value = converter(value, col, connection)
                row[index] = value
        if not self.direct:
            return self.model.from_db(connection.alias, (), row)
        obj = self.model.__new__(self.model)
        state = ModelState()
        state.adding, state.db = False, connection.alias
        values = obj.__dict__
        values["_state"] = state
        values.update(zip(self.attnames, row, strict=True))
        return obj


_relations: dict[type, dict[str, str]] = {}


def relations(model: type[Model]) -> dict[str, str]:
    """{field name: attname} of the model's forward relations."""
    found = _relations.get(model)
    if found is None:
        found = _relations[model] = {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}
    return found


def new(model: type[M], **values: Any) -> M:
    """An unsaved instance, as `model(**values)` makes it, filled in directly (values by field name;
    a related object sets its id and is kept as the cached relation)."""
    connection = db()
    s = shape(model, connection)
    if not s.direct:
        return model(**values)
    obj = model.__new__(model)
    state = ModelState()
    attributes = obj.__dict__
    attributes["_state"] = state
    attributes.update(s.defaults)
    for field_name, field_attname, make in s.made:
        if field_name not in values and field_attname not in values:
            attributes[field_attname] = make()
    related = relations(model)
    for name, value in values.items():
        attname = related.get(name)
        if attname is None or attname == name:
            attributes[name] = value
        else:
            attributes[attname] = None if value is None else value.pk
            state.fields_cache[name] = value
    return obj


def relate(obj: Model, name: str, value: Model | None) -> None:
    """`obj.<name> = value` for a forward relation, without the descriptor's checks and router calls."""
    attname = relations(type(obj))[name]
    obj.__dict__[attname] = None if value is None else value.pk
    obj._state.fields_cache[name] = value


# (vendor, datetime, adapted) for the last aware datetime: a service writes the same moment several
# times. One tuple, read and replaced whole, so threads never see half of another's.
_last_moment: tuple = (None, None, None)


def moment(value, connection: BaseDatabaseWrapper) -> Any:
    """`connection.ops.adapt_datetimefield_value(value)`, remembered for the last aware datetime."""
    global _last_moment
    vendor, seen, adapted = _last_moment
    if seen is value and vendor == connection.vendor:
        return adapted
    adapted = connection.ops.adapt_datetimefield_value(value)
    if value is not None and value.tzinfo is not None:
        _last_moment = (connection.vendor, value, adapted)
    return adapted


# Field types whose get_db_prep_save hands a value of the right Python type through unchanged.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _preparers(fields: Sequence[Any], connection: BaseDatabaseWrapper, *, add: bool) -> list:
    """For each field, a quicker equivalent of `field.get_db_prep_save(field.pre_save(obj, add), connection)`.

    Plain values go through as they are; dates and aware datetimes go straight to the backend's
    adapter; anything else (a naive datetime, an auto_now field, another type) takes the field's own way.
    """
    ops = connection.ops

    def full(field):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, add), connection)

    def plain(attname):
        return lambda obj: getattr(obj, attname)

    def aware(field):
        slow = full(field)

        def prepare(obj):
            value = getattr(obj, field.attname)
            if value is None:
                return None
            if value.tzinfo is None:
                return slow(obj)
            return moment(value, connection)

        return prepare

    def day(field):
        return lambda obj: ops.adapt_datefield_value(getattr(obj, field.attname))

    preparers = []
    for field in fields:
        kind = field.get_internal_type()
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            preparers.append(full(field))
        elif kind in _PLAIN:
            preparers.append(plain(field.attname))
        elif kind == "DateTimeField":
            preparers.append(aware(field))
        elif kind == "DateField":
            preparers.append(day(field))
        else:
            preparers.append(full(field))
    return preparers


def shape(model: type[Model], connection: BaseDatabaseWrapper | None = None) -> _Shape:
    # By database vendor: the converters only read settings, never a connection's state.
    connection = connection or db()
    key = (connection.vendor, model)
    found = _shapes.get(key)
    if found is None:
        found = _shapes[key] = _Shape(model, connection)
    return found


def select(
    model: type[M],
    where: str,
    params: Iterable,
    *,
    tail: str = "",
    connection: BaseDatabaseWrapper | None = None,
) -> list[M]:
    """Instances of `model` from `SELECT <all columns> FROM <table> WHERE <where> <tail>` (%s placeholders)."""
    connection = connection or db()
    s = shape(model, connection)
    key = (connection.vendor, model, where, tail)
    sql = _selects.get(key)
    if sql is None:
        table = connection.ops.quote_name(model._meta.db_table)
        sql = _selects[key] = f"SELECT {s.columns} FROM {table} WHERE {where} {tail}"
    rows = execute(sql, list(params), connection=connection).fetchall()
    return [s.build(row, connection) for row in rows]  # type: ignore[misc]


def update(obj: Model, fields: Sequence[str], *, connection: BaseDatabaseWrapper | None = None) -> None:
    """UPDATE the named fields of one saved row, as `obj.save(update_fields=fields)` does."""
    model = type(obj)
    connection = connection or db()
    key = (connection.vendor, model, tuple(fields))
    prepared = _updates.get(key)
    if prepared is None:
        qn = connection.ops.quote_name
        meta = model._meta
        targets: list[Any] = [meta.get_field(name) for name in fields]
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in targets), qn(meta.pk.column)
        )
        prepared = _updates[key] = (sql, _preparers(targets, connection, add=False))
    sql, preparers = prepared
    params = [prepare(obj) for prepare in preparers]
    params.append(obj.pk)
    execute(sql, params, connection=connection)


def insert(obj: M, *, connection: BaseDatabaseWrapper | None = None) -> M:
    """INSERT a new row with every field but the primary key, as `obj.save(force_insert=True)` does."""
    model = type(obj)
    connection = connection or db()
    key = (connection.vendor, model)
    prepared = _inserts.get(key)
    if prepared is None:
        qn = connection.ops.quote_name
        meta = model._meta
        targets = [f for f in meta.concrete_fields if f is not meta.pk]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(meta.db_table), ", ".join(qn(f.column) for f in targets), ", ".join(["%s"] * len(targets))
        )
        # On SQLite an auto-increment id is the row's rowid, which the cursor hands over as lastrowid:
        # RETURNING cost SQLite some 20 µs more a row. Elsewhere the id comes back with RETURNING.
        rowid = connection.vendor == "sqlite" and meta.pk.get_internal_type() in _AUTO_FIELDS
        if not rowid:
            sql += f" RETURNING {qn(meta.pk.column)}"
        prepared = _inserts[key] = (sql, _preparers(targets, connection, add=True), rowid)
    sql, preparers, rowid = prepared
    params = [prepare(obj) for prepare in preparers]
    cursor = execute(sql, params, connection=connection)
    obj.pk = cursor.lastrowid if rowid else cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


_AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
