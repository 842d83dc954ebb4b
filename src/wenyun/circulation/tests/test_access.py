"""Who may find, see and change which readers (PIPL: the minimum necessary).

Borrow anywhere stays: a reader is found at every desk by the exact card, and lends, returns, renews
and pays at every unit. Searching by name, phone or identity number finds only the readers of the
staff member's own subtree; marking lost, claiming returned, blocking, waiving, cancelling a hold and
editing a reader are for the staff of the unit the loan, reader, fee or hold belongs to, or the county.
Every look at and change of a reader by staff is recorded, append-only, for county administrators.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from wenyun.catalog.models import ItemStatus
from wenyun.circulation import selectors, services
from wenyun.circulation.models import CirculationEvent, Fee, Hold, Loan, Reader, ReaderAccess
from wenyun.core.errors import Forbidden

from . import factories as f

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def _client(user, lang="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def _api(api_client, user):
    client = api_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def zhao(county_rule, s02, adult):
    """A reader of 东坝镇 (YX-S02), another township than the village manager's (YX-S01-V01)."""
    return services.reader_register(
        actor=None,
        card="YX0200",
        name="赵六",
        category=adult,
        home_unit=s02,
        phone="13800001234",
        id_number=ID_NUMBER,
    )


@pytest.fixture
def zhao_loan(zhao, s02):
    """赵六's loan, lent at 东坝镇's station, with a price: declaring it lost would charge 30 yuan."""
    copy = f.item(home=s02, barcode="S02-0001", rec=f.record("白鹿原"), price=Decimal("30.00"))
    return services.loan_checkout(reader=zhao, item=copy, at_unit=s02, actor=None)


@pytest.fixture
def zhao_hold(zhao, s02):
    wanted = f.record("红高粱")
    f.item(home=s02, rec=wanted)
    return services.hold_place(reader=zhao, record=wanted, pickup_unit=s02, actor=None)


@pytest.fixture
def zhao_fee(zhao, zhao_loan, s02):
    return Fee.objects.create(
        reader=zhao,
        loan=zhao_loan,
        kind=Fee.Kind.OTHER,
        amount=Decimal("2.00"),
        unit=s02,
        created_at=zhao_loan.out_at,
    )


def _events() -> list[str]:
    return list(CirculationEvent.objects.order_by("pk").values_list("type", flat=True))


# ---------------------------------------------------------------- finding readers


def test_a_village_managers_search_by_name_phone_or_id_number_finds_no_reader_of_another_township(
    api_client, village_manager, zhao
):
    client = _api(api_client, village_manager)

    by_name = client.get("/api/v1/readers", {"q": "赵"})
    by_phone = client.get("/api/v1/readers", {"q": "13800001234"})
    by_id = client.get("/api/v1/readers", {"q": ID_NUMBER})
    page = _client(village_manager).get("/staff/circulation/readers/", {"q": "赵"})

    assert (by_name.status_code, by_name.json()) == (200, [])
    assert (by_phone.status_code, by_phone.json()) == (200, [])
    assert (by_id.status_code, by_id.json()) == (200, [])
    assert page.status_code == 200
    assert "赵六" not in page.content.decode() and "No reader found." in page.content.decode()


def test_a_station_managers_search_finds_the_readers_of_his_township_by_name_phone_and_id_number(
    api_client, other_station_manager, zhao
):
    client = _api(api_client, other_station_manager)

    cards = [
        [r["card"] for r in client.get("/api/v1/readers", {"q": q}).json()]
        for q in ("赵", "13800001234", ID_NUMBER.lower())
    ]
    page = _client(other_station_manager).get("/staff/circulation/readers/", {"q": "赵"}).content.decode()

    assert cards == [["YX0200"], ["YX0200"], ["YX0200"]]
    assert "赵六" in page and "/staff/circulation/?card=YX0200" in page


def test_a_county_administrator_searches_every_reader(api_client, county_admin, zhao):
    found = _api(api_client, county_admin).get("/api/v1/readers", {"q": "赵"}).json()

    assert [r["card"] for r in found] == ["YX0200"]


def test_the_exact_card_still_finds_a_reader_of_another_township_with_the_phone_masked(
    api_client, village_manager, zhao
):
    client = _api(api_client, village_manager)

    by_card = client.get("/api/v1/readers", {"q": "YX0200"}).json()
    one = client.get("/api/v1/readers/YX0200").json()
    desk = _client(village_manager).get("/staff/circulation/?card=YX0200").content.decode()

    assert [r["card"] for r in by_card] == ["YX0200"]
    assert (one["name"], one["phone"], one["id_number"]) == ("赵六", "138****1234", "**************002X")
    assert "赵六" in desk and "138****1234" in desk and "13800001234" not in desk


def test_within_the_subtree_the_phone_is_shown_whole(api_client, other_station_manager, zhao):
    one = _api(api_client, other_station_manager).get("/api/v1/readers/YX0200").json()

    assert one["phone"] == "13800001234"


# ---------------------------------------------------------------- borrow anywhere


def test_a_village_manager_lends_takes_back_renews_and_takes_payment_for_a_reader_of_another_township(
    village_manager, zhao, zhao_fee, v01
):
    copy = f.item(home=v01, barcode="V01-0001")

    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    loan = services.loan_checkout(reader=zhao, item=copy, at_unit=v01, actor=village_manager, at=ten_days_ago)
    renewed = services.loan_renew(loan=loan, actor=village_manager)
    back = services.loan_checkin(item=copy, at_unit=v01, actor=village_manager)
    paid = services.fee_pay(fee=zhao_fee, actor=village_manager, at_unit=v01)

    assert (renewed.renewals, back.action, paid.status) == (1, "shelve", Fee.Status.PAID)


# ---------------------------------------------------------------- consequential actions


def test_a_village_manager_marking_another_townships_loan_lost_gets_403_and_the_loan_is_unchanged(
    village_manager, zhao_loan, s02
):
    before = _events()

    response = _client(village_manager).post(f"/staff/circulation/loans/{zhao_loan.pk}/lost/")

    assert response.status_code == 403
    assert (
        f"This loan belongs to {s02.name}; only its staff or the county can mark it lost."
        in response.content.decode()
    )
    loan = Loan.objects.get(pk=zhao_loan.pk)
    assert (loan.lost, loan.returned_at, loan.item.status) == (False, None, ItemStatus.ON_LOAN)
    assert Fee.objects.count() == 0
    assert _events() == before


def test_the_refusal_to_mark_lost_speaks_chinese_on_the_chinese_page(village_manager, zhao_loan, s02):
    response = _client(village_manager, lang="zh-hans").post(f"/staff/circulation/loans/{zhao_loan.pk}/lost/")

    assert response.status_code == 403
    assert (
        f"这笔借阅属于{s02.name}；只有该单位的工作人员或县级管理员可以将其登记为丢失。"
        in response.content.decode()
    )


def test_the_service_refuses_to_mark_another_townships_copy_lost_whatever_desk_is_named(
    village_manager, zhao_loan, v01
):
    with pytest.raises(Forbidden) as refused:
        services.item_mark_lost(item=zhao_loan.item, actor=village_manager, at_unit=v01)

    assert refused.value.code == "loan_forbidden"
    assert Loan.objects.get(pk=zhao_loan.pk).lost is False


def test_claiming_another_townships_loan_returned_is_refused_over_the_web(village_manager, zhao_loan, s02):
    before = _events()

    response = _client(village_manager).post(f"/staff/circulation/loans/{zhao_loan.pk}/claim-returned/")

    assert response.status_code == 403
    assert (
        f"This loan belongs to {s02.name}; only its staff or the county can record it as claimed returned."
        in response.content.decode()
    )
    loan = Loan.objects.get(pk=zhao_loan.pk)
    assert (loan.claimed_returned, loan.item.status) == (False, ItemStatus.ON_LOAN)
    assert _events() == before


def test_cancelling_another_units_hold_is_refused(village_manager, zhao_hold, s02):
    before = _events()

    response = _client(village_manager).post(f"/staff/circulation/holds/{zhao_hold.pk}/cancel/")
    with pytest.raises(Forbidden):
        services.hold_cancel(hold=zhao_hold, actor=village_manager)

    assert response.status_code == 403
    assert (
        f"This hold is to be collected at {s02.name}; only its staff, the reader's home unit or the county "
        "can cancel it." in html.unescape(response.content.decode())
    )
    assert Hold.objects.get(pk=zhao_hold.pk).status == Hold.Status.WAITING
    assert _events() == before


def test_blocking_a_reader_of_another_township_is_refused(village_manager, zhao, s02):
    before = _events()

    response = _client(village_manager).post(
        "/staff/circulation/readers/YX0200/block/", {"action": "block", "reason": "恶意"}
    )
    with pytest.raises(Forbidden):
        services.reader_unblock(actor=village_manager, reader=zhao)

    assert response.status_code == 403
    assert (
        f"This reader belongs to {s02.name}; only its staff or the county can block or unblock the card."
        in response.content.decode()
    )
    assert Reader.objects.get(pk=zhao.pk).manual_block == ""
    assert _events() == before


def test_waiving_another_townships_fee_is_refused(village_manager, zhao_fee, v01, s02):
    response = _client(village_manager).post(
        f"/staff/circulation/fees/{zhao_fee.pk}/?unit=YX-S01-V01", {"action": "waive", "reason": "免"}
    )

    assert response.status_code == 403
    assert (
        f"This fee was charged at {s02.name}; only its staff or the county can waive it."
        in response.content.decode()
    )
    fee = Fee.objects.get(pk=zhao_fee.pk)
    assert (fee.status, fee.note) == (Fee.Status.OPEN, "")


def test_editing_a_reader_of_another_township_is_refused(village_manager, zhao, s02):
    with pytest.raises(Forbidden) as refused:
        services.reader_update(actor=village_manager, reader=zhao, name="赵七", phone="13900000000")

    assert refused.value.message == (
        f"This reader belongs to {s02.name}; only its staff or the county can change the reader's details."
    )
    assert Reader.objects.values_list("name", "phone").get(pk=zhao.pk) == ("赵六", "13800001234")


def test_refusals_over_the_api_are_403_json_naming_why(api_client, village_manager):
    response = _api(api_client, village_manager).get("/api/v1/reader-access")

    assert response.status_code == 403
    assert response.json() == {
        "error": "county_admin_only",
        "message": "Only a county administrator may do this.",
    }


def test_a_county_administrator_marks_lost_blocks_cancels_and_waives_anywhere(
    county_admin, zhao, zhao_loan, zhao_hold, zhao_fee
):
    admin = _client(county_admin)

    lost = admin.post(f"/staff/circulation/loans/{zhao_loan.pk}/lost/?unit=YX-S02")
    blocked = admin.post("/staff/circulation/readers/YX0200/block/", {"action": "block", "reason": "恶意"})
    cancelled = admin.post(f"/staff/circulation/holds/{zhao_hold.pk}/cancel/")
    waived = admin.post(
        f"/staff/circulation/fees/{zhao_fee.pk}/?unit=YX-S02", {"action": "waive", "reason": "免"}
    )

    assert [r.status_code for r in (lost, blocked, cancelled, waived)] == [302, 302, 302, 302]
    assert Loan.objects.get(pk=zhao_loan.pk).lost is True
    assert Reader.objects.get(pk=zhao.pk).manual_block == "恶意"
    assert Hold.objects.get(pk=zhao_hold.pk).status == Hold.Status.CANCELLED
    assert Fee.objects.get(pk=zhao_fee.pk).status == Fee.Status.WAIVED


def test_the_station_of_the_lending_unit_may_mark_a_loan_lost_though_the_reader_lives_elsewhere(
    station_manager, zhao, s01
):
    copy = f.item(home=s01, barcode="S01-0001")
    loan = services.loan_checkout(reader=zhao, item=copy, at_unit=s01, actor=None)

    services.item_mark_lost(item=copy, actor=station_manager, at_unit=s01)

    assert Loan.objects.get(pk=loan.pk).lost is True


def test_the_readers_home_station_may_cancel_a_hold_for_pickup_elsewhere(other_station_manager, zhao, s01):
    wanted = f.record("活着")
    f.item(home=s01, rec=wanted)
    hold = services.hold_place(reader=zhao, record=wanted, pickup_unit=s01, actor=None)

    services.hold_cancel(hold=hold, actor=other_station_manager)

    assert Hold.objects.get(pk=hold.pk).status == Hold.Status.CANCELLED


def test_a_village_manager_may_not_hand_another_stations_transits_to_the_van(village_manager, zhao, s02, lib):
    copy = f.item(home=lib, barcode="L-0001")
    services.loan_checkout(reader=zhao, item=copy, at_unit=lib, actor=None)
    result = services.loan_checkin(item=copy, at_unit=s02, actor=None)

    with pytest.raises(Forbidden):
        services.transit_send(transit=result.transit, actor=village_manager)

    assert type(result.transit).objects.get(pk=result.transit.pk).sent_at is None


# ---------------------------------------------------------------- the record of processing


def test_the_access_log_records_views_and_changes_and_holds_no_identity_number(
    api_client, other_station_manager, village_manager, zhao
):
    _client(village_manager).get("/staff/circulation/?card=YX0200")
    _api(api_client, other_station_manager).get("/api/v1/readers/YX0200")
    _api(api_client, other_station_manager).get("/api/v1/readers", {"q": ID_NUMBER})
    services.reader_block(actor=other_station_manager, reader=zhao, reason="恶意")

    rows = list(
        ReaderAccess.objects.order_by("pk").values_list("staff__username", "reader__card", "action", "via")
    )
    assert rows == [
        ("village0101", "YX0200", "viewed", "desk"),
        ("station02", "YX0200", "viewed", "api"),
        ("station02", "YX0200", "listed", "api"),
        ("station02", "YX0200", "blocked", "desk"),
    ]
    stored = json.dumps(list(ReaderAccess.objects.values()), default=str)
    assert ID_NUMBER not in stored and ID_NUMBER.lower() not in stored
    assert Reader.objects.get(pk=zhao.pk).id_number_hash not in stored


def test_the_access_log_is_append_only(village_manager, zhao):
    selectors.access_reader(village_manager, "YX0200", log_via="desk")
    row = ReaderAccess.objects.get()

    row.action = "blocked"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    with pytest.raises(ValueError):
        ReaderAccess.objects.update(action="blocked")
    with pytest.raises(ValueError):
        ReaderAccess.objects.all().delete()

    assert ReaderAccess.objects.values_list("action", flat=True).get() == "viewed"


def test_only_county_administrators_read_the_access_log(
    api_client, county_admin, station_manager, village_manager, library_staff, zhao
):
    selectors.access_reader(village_manager, "YX0200", log_via="desk")

    refused = [
        _client(user).get("/staff/circulation/access-log/").status_code
        for user in (station_manager, village_manager, library_staff)
    ]
    refused_api = [
        _api(api_client, user).get("/api/v1/reader-access").status_code
        for user in (station_manager, village_manager, library_staff)
    ]
    page = _client(county_admin).get("/staff/circulation/access-log/", {"card": "YX0200"})
    by_staff = _client(county_admin).get("/staff/circulation/access-log/", {"staff": "station01"})
    listed = _api(api_client, county_admin).get("/api/v1/reader-access", {"card": "YX0200"}).json()

    assert refused == [403, 403, 403] and refused_api == [403, 403, 403]
    assert page.status_code == 200
    assert "village0101" in page.content.decode() and "YX0200" in page.content.decode()
    assert "YX0200" not in by_staff.content.decode()
    assert [(r["staff"], r["card"], r["action"], r["via"]) for r in listed] == [
        ("village0101", "YX0200", "viewed", "desk")
    ]


def test_the_admin_shows_the_access_log_read_only(county_admin, village_manager, zhao):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    selectors.access_reader(village_manager, "YX0200", log_via="desk")
    request = RequestFactory().get("/admin/")
    request.user = county_admin
    admin = site._registry[ReaderAccess]

    assert (
        admin.has_add_permission(request),
        admin.has_change_permission(request),
        admin.has_delete_permission(request),
    ) == (False, False, False)


def test_the_desk_offers_lending_and_renewing_but_not_what_is_for_another_townships_staff(
    village_manager, other_station_manager, zhao, zhao_loan, zhao_hold, zhao_fee
):
    outside = _client(village_manager).get("/staff/circulation/?card=YX0200").content.decode()
    inside = _client(other_station_manager).get("/staff/circulation/?card=YX0200").content.decode()

    for action in ("/lost/", "/claim-returned/", "/block/", "/cancel/", 'value="waive"'):
        assert action not in outside and action in inside
    assert f"/staff/circulation/loans/{zhao_loan.pk}/renew/" in outside
    assert 'value="pay"' in outside


def test_a_copys_history_names_the_reader_only_to_his_own_units_staff(
    village_manager, other_station_manager, zhao_loan
):
    path = f"/staff/circulation/items/{zhao_loan.item.barcode}/"

    outside = _client(village_manager).get(path).content.decode()
    inside = _client(other_station_manager).get(path).content.decode()

    assert "YX0200" not in outside and "<td>YX**00</td>" in outside
    assert "YX0200" in inside
