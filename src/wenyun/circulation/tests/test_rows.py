"""The prepared statements of the check-out, check-in and kiosk paths read and write what the ORM would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.db.models import F, Model, Sum
from django.db.models.signals import post_save, pre_save

from wenyun.catalog.models import Item
from wenyun.circulation import locks, selectors, services
from wenyun.circulation.models import CirculationEvent, Fee, Hold, Loan, Reader
from wenyun.circulation.rules import _STAMP_SQL
from wenyun.circulation.selectors import ReaderCounts
from wenyun.circulation.services import _common, loans
from wenyun.core import rows

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 20)


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def _loan(reader, copy, unit, *, due_on, returned=False, **flags) -> Loan:
    return Loan.objects.create(
        item=copy,
        reader=reader,
        lending_unit=unit,
        out_at=MONDAY,
        due_on=due_on,
        returned_at=MONDAY + dt.timedelta(days=3) if returned else None,
        **flags,
    )


@pytest.fixture
def busy(zhang, wang, lib):
    """Zhang has loans, holds and fees of every kind; Wang a loan, a hold and a fee of his own."""
    late = TODAY - dt.timedelta(days=1)
    dvd = f.item_type("dvd", "光盘")
    _loan(zhang, f.item(home=lib), lib, due_on=late)
    _loan(zhang, f.item(home=lib), lib, due_on=late, lost=True)
    _loan(zhang, f.item(home=lib), lib, due_on=late, claimed_returned=True)
    _loan(zhang, f.item(home=lib, type=dvd), lib, due_on=TODAY)
    _loan(zhang, f.item(home=lib), lib, due_on=late, returned=True)
    _loan(wang, f.item(home=lib), lib, due_on=late)
    for status in Hold.Status.values:
        Hold.objects.create(reader=zhang, record=f.record(), pickup_unit=lib, placed_at=MONDAY, status=status)
    Hold.objects.create(reader=wang, record=f.record(), pickup_unit=lib, placed_at=MONDAY)
    for amount, paid, status in [
        ("3.50", "1.00", Fee.Status.OPEN),
        ("2.00", "0.00", Fee.Status.OPEN),
        ("1.00", "1.00", Fee.Status.PAID),
        ("5.00", "0.00", Fee.Status.WAIVED),
    ]:
        Fee.objects.create(
            reader=zhang,
            kind=Fee.Kind.OVERDUE,
            amount=Decimal(amount),
            paid=Decimal(paid),
            status=status,
            unit=lib,
            created_at=MONDAY,
        )
    Fee.objects.create(reader=wang, kind=Fee.Kind.OTHER, amount=Decimal("9.00"), unit=lib, created_at=MONDAY)
    return zhang


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


def _orm_counts(reader: Reader, today: dt.date) -> ReaderCounts:
    open_loans = Loan.objects.filter(reader=reader, returned_at__isnull=True)
    holds = Hold.objects.filter(reader=reader, status__in=Hold.ACTIVE)
    fees = Fee.objects.filter(reader=reader, status=Fee.Status.OPEN)
    return ReaderCounts(
        loans=open_loans.count(),
        overdue=open_loans.filter(due_on__lt=today, lost=False, claimed_returned=False).count(),
        holds=holds.count(),
        holds_ready=holds.filter(status=Hold.Status.READY).count(),
        fees=fees.count(),
        owed=fees.aggregate(owed=Sum(F("amount") - F("paid")))["owed"].quantize(Decimal("0.01")),
    )


def test_a_readers_counts_are_what_the_orm_counts(busy):
    counts = selectors.reader_counts(reader=busy, today=TODAY)

    assert counts == _orm_counts(busy, TODAY)
    assert counts == ReaderCounts(loans=4, overdue=1, holds=3, holds_ready=1, fees=2, owed=Decimal("4.50"))


def test_a_reader_with_nothing_counts_zero_and_owes_nothing(zhang):
    assert selectors.reader_counts(reader=zhang, today=TODAY) == ReaderCounts(
        loans=0, overdue=0, holds=0, holds_ready=0, fees=0, owed=Decimal("0.00")
    )


def test_the_checkout_reads_the_readers_counts_and_the_titles_holds_as_the_orm_would(busy, lib):
    book = Loan.objects.filter(reader=busy, item__item_type__code="book").first().item
    held = f.item(home=lib, rec=Hold.objects.filter(reader=busy, status=Hold.Status.READY).get().record)

    with transaction.atomic():
        facts = loans._checkout_facts(rows.db(), reader_id=busy.pk, item=book, today=TODAY)
        held_facts = loans._checkout_facts(rows.db(), reader_id=busy.pk, item=held, today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        stamp = tuple(cursor.fetchone())

    counts = _orm_counts(busy, TODAY)
    of_type = Loan.objects.filter(reader=busy, returned_at__isnull=True, item__item_type=book.item_type)
    assert (facts.stamp, facts.overdue, facts.owed, facts.open_loans) == (
        stamp,
        counts.overdue,
        counts.owed,
        counts.loans,
    )
    assert (facts.open_of_type, facts.held) == (of_type.count(), False) == (3, False)
    assert held_facts.held is True


def test_the_checkin_reads_the_copys_open_loan_and_reader_as_the_orm_would(busy, lib):
    loan = Loan.objects.filter(reader=busy, returned_at__isnull=True).first()
    free = f.item(home=lib)

    with transaction.atomic():
        stamp, held, read = loans._checkin_facts(rows.db(), loan.item)
        _stamp, _held, none = loans._checkin_facts(rows.db(), free)
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        assert stamp == tuple(cursor.fetchone())

    assert _fields(read) == _fields(Loan.objects.get(pk=loan.pk))
    assert _fields(read.reader) == _fields(Reader.objects.get(pk=busy.pk))
    assert (held, none) == (False, None)


def test_the_holds_on_a_title_are_the_active_ones_oldest_first_as_the_orm_reads_them(zhang, wang, lib):
    title = f.record("围城")
    copy = f.item(home=lib, rec=title)
    for reader, status, hours in [
        (wang, Hold.Status.WAITING, 2),
        (zhang, Hold.Status.READY, 1),
        (zhang, Hold.Status.CANCELLED, 0),
    ]:
        Hold.objects.create(
            reader=reader,
            record=title,
            pickup_unit=lib,
            placed_at=MONDAY + dt.timedelta(hours=hours),
            status=status,
        )

    with transaction.atomic():
        read = loans._holds_on_title(copy)

    orm = Hold.objects.filter(record=title, status__in=Hold.ACTIVE).order_by("placed_at", "pk")
    assert [_fields(h) for h in read] == [_fields(h) for h in orm]
    assert [h.status for h in read] == [Hold.Status.READY, Hold.Status.WAITING]


def test_a_reader_by_card_and_a_copys_open_loan_are_the_orm_rows(busy, lib):
    loan = Loan.objects.filter(reader=busy, returned_at__isnull=True).first()

    reader = selectors.reader_by_card(card=f" {busy.card} ")
    open_loan = selectors.item_open_loan(item=loan.item)

    assert _fields(reader) == _fields(Reader.objects.get(pk=busy.pk))
    assert _fields(open_loan) == _fields(Loan.objects.get(pk=loan.pk))
    assert selectors.item_open_loan(item=f.item(home=lib)) is None


def test_the_locked_rows_are_the_orm_rows(busy, lib):
    copy = f.item(home=lib)

    with transaction.atomic():
        one_by_one = (locks.reader_lock(pk=busy.pk), locks.item_lock(pk=copy.pk))
        together = locks.reader_and_item_lock(reader_pk=busy.pk, item_pk=copy.pk)

    orm = (Reader.objects.get(pk=busy.pk), type(copy).objects.get(pk=copy.pk))
    assert [_fields(row) for row in one_by_one] == [_fields(row) for row in orm]
    assert [_fields(row) for row in together] == [_fields(row) for row in orm]


def test_an_event_written_with_prepared_sql_is_the_row_the_orm_writes(zhang, lib, library_staff):
    copy = f.item(home=lib)
    values = dict(type=CirculationEvent.Type.CHECKOUT, unit=lib, actor=library_staff, at=MONDAY, item=copy)

    with transaction.atomic():
        _common._record(**values, via="", reader=zhang, details={"loan": 7, "due": "2026-06-15"})
    # Outside a transaction (here a connection that says so) the ORM inserts the row.
    autocommit = SimpleNamespace(in_atomic_block=False, alias=connection.alias)
    _common._record(**values, via="sip2:kiosk", reader=None, db=autocommit)
    quick, outside = CirculationEvent.objects.order_by("pk")
    slow = CirculationEvent.objects.create(
        type="checkout",
        unit=lib,
        actor=library_staff,
        at=MONDAY,
        item=copy,
        reader=zhang,
        via="desk",
        details={"loan": 7, "due": "2026-06-15"},
    )

    assert {**_fields(quick), "id": None} == {**_fields(CirculationEvent.objects.get(pk=slow.pk)), "id": None}
    assert (outside.via, outside.reader_id, outside.details) == ("sip2:kiosk", None, {})


def test_a_new_event_is_the_instance_the_constructor_makes_with_its_own_details(lib):
    quick, slow = (
        rows.new(CirculationEvent, type="checkin", unit=lib, at=MONDAY),
        CirculationEvent(type="checkin", unit=lib, at=MONDAY),
    )
    other = rows.new(CirculationEvent, type="checkin", unit=lib, at=MONDAY)

    assert _fields(quick) == _fields(slow)
    assert quick.details == {} and quick.details is not other.details


# The models `rows` writes (the callers of rows.insert and rows.update: services/loans.py, and the log
# in services/_common.py). Its writes bypass save() and the save signals, so none may have either.
WRITTEN_BY_ROWS = (Loan, Item, CirculationEvent)


def _bypassed(model: type[Model]) -> list[str]:
    """What a write through `rows` would skip on this model: save() overrides and save signal receivers."""
    skipped = [
        f"{klass.__qualname__}.{name}()"
        for klass in model.__mro__
        if issubclass(klass, Model) and klass is not Model
        for name in ("save", "save_base")
        if name in vars(klass)
    ]
    return skipped + [
        f"a {signal} receiver"
        for signal, sent in [("pre_save", pre_save), ("post_save", post_save)]
        if sent.has_listeners(model)
    ]


@pytest.mark.parametrize("model", WRITTEN_BY_ROWS, ids=lambda model: model.__name__)
def test_a_model_rows_writes_has_no_save_override_nor_save_signal(model):
    assert _bypassed(model) == [], (
        f"{model.__name__} is written through core.rows, which bypasses {', '.join(_bypassed(model))}: "
        "write it through the ORM instead, or move what that code does into the service."
    )


def test_the_guard_names_a_receiver_that_a_model_rows_writes_gains():
    def on_save(sender, **kwargs):
        pass

    pre_save.connect(on_save, sender=Loan)
    try:
        assert _bypassed(Loan) == ["a pre_save receiver"]
    finally:
        pre_save.disconnect(on_save, sender=Loan)
    assert _bypassed(Loan) == []


def test_every_model_rows_has_written_a_statement_for_is_in_the_guards_list(zhang, lib):
    copy = f.item(home=lib)

    services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)
    services.loan_checkin(item=copy, at_unit=lib, actor=None, at=MONDAY)

    written = {key[1] for key in [*rows._inserts, *rows._updates]}
    assert written <= set(WRITTEN_BY_ROWS), (
        f"rows also writes {sorted(m.__name__ for m in written - set(WRITTEN_BY_ROWS))}"
    )
    assert written >= {Loan, Item, CirculationEvent}
