"""The cached matrix and calendar are read again whenever the network or the matrix changed: every
writer bumps one version (core.versions), which a check-out reads in the round trip it makes anyway."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from wenyun.catalog.services import item_type_update
from wenyun.circulation import services
from wenyun.circulation.models import CirculationRule
from wenyun.circulation.rules import snapshot
from wenyun.core import rows, versions
from wenyun.core.errors import Refused
from wenyun.network.models import Closure
from wenyun.network.services import closure_add, unit_set_hours, unit_update

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

# 14 days from Monday 1 June is Monday 15 June, when the county library is closed: due Tuesday 16th.
USUAL_DUE = dt.date(2026, 6, 16)
# What a check-out must not read once the snapshot is cached, nor the check-out path ever write.
SNAPSHOT_TABLES = (
    "circulation_circulationrule",
    "circulation_circulationsettings",
    "circulation_readercategory",
    "catalog_itemtype",
    "network_unit",
    "network_openinghours",
    "network_closure",
)


def _checkout(reader, lib, item=None):
    """Lend a copy on Monday 1 June and take it back at once (the county's row lends three)."""
    item = item or f.item(home=lib)
    loan = services.loan_checkout(reader=reader, item=item, at_unit=lib, actor=None, at=MONDAY)
    services.loan_checkin(item=item, at_unit=lib, actor=None, at=MONDAY)
    return loan


@contextlib.contextmanager
def _statements(monkeypatch):
    """Every statement run, through Django's cursors and through `rows` (which bypasses them)."""
    seen: list[str] = []
    prepared = rows.execute

    def recorded(sql, params, **kwargs):
        seen.append(sql)
        return prepared(sql, params, **kwargs)

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    monkeypatch.setattr(rows, "execute", recorded)
    with connection.execute_wrapper(wrapper):
        yield seen
    monkeypatch.setattr(rows, "execute", prepared)


def _reading(statements, table):
    return [sql for sql in statements if table in sql]


def test_a_closure_edited_in_the_admin_moves_the_next_due_date(zhang, lib, admin_client):
    # 14 days from Monday 1 June: Monday 15 June, when the library is closed every week, so Tuesday;
    # closed Tuesday and Wednesday too, so Thursday.
    closure = closure_add(
        actor=None, unit=lib, first_day=dt.date(2026, 6, 16), last_day=dt.date(2026, 6, 17), reason="维修"
    )
    first = services.loan_checkout(reader=zhang, item=f.item(home=lib), at_unit=lib, actor=None, at=MONDAY)

    # The same row, the same id, one day shorter: only the admin's change log says it changed.
    edited = admin_client.post(
        f"/admin/network/closure/{closure.pk}/change/",
        {"unit": lib.pk, "first_day": "2026-06-16", "last_day": "2026-06-16", "reason": "维修"},
    )
    second = services.loan_checkout(reader=zhang, item=f.item(home=lib), at_unit=lib, actor=None, at=MONDAY)

    assert edited.status_code == 302
    assert (first.due_on, second.due_on) == (dt.date(2026, 6, 18), dt.date(2026, 6, 17))


def test_a_closure_deleted_in_the_admin_one_at_a_time_or_from_the_list_is_seen(zhang, lib, admin_client):
    one = closure_add(actor=None, unit=lib, first_day=USUAL_DUE, last_day=USUAL_DUE, reason="维修")
    closed = _checkout(zhang, lib)
    deleted = admin_client.post(f"/admin/network/closure/{one.pk}/delete/", {"post": "yes"})
    reopened = _checkout(zhang, lib)
    other = closure_add(actor=None, unit=lib, first_day=USUAL_DUE, last_day=USUAL_DUE, reason="停电")
    closed_again = _checkout(zhang, lib)
    listed = admin_client.post(
        "/admin/network/closure/",
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    last = _checkout(zhang, lib)

    assert (deleted.status_code, listed.status_code) == (302, 302)
    assert not Closure.objects.filter(unit=lib).exists()
    assert [loan.due_on for loan in (closed, reopened, closed_again, last)] == [
        dt.date(2026, 6, 17),
        USUAL_DUE,
        dt.date(2026, 6, 17),
        USUAL_DUE,
    ]


def test_opening_hours_changed_in_the_units_admin_page_are_seen(zhang, lib, admin_client):
    first = _checkout(zhang, lib)
    form = {k: v for k, v in model_to_dict(lib).items() if v is not None and k not in ("path", "depth")}
    changed = admin_client.post(
        f"/admin/network/unit/{lib.pk}/change/",
        {
            **form,
            "opening_hours-TOTAL_FORMS": "1",
            "opening_hours-INITIAL_FORMS": "0",
            "opening_hours-0-weekday": "0",
            "opening_hours-0-opens": "09:00",
            "opening_hours-0-closes": "12:00",
        },
    )
    second = _checkout(zhang, lib)

    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert (first.due_on, second.due_on) == (USUAL_DUE, dt.date(2026, 6, 15))


def test_a_unit_changed_through_the_network_services_is_seen_at_once(lib, county_admin):
    before = snapshot().unit(lib.pk).name

    unit_update(actor=county_admin, unit=lib, name="云溪县图书馆（新馆）")

    assert (before, snapshot().unit(lib.pk).name) == ("云溪县图书馆", "云溪县图书馆（新馆）")


def test_hours_and_closures_changed_through_the_network_services_move_the_next_due_date(
    zhang, lib, county_admin
):
    usual = _checkout(zhang, lib)
    every_day = [(day, dt.time(9), dt.time(17)) for day in range(7)]
    unit_set_hours(actor=county_admin, unit=lib, periods=every_day)
    open_monday = _checkout(zhang, lib)
    monday, tuesday = dt.date(2026, 6, 15), dt.date(2026, 6, 16)
    closure_add(actor=county_admin, unit=lib, first_day=monday, last_day=tuesday, reason="维修")
    closed = _checkout(zhang, lib)

    assert [usual.due_on, open_monday.due_on, closed.due_on] == [
        USUAL_DUE,
        dt.date(2026, 6, 15),
        dt.date(2026, 6, 17),
    ]


def test_a_row_changed_or_deleted_through_the_matrix_services_is_seen(zhang, lib, county_rule, county_admin):
    usual = _checkout(zhang, lib)
    services.rule_save(actor=county_admin, rule=county_rule, loan_days=21)
    longer = _checkout(zhang, lib)
    services.rule_delete(actor=county_admin, rule=county_rule)
    by_default = _checkout(zhang, lib)

    # 21 days: Monday 22 June, closed, so Tuesday; the county default of 30 days: Wednesday 1 July.
    assert [usual.due_on, longer.due_on, by_default.due_on] == [
        USUAL_DUE,
        dt.date(2026, 6, 23),
        dt.date(2026, 7, 1),
    ]


def test_an_item_type_no_longer_lent_through_the_catalogue_is_refused_at_the_next_checkout(
    zhang, lib, book, county_admin
):
    lent = _checkout(zhang, lib)
    item_type_update(actor=county_admin, item_type=book, name=book.name, name_en=book.name_en, loanable=False)
    copy = f.item(home=lib)

    with pytest.raises(Refused) as refused:
        _checkout(zhang, lib, copy)

    assert (lent.due_on, refused.value.code) == (USUAL_DUE, "loan_limit")
    assert not copy.loans.exists()


def test_a_bulk_update_is_seen_once_its_writer_bumps_the_version(zhang, lib, county_rule):
    usual = _checkout(zhang, lib)
    CirculationRule.objects.filter(pk=county_rule.pk).update(loan_days=21)
    not_yet = _checkout(zhang, lib)
    versions.bump(versions.CIRCULATION_RULES)
    bumped = _checkout(zhang, lib)

    # The cache trusts the version: a writer that does not bump is not seen (hence the rule to bump).
    assert [usual.due_on, not_yet.due_on, bumped.due_on] == [USUAL_DUE, USUAL_DUE, dt.date(2026, 6, 23)]


def test_nothing_changed_keeps_the_same_snapshot(lib):
    assert snapshot() is snapshot()


def test_a_bump_from_any_process_retires_the_cached_copy(lib):
    cached = snapshot()
    versions.bump(versions.CIRCULATION_RULES)

    assert snapshot() is not cached


def test_a_copy_read_inside_a_change_that_was_rolled_back_is_not_taken_for_a_later_change(lib, county_admin):
    with contextlib.suppress(RuntimeError), transaction.atomic():
        unit_update(actor=county_admin, unit=lib, name="临时馆名")
        inside = snapshot().unit(lib.pk).name
        raise RuntimeError("the change fails after the cache read it")
    unit_update(actor=county_admin, unit=lib, name="云溪县图书馆（新馆）")

    # A counter would be back where it was and count the second change as the first one's number.
    assert (inside, snapshot().unit(lib.pk).name) == ("临时馆名", "云溪县图书馆（新馆）")


def test_a_checkout_reads_the_version_once_and_nothing_the_snapshot_holds(zhang, lib, monkeypatch):
    copies = [f.item(home=lib) for _ in range(3)]

    def lend(copy):
        return services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)

    _checkout(zhang, lib)
    with _statements(monkeypatch) as warm:
        lend(copies[0])
    versions.bump(versions.CIRCULATION_RULES)
    with _statements(monkeypatch) as cold:
        lend(copies[1])
    with _statements(monkeypatch) as warm_again:
        lend(copies[2])

    assert [len(_reading(s, "core_version")) for s in (warm, cold, warm_again)] == [1, 1, 1]
    assert [sql for sql in warm if any(table in sql for table in SNAPSHOT_TABLES)] == []
    assert len(warm_again) == len(warm)
    assert len(_reading(cold, "circulation_circulationrule")) == 1 and len(cold) > len(warm)


def test_the_lending_path_never_writes_what_the_snapshot_holds(zhang, lib, monkeypatch):
    copy = f.item(home=lib)
    with _statements(monkeypatch) as seen:
        loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)
        services.loan_renew(loan=loan, actor=None, at=MONDAY + dt.timedelta(days=7))
        services.loan_checkin(item=copy, at_unit=lib, actor=None, at=MONDAY + dt.timedelta(days=8))

    writes = [sql for sql in seen if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes and [sql for sql in writes if any(table in sql for table in SNAPSHOT_TABLES)] == []
