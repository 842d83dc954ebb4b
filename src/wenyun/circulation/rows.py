"""Rows of the check-out/check-in path read and written with prepared SQL instead of the ORM's compiler.

Every check-out and check-in reads and writes the same handful of rows; building each statement
through the query compiler cost several times more than running it. The statements here are built
once per model, field set and database from the models' own metadata (table, columns, converters,
`get_db_prep_save`), so a row read here is the same model instance the ORM would give and a row
written here carries the same values (no model here overrides `save` or has signal receivers).

Row locks stay in `locks.py`, which builds its statements with `select`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)

_shapes: dict[tuple[str, type], _Shape] = {}
_updates: dict[tuple[str, type, tuple[str, ...]], tuple[str, list]] = {}
_inserts: dict[tuple[str, type], tuple[str, list]] = {}


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
        self.converters: list[tuple[int, list, Any]] = []
        for index, f in enumerate(fields):
            col = f.get_col(table)
            field: Any = f
            converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if converters:
                self.converters.append((index, converters, col))

    def build(self, row: Sequence) -> Model:
        connection = connections[DEFAULT_DB_ALIAS]
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


def shape(model: type[Model]) -> _Shape:
    # By database vendor: the converters only read settings, never a connection's state.
    connection = connections[DEFAULT_DB_ALIAS]
    key = (connection.vendor, model)
    found = _shapes.get(key)
    if found is None:
        found = _shapes[key] = _Shape(model, connection)
    return found


def select(model: type[M], where: str, params: Iterable, *, tail: str = "") -> list[M]:
    """Instances of `model` from `SELECT <all columns> FROM <table> WHERE <where> <tail>` (%s placeholders)."""
    s = shape(model)
    connection = connections[DEFAULT_DB_ALIAS]
    sql = f"SELECT {s.columns} FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {where} {tail}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    return [s.build(row) for row in rows]  # type: ignore[misc]


def update(obj: Model, fields: Sequence[str]) -> None:
    """UPDATE the named fields of one saved row, as `obj.save(update_fields=fields)` does."""
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    key = (connection.vendor, model, tuple(fields))
    prepared = _updates.get(key)
    if prepared is None:
        qn = connection.ops.quote_name
        meta = model._meta
        targets: list[Any] = [meta.get_field(name) for name in fields]
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in targets), qn(meta.pk.column)
        )
        prepared = _updates[key] = (sql, targets)
    sql, targets = prepared
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in targets]
    params.append(obj.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert(obj: M) -> M:
    """INSERT a new row with every field but the primary key, as `obj.save(force_insert=True)` does."""
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    key = (connection.vendor, model)
    prepared = _inserts.get(key)
    if prepared is None:
        qn = connection.ops.quote_name
        meta = model._meta
        targets = [f for f in meta.concrete_fields if f is not meta.pk]
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
            qn(meta.db_table),
            ", ".join(qn(f.column) for f in targets),
            ", ".join(["%s"] * len(targets)),
            qn(meta.pk.column),
        )
        prepared = _inserts[key] = (sql, targets)
    sql, targets = prepared
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in targets]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj
