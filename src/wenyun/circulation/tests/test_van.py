"""The van's runs: which run a waiting copy goes on, sending and receiving a run, the page and its manifests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from wenyun.catalog.models import ItemStatus
from wenyun.circulation import selectors, services
from wenyun.circulation.models import CirculationEvent, DeliveryRoute, Transit
from wenyun.core.errors import DomainError

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
WEDNESDAY = dt.date(2026, 6, 3)


@pytest.fixture
def routes(lib, s01, v01, s02):
    """城关线 on Wednesdays (library, station 1, its first village); 二线 on Fridays (library, station 2)."""
    first = DeliveryRoute.objects.create(name="城关线", weekday=2)
    first.stops.set([lib, s01, v01])
    second = DeliveryRoute.objects.create(name="二线", weekday=4)
    second.stops.set([lib, s02])
    return first, second


def _returned_at(copy, *, reader, lent_at, back_at, at=MONDAY):
    services.loan_checkout(reader=reader, item=copy, at_unit=lent_at, actor=None, at=at)
    services.loan_checkin(item=copy, at_unit=back_at, actor=None, at=at + DAY)
    return Transit.objects.get(item=copy, received_at__isnull=True)


def test_each_waiting_copy_goes_on_the_route_that_stops_at_both_ends(routes, zhang, lib, v01, s02):
    first, _second = routes
    to_village = _returned_at(f.item(home=v01, barcode="VAN-V1"), reader=zhang, lent_at=v01, back_at=lib)
    to_station = _returned_at(f.item(home=s02, barcode="VAN-S2"), reader=zhang, lent_at=s02, back_at=lib)

    board = selectors.van_runs(units=None, today=dt.date(2026, 6, 2))

    assert [(r.route.name, r.day, [t.item.barcode for t in r.waiting]) for r in board] == [
        ("城关线", WEDNESDAY, ["VAN-V1"]),
        ("二线", dt.date(2026, 6, 5), ["VAN-S2"]),
    ]
    # Planned for Wednesday, only 城关线's copy goes on Wednesday's run (the library is on both routes).
    services.transit_runs_plan(day=WEDNESDAY)
    to_village.refresh_from_db()
    to_station.refresh_from_db()
    assert (to_village.run.route, to_station.run) == (first, None)


def test_a_stop_hands_over_only_its_own_copies_and_a_stranger_changes_nothing(
    routes, zhang, lib, v01, s01, village_manager, other_station_manager
):
    first, _second = routes
    from_village = _returned_at(f.item(home=lib, barcode="VAN-L1"), reader=zhang, lent_at=lib, back_at=v01)
    from_library = _returned_at(f.item(home=v01, barcode="VAN-V1"), reader=zhang, lent_at=v01, back_at=lib)
    events = CirculationEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        services.delivery_run_send(route=first, day=WEDNESDAY, actor=other_station_manager)
    assert (refused.value.code, refused.value.message) == (
        "unit_forbidden",
        "You may not hand copies to the 城关线 van: none of its stops is your unit.",
    )
    assert (CirculationEvent.objects.count(), first.runs.count()) == (events, 0)

    run, sent = services.delivery_run_send(route=first, day=WEDNESDAY, actor=village_manager)

    from_village.refresh_from_db()
    from_library.refresh_from_db()
    assert sent == 1
    assert (from_village.run, from_village.sent_at is not None) == (run, True)
    assert (from_library.run, from_library.sent_at) == (None, None)
    assert run.sent_at is not None and run.day == WEDNESDAY
    sent_event = CirculationEvent.objects.get(type="transit_sent")
    assert (sent_event.item.barcode, sent_event.details["run"], sent_event.details["to"]) == (
        "VAN-L1",
        run.pk,
        "YX-LIB",
    )


def test_a_reader_account_cannot_hand_copies_to_the_van(routes, zhang, lib, v01, reader_account):
    first, _second = routes
    transit = _returned_at(f.item(home=lib, barcode="VAN-L1"), reader=zhang, lent_at=lib, back_at=v01)

    with pytest.raises(DomainError) as refused:
        services.delivery_run_send(route=first, day=WEDNESDAY, actor=reader_account)

    transit.refresh_from_db()
    assert refused.value.code == "unit_forbidden"
    assert (transit.sent_at, first.runs.count()) == (None, 0)


def test_receiving_a_run_checks_its_copies_in_where_they_arrive(routes, zhang, lib, v01, library_staff):
    first, _second = routes
    copy = f.item(home=lib, barcode="VAN-L1")
    transit = _returned_at(copy, reader=zhang, lent_at=lib, back_at=v01)
    run, _sent = services.delivery_run_send(route=first, day=WEDNESDAY, actor=None)

    results = services.delivery_run_receive(run=run, at_unit=lib, actor=library_staff)

    transit.refresh_from_db()
    copy.refresh_from_db()
    assert [(r.item.barcode, r.action) for r in results] == [("VAN-L1", "shelve")]
    assert transit.received_at is not None
    assert (copy.status, copy.current_unit) == (ItemStatus.AVAILABLE, lib)
    assert list(CirculationEvent.objects.filter(item=copy).order_by("pk").values_list("type", flat=True)) == [
        "checkout",
        "transit_created",
        "checkin",
        "transit_sent",
        "transit_received",
        "checkin",
    ]


def test_a_unit_cannot_receive_for_another(routes, zhang, lib, v01, village_manager):
    first, _second = routes
    transit = _returned_at(f.item(home=lib, barcode="VAN-L1"), reader=zhang, lent_at=lib, back_at=v01)
    run, _sent = services.delivery_run_send(route=first, day=WEDNESDAY, actor=None)
    events = CirculationEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        services.delivery_run_receive(run=run, at_unit=lib, actor=village_manager)

    transit.refresh_from_db()
    assert refused.value.code == "unit_forbidden"
    assert (transit.received_at, CirculationEvent.objects.count()) == (None, events)


# ---------------------------------------------------------------- the page


def _client(user, lang="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_van_page_shows_each_route_its_next_run_and_overdue_copies(
    routes, zhang, lib, v01, s02, library_staff
):
    _returned_at(f.item(home=v01, barcode="VAN-V1"), reader=zhang, lent_at=v01, back_at=lib)  # weeks ago
    fresh = f.item(home=s02, barcode="VAN-S2")
    services.loan_checkout(reader=zhang, item=fresh, at_unit=s02, actor=None)
    services.loan_checkin(item=fresh, at_unit=lib, actor=None)

    page = _client(library_staff).get("/staff/circulation/van/").content.decode()

    assert 'href="/staff/circulation/van/"' in page  # the nav entry
    first, second = page.index("城关线"), page.index("二线")
    assert first < page.index("VAN-V1") < second < page.index("VAN-S2")
    assert page.count('class="overdue">2026-06-02 overdue</td>') == 1
    assert page.count('data-testid="send"') == 2


def test_a_station_manager_sees_only_the_routes_that_stop_at_his_units(
    routes, zhang, lib, v01, s02, station_manager
):
    _returned_at(f.item(home=v01, barcode="VAN-V1"), reader=zhang, lent_at=v01, back_at=lib)

    page = _client(station_manager, lang="zh-hans").get("/staff/circulation/van/").content.decode()

    assert "城关线" in page and "二线" not in page
    assert "VAN-V1" in page and "班车" in page


def test_sending_and_receiving_from_the_page(routes, zhang, lib, v01, village_manager, library_staff):
    first, _second = routes
    copy = f.item(home=lib, barcode="VAN-L1")
    _returned_at(copy, reader=zhang, lent_at=lib, back_at=v01)
    day = selectors.next_run_day(weekday=2, today=timezone.localdate())

    sent = _client(village_manager).post(
        f"/staff/circulation/van/{first.pk}/send/", {"day": day.isoformat()}, follow=True
    )
    run = first.runs.get()
    road = _client(library_staff).get("/staff/circulation/van/").content.decode()
    received = _client(library_staff).post(
        f"/staff/circulation/van/runs/{run.pk}/receive/", {"unit": "YX-LIB"}, follow=True
    )

    assert f"1 copies handed to the 城关线 van of {day.isoformat()}." in sent.content.decode()
    assert "Mark received at 云溪县图书馆" in road
    assert "1 copies received at 云溪县图书馆 off the 城关线 van." in received.content.decode()
    copy.refresh_from_db()
    assert (copy.status, copy.current_unit) == (ItemStatus.AVAILABLE, lib)


def test_a_wrong_day_is_named_and_nothing_is_sent(routes, zhang, lib, v01, library_staff):
    first, _second = routes
    transit = _returned_at(f.item(home=lib, barcode="VAN-L1"), reader=zhang, lent_at=lib, back_at=v01)

    page = _client(library_staff).post(
        f"/staff/circulation/van/{first.pk}/send/", {"day": "next week"}, follow=True
    )

    transit.refresh_from_db()
    assert "The day next week is not a date (YYYY-MM-DD)." in page.content.decode()
    assert (transit.sent_at, first.runs.count()) == (None, 0)


def test_the_manifest_prints_on_a4_and_on_58_mm_paper(routes, zhang, lib, v01, s01, library_staff):
    first, _second = routes
    _returned_at(
        f.item(home=v01, barcode="VAN-V1", rec=f.record("围城")), reader=zhang, lent_at=v01, back_at=lib
    )
    _returned_at(f.item(home=s01, barcode="VAN-S1"), reader=zhang, lent_at=s01, back_at=lib)
    client = _client(library_staff)
    url = f"/staff/circulation/van/{first.pk}/manifest/?day={WEDNESDAY.isoformat()}"

    a4 = client.get(url).content.decode()
    thermal = client.get(url + "&paper=58").content.decode()

    assert "@page{size:A4" in a4 and "@page{size:58mm" in thermal
    for page in (a4, thermal):
        assert "2 copies" in page
        assert (
            page.index(f"→ {s01.name}")
            < page.index("VAN-S1")
            < page.index(f"→ {v01.name}")
            < page.index("VAN-V1")
        )
        assert "围城" in page
