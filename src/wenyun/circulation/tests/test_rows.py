"""The prepared rows of the check-out and check-in path are the rows the ORM would read and write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from wenyun.circulation.models import Loan
from wenyun.core import rows

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_a_new_loan_is_the_instance_the_constructor_makes(zhang, lib):
    copy = f.item(home=lib)
    values = dict(
        item=copy, reader=zhang, lending_unit=lib, rule=None, out_at=MONDAY, due_on=dt.date(2026, 6, 16)
    )

    quick, slow = rows.new(Loan, **values), Loan(**values)

    assert _fields(quick) == _fields(slow)
    assert (quick.item, quick.reader, quick.lending_unit, quick.rule) == (copy, zhang, lib, None)
    assert (quick._state.adding, quick.renewals, quick.lost) == (True, 0, False)


def test_the_values_written_are_the_fields_own_database_values(zhang, lib, s01):
    copy = f.item(home=lib)
    loan = rows.new(
        Loan, item=copy, reader=zhang, lending_unit=lib, out_at=MONDAY, due_on=dt.date(2026, 6, 16)
    )
    loan.returned_at = MONDAY + dt.timedelta(days=3)
    rows.relate(loan, "return_unit", s01)
    naive = dt.datetime(2026, 6, 4, 9, 30)  # a naive time takes the field's own way (made aware)
    targets = [f for f in Loan._meta.concrete_fields if not f.primary_key]

    quick = [prepare(loan) for prepare in rows._preparers(targets, connection, add=True)]
    slow = [f.get_db_prep_save(f.pre_save(loan, True), connection) for f in targets]
    loan.out_at = naive
    with pytest.warns(RuntimeWarning):
        quick_naive = rows._preparers([Loan._meta.get_field("out_at")], connection, add=False)[0](loan)
    with pytest.warns(RuntimeWarning):
        slow_naive = Loan._meta.get_field("out_at").get_db_prep_save(naive, connection)

    assert quick == slow
    assert quick_naive == slow_naive
    assert loan.return_unit == s01 and loan.return_unit_id == s01.pk


def test_a_loan_written_and_read_back_with_prepared_sql_matches_the_orm(zhang, lib):
    copy = f.item(home=lib)
    with transaction.atomic():
        loan = rows.insert(
            rows.new(
                Loan, item=copy, reader=zhang, lending_unit=lib, out_at=MONDAY, due_on=dt.date(2026, 6, 16)
            )
        )
        (read,) = rows.select(Loan, '"id" = %s', [loan.pk])

    assert _fields(read) == _fields(Loan.objects.get(pk=loan.pk))
    assert (read.out_at, read.due_on, read.returned_at) == (MONDAY, dt.date(2026, 6, 16), None)
