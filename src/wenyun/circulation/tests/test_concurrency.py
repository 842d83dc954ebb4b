"""Two desks (or kiosks) lending the same copy at the same moment: one wins, the other is told why.

Real threads, each with its own database connection, start together at a barrier; this runs on
SQLite (BEGIN IMMEDIATE queues the writers) and on PostgreSQL (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from wenyun.catalog.models import ItemStatus
from wenyun.circulation import services
from wenyun.circulation.models import CirculationEvent, Loan
from wenyun.core.errors import DomainError

from . import factories as f

ROUNDS = 8
DESKS = 4
# Naming the apps makes the flush after each test TRUNCATE ... CASCADE on PostgreSQL, which the
# catalogue's raw-SQL search table (a foreign key to catalog_record, outside the ORM) needs.
race = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        translation.activate("en")  # each thread starts in the default language
        try:
            barrier.wait()
            outcomes[index] = call()
        except DomainError as exc:
            outcomes[index] = exc
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@race
def test_four_desks_lending_one_copy_at_once_make_exactly_one_loan(county, unit):
    lib = unit("YX-LIB")
    f.rule(loan_days=14, loan_limit=50)
    readers = [f.reader(home=lib) for _ in range(DESKS)]
    for round_ in range(ROUNDS):
        copy = f.item(home=lib, barcode=f"RACE{round_:03d}")

        outcomes = _race(
            [
                (
                    lambda r=r, i=i, copy=copy: services.loan_checkout(
                        reader=r, item=copy, at_unit=lib, actor=None, via=f"sip2:k{i}"
                    )
                )
                for i, r in enumerate(readers)
            ]
        )

        won = [o for o in outcomes if isinstance(o, Loan)]
        refused = [o for o in outcomes if isinstance(o, DomainError)]
        assert len(won) == 1, outcomes
        assert [e.code for e in refused] == ["item_not_available"] * (DESKS - 1), outcomes
        assert all(
            e.message == f"RACE{round_:03d} is on loan to another reader; check it in first." for e in refused
        )
        assert Loan.objects.filter(item=copy).count() == 1
        assert CirculationEvent.objects.filter(item=copy, type="checkout").count() == 1
        copy.refresh_from_db()
        assert copy.status == ItemStatus.ON_LOAN


@race
def test_a_check_in_racing_a_renewal_leaves_one_consistent_loan(county, unit):
    lib = unit("YX-LIB")
    f.rule(loan_days=14, renewals=5)
    reader = f.reader(home=lib)
    copy = f.item(home=lib)
    import datetime as dt

    from django.utils import timezone

    out = timezone.now() - dt.timedelta(days=10)
    loan = services.loan_checkout(reader=reader, item=copy, at_unit=lib, actor=None, at=out)

    outcomes = _race(
        [
            lambda: services.loan_checkin(item=copy, at_unit=lib, actor=None),
            lambda: services.loan_renew(loan=loan, actor=None, via="portal"),
        ]
    )

    loan.refresh_from_db()
    assert loan.returned_at is not None
    assert isinstance(outcomes[0], services.CheckinResult), outcomes
    # The renewal either came first (and the check-in still ended the loan) or was told the loan had ended.
    assert isinstance(outcomes[1], Loan) or outcomes[1].code == "not_renewable", outcomes
    copy.refresh_from_db()
    assert copy.status == ItemStatus.AVAILABLE
