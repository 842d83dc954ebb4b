"""The desk, the phone page, the lists, the matrix and the reader's portal account, through the test client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from wenyun.catalog.models import ItemStatus
from wenyun.circulation import services
from wenyun.circulation.models import CirculationRule, Hold, Loan

from . import factories as f

pytestmark = pytest.mark.django_db


def _client(user, lang="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_scanning_a_card_then_a_copy_lends_it_at_the_desk(library_staff, zhang, lib):
    copy = f.item(home=lib, barcode="D0001", rec=f.record("平凡的世界"))
    desk = _client(library_staff)

    loaded = desk.post("/staff/circulation/scan/", {"scan": "YX0001"}, follow=True)
    lent = desk.post("/staff/circulation/scan/", {"scan": "D0001", "card": "YX0001"}, follow=True)

    assert "张三" in loaded.content.decode()
    page = lent.content.decode()
    loan = Loan.objects.get(item=copy)
    assert f"平凡的世界 lent, due {loan.due_on.isoformat()}." in page
    assert (loan.reader, loan.lending_unit) == (zhang, lib)
    assert "autofocus" in page and 'name="scan"' in page


def test_the_desk_shows_why_a_card_cannot_borrow_and_lends_nothing(library_staff, zhang, lib):
    zhang.manual_block = "损坏图书未赔偿"
    zhang.save()
    f.item(home=lib, barcode="D0002")
    desk = _client(library_staff)

    page = desk.get("/staff/circulation/?card=YX0001").content.decode()
    refused = desk.post("/staff/circulation/scan/", {"scan": "D0002", "card": "YX0001"}, follow=True)

    assert "The card is blocked: 损坏图书未赔偿" in page
    assert "The card is blocked: 损坏图书未赔偿" in refused.content.decode()
    assert Loan.objects.count() == 0


def test_the_desk_speaks_chinese_by_default(library_staff, zhang):
    desk = _client(library_staff, lang="zh-hans")

    empty = desk.get("/staff/circulation/").content.decode()
    page = desk.get("/staff/circulation/?card=YX0001").content.decode()

    assert "请扫描读者证" in empty and "借还书台" in empty
    assert "扫描图书条码借给这位读者" in page and "张三" in page and "可以借书。" in page


def test_a_copy_scanned_without_a_reader_is_explained(library_staff, lib):
    f.item(home=lib, barcode="D0003")

    page = (
        _client(library_staff)
        .post("/staff/circulation/scan/", {"scan": "D0003"}, follow=True)
        .content.decode()
    )

    assert "D0003 is not a reader card. Scan the reader&#x27;s card first." in page
    assert Loan.objects.count() == 0


def test_check_in_away_from_home_says_where_the_copy_goes_and_prints_a_slip(library_staff, zhang, v01, lib):
    copy = f.item(home=v01, barcode="D0004", rec=f.record("白鹿原"))
    services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=None)
    desk = _client(library_staff)

    page = desk.post("/staff/circulation/checkin/scan/", {"scan": "D0004"}, follow=True).content.decode()

    assert f"D0004 白鹿原: send it to {v01.name}" in page
    event_id = desk.session["checkins"][-1]
    slip = desk.get(f"/staff/circulation/slip/{event_id}/").content.decode()
    assert f"→ {v01.name}" in slip and "58mm" in slip
    copy.refresh_from_db()
    assert copy.status == ItemStatus.IN_TRANSIT


def test_the_receipt_lists_the_loans_with_due_dates(library_staff, zhang, lib):
    copy = f.item(home=lib, barcode="D0005", rec=f.record("活着"))
    desk = _client(library_staff)
    desk.post("/staff/circulation/scan/", {"scan": "D0005", "card": "YX0001"})

    receipt = desk.get("/staff/circulation/receipt/YX0001/").content.decode()

    due = Loan.objects.get(item=copy).due_on.isoformat()
    assert "活着" in receipt and f"<strong>{due}</strong>" in receipt and "★" in receipt


def test_a_village_manager_lends_and_takes_back_on_the_phone_page(village_manager, zhang, v01):
    copy = f.item(home=v01, barcode="D0006", rec=f.record("红岩"))
    phone = _client(village_manager)

    lent = phone.post("/staff/circulation/m/", {"action": "lend", "card": "YX0001", "barcode": "D0006"})
    back = phone.post("/staff/circulation/m/", {"action": "return", "barcode": "D0006"})

    due = Loan.objects.get(item=copy).due_on.isoformat()
    assert f"红岩 lent to 张三, due {due}." in lent.content.decode()
    assert "红岩: shelve it here" in back.content.decode()


def test_only_a_county_administrator_changes_the_matrix(county_admin, station_manager, book):
    form = {
        "unit": "YX-S01",
        "category": "",
        "item_type": "book",
        "loan_days": "21",
        "loan_limit": "5",
        "renewals": "2",
        "holds_allowed": "on",
        "fee_per_day": "0",
        "fee_cap": "0",
        "return_policy": "float",
    }

    refused = _client(station_manager).post("/staff/circulation/rules/", form)
    saved = _client(county_admin).post("/staff/circulation/rules/", form)
    bad = _client(county_admin).post("/staff/circulation/rules/", {**form, "loan_days": "many"})

    assert "Only a county administrator may do this." in refused.content.decode()
    assert saved.status_code == 302
    rule = CirculationRule.objects.get()
    assert (rule.unit.code, rule.item_type, rule.loan_days, rule.loan_limit, rule.return_policy) == (
        "YX-S01",
        book,
        21,
        5,
        "float",
    )
    assert "Loan period must be a whole number." in bad.content.decode()
    assert CirculationRule.objects.count() == 1


def test_the_explain_page_names_the_row_that_applies_and_why(library_staff, zhang, lib, s01, v01, book):
    f.rule(unit=s01, loan_days=21, note="城关镇")
    f.item(home=v01, barcode="D0007")

    page = (
        _client(library_staff)
        .get(
            "/staff/circulation/rules/explain/", {"card": "YX0001", "barcode": "D0007", "unit": "YX-S01-V01"}
        )
        .content.decode()
    )

    assert "21 days, up to 10 items, 1 renewals" in page
    assert "the most specific row that matches" in page and "matches too, but is less specific" in page


def test_a_reader_signs_in_with_card_and_pin_renews_and_places_a_hold(client, zhang, lib, s01):
    copy = f.item(home=lib, barcode="D0008", rec=f.record("三体"))
    wanted = f.record("球状闪电")
    f.item(home=lib, rec=wanted)
    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=_days_ago(20))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    wrong = client.post("/account/login/", {"card": "YX0001", "pin": "9999"})
    client.post("/account/login/", {"card": "YX0001", "pin": "1234"})
    account = client.get("/account/").content.decode()
    client.post(f"/account/renew/{loan.pk}/")
    client.post(f"/account/holds/new/{wanted.pk}/", {"pickup_unit": "YX-S01"})

    assert "The card number or the PIN is wrong." in wrong.content.decode()
    assert "三体" in account
    loan.refresh_from_db()
    assert loan.renewals == 1
    hold = Hold.objects.get(reader=zhang)
    assert (hold.record, hold.pickup_unit, hold.status) == (wanted, s01, "waiting")
    page = client.get("/account/").content.decode()
    assert "球状闪电" in page and "number 1 in the queue" in page


def test_a_reader_cannot_touch_another_readers_loans(client, zhang, wang, lib):
    theirs = services.loan_checkout(reader=wang, item=f.item(home=lib), at_unit=lib, actor=None)
    client.post("/account/login/", {"card": "YX0001", "pin": "1234"})

    client.post(f"/account/renew/{theirs.pk}/")

    theirs.refresh_from_db()
    assert theirs.renewals == 0


def test_the_account_needs_a_sign_in(client):
    response = client.get("/account/")

    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_the_lists_show_pull_list_hold_shelf_and_transits(library_staff, zhang, lib, v01):
    book = f.record("围城")
    f.item(home=lib, rec=book, barcode="D0009")
    services.hold_place(reader=zhang, record=book, pickup_unit=v01, actor=None)
    desk = _client(library_staff)

    desk.post("/staff/circulation/lists/fill/")
    page = desk.get("/staff/circulation/lists/").content.decode()

    assert "D0009" in page and "围城" in page


def _days_ago(days: int) -> dt.datetime:
    from django.utils import timezone

    return timezone.now() - dt.timedelta(days=days)


def test_the_explain_page_names_a_card_and_a_barcode_that_do_not_exist(library_staff, zhang, lib, book):
    f.item(home=lib, barcode="D0009")
    staff = _client(library_staff, lang="zh-hans")

    both = staff.get("/staff/circulation/rules/explain/", {"card": "NOPE", "barcode": "NOPE"})
    card = staff.get("/staff/circulation/rules/explain/", {"card": "NOPE", "barcode": "D0009"})
    copy = staff.get("/staff/circulation/rules/explain/", {"card": "YX0001", "barcode": "NOPE"})

    assert "没有读者证号为 NOPE 的读者，也没有条码号为 NOPE 的复本。" in both.content.decode()
    assert "match" not in both.context
    assert card.context["error"] == "没有读者证号为 NOPE 的读者。"
    assert copy.context["error"] == "没有条码号为 NOPE 的复本。"


def test_the_explain_page_lends_at_the_staff_members_own_unit_by_default(station_manager, s01):
    page = _client(station_manager).get("/staff/circulation/rules/explain/").content.decode()

    assert '<option value="YX-S01" selected>' in page
    assert page.count(" selected>") == 1


def test_every_box_on_the_reader_form_has_a_type_the_stylesheet_styles(library_staff):
    page = _client(library_staff).get("/staff/circulation/readers/new/").content.decode()
    form = page[page.index('<form method="post" class="card">') :]
    form = form[: form.index("</form>")]

    boxes = re.findall(r"<input\b[^>]*>", form)
    types = {re.search(r'name="(\w+)"', box)[1]: re.search(r'type="(\w+)"', box) for box in boxes}

    assert {name: found[1] if found else None for name, found in types.items()} == {
        "csrfmiddlewaretoken": "hidden",
        "card": "text",
        "name": "text",
        "phone": "tel",
        "id_number": "text",
        "pin": "password",
        "expires_on": "date",
    }
