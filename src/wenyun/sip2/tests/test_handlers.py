"""The circulation messages, answered through the same Session.respond the server calls: each one a
call to a circulation service, logged with the kiosk's account; refusals change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from wenyun.catalog.models import ItemStatus
from wenyun.catalog.selectors import item_get
from wenyun.circulation import services as circ
from wenyun.circulation.models import CirculationEvent, Fee, Hold, Loan
from wenyun.circulation.selectors import hold_position, reader_get
from wenyun.core.errors import NotFound
from wenyun.sip2.session import Session

from . import factories
from .sip import STAMP, answer, checkin, checkout, msg, patron_information, renew


@pytest.fixture
def reader(unit):
    return factories.reader(home=unit("YX-S01"), card="R0000001", name="王小明")


@pytest.fixture
def book(unit):
    """A copy that belongs to, and stands in, the kiosk's own unit."""
    return factories.item(home=unit("YX-S01"), barcode="B0000001", title="平凡的世界")


def catalogue_says(barcode: str) -> str:
    """The catalogue's own sentence for a barcode it does not know: the kiosk shows it as worded."""
    with pytest.raises(NotFound) as missing:
        item_get(barcode=barcode)
    return missing.value.message


def events(**filters):
    return list(CirculationEvent.objects.filter(**filters).values_list("type", "via", "unit__code"))


def test_checkout_with_card_and_pin_lends_the_copy_at_the_kiosks_unit(session, reader, book):
    reply = answer(session.respond(checkout("R0000001", "B0000001")).data)
    loan = Loan.objects.get(item=book, returned_at__isnull=True)
    assert reply.code == "12"
    assert reply.fixed["ok"] == "1" and reply.fixed["desensitize"] == "Y" and reply.fixed["renewal_ok"] == "N"
    assert reply.get("AA") == "R0000001" and reply.get("AB") == "B0000001"
    assert reply.get("AJ") == "平凡的世界"
    assert reply.get("AH") == loan.due_on.strftime("%Y%m%d") + "    235959"
    assert reply.get("AF") == f"应还日期：{loan.due_on.isoformat()}。"
    assert (loan.reader, loan.lending_unit.code) == (reader, "YX-S01")
    assert events(type="checkout") == [("checkout", "sip2:kiosk-yx", "YX-S01")]


def test_checkout_with_a_wrong_pin_is_refused_and_nothing_changes(session, reader, book):
    reply = answer(session.respond(checkout("R0000001", "B0000001", pin="9999")).data)
    assert (reply.code, reply.fixed["ok"], reply.get("AF")) == ("12", "0", "密码错误。")
    book.refresh_from_db()
    assert book.status == ItemStatus.AVAILABLE
    assert Loan.objects.count() == 0 and CirculationEvent.objects.count() == 0


def test_checkout_without_a_pin_is_refused_at_a_self_check(session, reader, book):
    reply = answer(session.respond(checkout("R0000001", "B0000001", pin=None)).data)
    assert (reply.fixed["ok"], reply.get("AF")) == ("0", "请输入读者证 R0000001 的密码。")
    assert Loan.objects.count() == 0


def test_a_blocked_reader_gets_the_services_reason_and_no_loan(session, reader, book):
    reader = circ.reader_block(actor=None, reader=reader, reason="丢失图书未赔偿")
    reply = answer(session.respond(checkout("R0000001", "B0000001")).data)
    assert reply.fixed["ok"] == "0"
    assert reply.get("AF") == circ.reader_blocks(reader=reader)[0].message
    assert reply.get("AJ") == "平凡的世界"
    assert Loan.objects.count() == 0


def test_an_unknown_barcode_is_refused_by_name(session, reader):
    reply = answer(session.respond(checkout("R0000001", "NOPE")).data)
    assert (reply.fixed["ok"], reply.get("AF")) == ("0", catalogue_says("NOPE"))


def test_checking_out_a_copy_the_reader_has_renews_it_when_the_kiosk_allows(session, reader, book):
    loan = circ.loan_checkout(
        reader=reader,
        item=book,
        at_unit=book.home_unit,
        actor=None,
        at=timezone.now() - dt.timedelta(days=20),
    )
    reply = answer(session.respond(checkout("R0000001", "B0000001", renewal_policy="Y")).data)
    loan.refresh_from_db()
    assert (reply.fixed["ok"], reply.fixed["renewal_ok"]) == ("1", "Y")
    assert loan.renewals == 1
    assert events(type="renew") == [("renew", "sip2:kiosk-yx", "YX-S01")]


def test_a_book_returned_at_its_home_unit_goes_back_on_the_shelf(session, reader, book):
    circ.loan_checkout(reader=reader, item=book, at_unit=book.home_unit, actor=None)
    reply = answer(session.respond(checkin("B0000001")).data)
    assert reply.code == "10"
    assert reply.fixed["ok"] == "1" and reply.fixed["alert"] == "N" and reply.fixed["resensitize"] == "Y"
    assert not reply.has("CV") and not reply.has("CT")
    assert reply.get("AQ") == "YX-S01" and reply.get("AA") == "R0000001"
    assert reply.get("AF") == "谢谢：这本书将在 城关镇综合文化站 上架。"
    book.refresh_from_db()
    assert book.status == ItemStatus.AVAILABLE
    assert ("checkin", "sip2:kiosk-yx", "YX-S01") in events(type="checkin")


def test_a_book_returned_away_from_home_is_flagged_cv04_with_its_home_in_ct(session, reader, library):
    book = factories.item(home=library, barcode="B0000002", title="红楼梦")
    circ.loan_checkout(reader=reader, item=book, at_unit=library, actor=None)
    reply = answer(session.respond(checkin("B0000002")).data)
    assert reply.fixed["ok"] == "1" and reply.fixed["alert"] == "Y" and reply.fixed["resensitize"] == "N"
    assert reply.get("CV") == "04"
    assert reply.get("CT") == "YX-LIB"
    assert reply.get("AF") == f"请送往 {library.name}（YX-LIB）。"
    assert reply.get("AG") == f"B0000002 → YX-LIB {library.name}"
    book.refresh_from_db()
    assert (book.status, book.current_unit.code) == (ItemStatus.IN_TRANSIT, "YX-S01")


def test_a_book_someone_waits_for_here_is_flagged_cv01(session, reader, book, unit):
    other = factories.reader(home=unit("YX-S01"), card="R0000002")
    circ.loan_checkout(reader=reader, item=book, at_unit=book.home_unit, actor=None)
    circ.hold_place(reader=other, pickup_unit=unit("YX-S01"), actor=None, record=book.record)
    reply = answer(session.respond(checkin("B0000001")).data)
    assert (reply.get("CV"), reply.get("CT")) == ("01", "YX-S01")
    assert reply.get("AF") == "请放到本馆预约架：有读者在等这本书。"
    assert Hold.objects.get(reader=other).status == Hold.Status.READY


def test_a_book_someone_waits_for_elsewhere_is_flagged_cv02_with_the_pickup_unit(session, reader, book, unit):
    other = factories.reader(home=unit("YX-S02"), card="R0000003")
    circ.loan_checkout(reader=reader, item=book, at_unit=book.home_unit, actor=None)
    circ.hold_place(reader=other, pickup_unit=unit("YX-S02"), actor=None, record=book.record)
    reply = answer(session.respond(checkin("B0000001")).data)
    assert (reply.get("CV"), reply.get("CT")) == ("02", "YX-S02")
    assert Hold.objects.get(reader=other).status == Hold.Status.IN_TRANSIT


def test_checkin_of_an_unknown_barcode_is_refused_and_logs_nothing(session):
    reply = answer(session.respond(checkin("NOPE")).data)
    assert (reply.code, reply.fixed["ok"], reply.get("AF")) == ("10", "0", catalogue_says("NOPE"))
    assert CirculationEvent.objects.count() == 0


def test_renew_moves_the_due_date_and_logs_the_kiosk(session, reader, book):
    loan = circ.loan_checkout(
        reader=reader,
        item=book,
        at_unit=book.home_unit,
        actor=None,
        at=timezone.now() - dt.timedelta(days=20),
    )
    before = loan.due_on
    reply = answer(session.respond(renew("R0000001", "B0000001")).data)
    loan.refresh_from_db()
    assert (reply.code, reply.fixed["ok"], reply.fixed["renewal_ok"]) == ("30", "1", "Y")
    assert loan.due_on > before and reply.get("AH") == loan.due_on.strftime("%Y%m%d") + "    235959"
    assert events(type="renew") == [("renew", "sip2:kiosk-yx", "YX-S01")]


def test_renewing_someone_elses_loan_is_refused(session, reader, book, unit):
    other = factories.reader(home=unit("YX-S01"), card="R0000004")
    loan = circ.loan_checkout(reader=other, item=book, at_unit=book.home_unit, actor=None)
    reply = answer(session.respond(renew("R0000001", "B0000001")).data)
    assert (reply.fixed["ok"], reply.get("AF")) == ("0", "B0000001 不在读者证 R0000001 的借阅中。")
    loan.refresh_from_db()
    assert loan.renewals == 0


def test_renew_all_lists_the_renewed_and_the_refused(session, reader, unit):
    now = timezone.now()
    first = factories.item(home=unit("YX-S01"), barcode="B0000010")
    second = factories.item(home=unit("YX-S01"), barcode="B0000011")
    circ.loan_checkout(
        reader=reader, item=first, at_unit=first.home_unit, actor=None, at=now - dt.timedelta(days=20)
    )
    circ.loan_checkout(
        reader=reader, item=second, at_unit=second.home_unit, actor=None, at=now - dt.timedelta(days=20)
    )
    waiting = factories.reader(home=unit("YX-S01"), card="R0000005")
    circ.hold_place(reader=waiting, pickup_unit=unit("YX-S01"), actor=None, item=second)
    reply = answer(session.respond(msg(f"65{STAMP}AOYX|AAR0000001|AD1234|")).data)
    assert reply.code == "66"
    assert (reply.fixed["renewed_count"], reply.fixed["unrenewed_count"]) == ("0001", "0001")
    assert reply.all("BM") == ["B0000010"] and reply.all("BN") == ["B0000011"]
    waiting_text = gettext("%(barcode)s cannot be renewed: another reader is waiting for it.") % {
        "barcode": "B0000011"
    }
    assert reply.get("AF") == f"B0000011: {waiting_text}"


def test_patron_information_gives_counts_and_the_charged_list(session, reader, book, unit):
    late = factories.item(home=unit("YX-S01"), barcode="B0000020")
    circ.loan_checkout(reader=reader, item=book, at_unit=book.home_unit, actor=None)
    circ.loan_checkout(
        reader=reader,
        item=late,
        at_unit=late.home_unit,
        actor=None,
        at=timezone.now() - dt.timedelta(days=60),
    )
    reply = answer(session.respond(patron_information("R0000001", summary="  Y       ")).data)
    assert reply.code == "64"
    assert reply.fixed["charged_items_count"] == "0002"
    assert reply.fixed["overdue_items_count"] == "0001"
    assert reply.fixed["hold_items_count"] == "0000"
    assert reply.fixed["patron_status"] == " " * 14
    assert reply.get("AE") == "王小明" and reply.get("BL") == "Y" and reply.get("CQ") == "Y"
    assert sorted(reply.all("AU")) == ["B0000001", "B0000020"]
    assert not reply.has("AT")


def test_patron_information_overdue_list_and_window(session, reader, unit):
    past = timezone.now() - dt.timedelta(days=60)
    for n in range(3):
        copy = factories.item(home=unit("YX-S01"), barcode=f"B000030{n}")
        circ.loan_checkout(reader=reader, item=copy, at_unit=copy.home_unit, actor=None, at=past)
    reply = answer(session.respond(msg(f"63019{STAMP} Y        AOYX|AAR0000001|AD1234|BP2|BQ3|")).data)
    assert reply.all("AT") == ["B0000301", "B0000302"]
    assert reply.fixed["overdue_items_count"] == "0003"


def test_patron_information_for_an_unknown_card_says_so(session):
    reply = answer(session.respond(patron_information("NOBODY")).data)
    assert (reply.code, reply.get("BL"), reply.fixed["patron_status"]) == ("64", "N", "Y" * 14)
    with pytest.raises(NotFound) as missing:
        reader_get(card="NOBODY")
    assert reply.get("AF") == missing.value.message


def test_patron_status_flags_a_lost_card_and_answers_in_english_for_language_001(session, reader):
    circ.reader_update(actor=None, reader=reader, lost_card=True)
    reply = answer(session.respond(msg(f"23001{STAMP}AOYX|AAR0000001|AD1234|")).data)
    assert reply.code == "24"
    assert reply.fixed["patron_status"] == "YYYY" + "Y" + " " * 9  # the four privileges denied, card lost
    assert reply.get("CQ") == "Y"
    assert reply.get("AF") == "Card R0000001 was reported lost."


def test_patron_status_with_a_wrong_pin_answers_cq_n(session, reader):
    reply = answer(session.respond(msg(f"23019{STAMP}AOYX|AAR0000001|AD0000|")).data)
    assert (reply.get("BL"), reply.get("CQ")) == ("Y", "N")


def test_item_information_says_status_home_place_and_due_date(session, reader, book):
    loan = circ.loan_checkout(reader=reader, item=book, at_unit=book.home_unit, actor=None)
    reply = answer(session.respond(msg(f"17{STAMP}AOYX|ABB0000001|")).data)
    assert reply.code == "18"
    assert reply.fixed["circulation_status"] == "04"
    assert (reply.get("AJ"), reply.get("AQ"), reply.get("AP")) == ("平凡的世界", "YX-S01", "YX-S01")
    assert reply.get("AH") == loan.due_on.strftime("%Y%m%d") + "    235959"
    assert reply.get("CF") == "0"


def test_end_patron_session_is_acknowledged(session, reader):
    reply = answer(session.respond(msg(f"35{STAMP}AOYX|AAR0000001|")).data)
    assert (reply.code, reply.fixed["end_session"], reply.get("AA")) == ("36", "Y", "R0000001")


@pytest.fixture
def fees(reader, unit):
    return [
        Fee.objects.create(
            reader=reader,
            kind=Fee.Kind.OVERDUE,
            amount=Decimal(a),
            unit=unit("YX-S01"),
            created_at=timezone.now() - dt.timedelta(days=n),
        )
        for n, a in ((2, "1.50"), (1, "2.00"))
    ]


def balances(fees) -> list[tuple[str, str]]:
    return [(str(f.paid), f.status) for f in Fee.objects.filter(pk__in=[f.pk for f in fees]).order_by("pk")]


def test_fee_paid_pays_the_oldest_fee_off_then_part_of_the_next_and_says_what_is_owed(session, fees):
    paid = answer(session.respond(msg(f"37{STAMP}0100CNYBV2.00|AOYX|AAR0000001|AD1234|BKT-9|")).data)
    assert (paid.code, paid.fixed["payment_accepted"], paid.get("BK")) == ("38", "Y", "T-9")
    assert (paid.get("BH"), paid.get("BV")) == ("CNY", "1.50")
    assert paid.get("AF") == gettext("Paid %(amount)s yuan; %(owed)s yuan is still owed.") % {
        "amount": "2.00",
        "owed": "1.50",
    }
    assert balances(fees) == [("1.50", Fee.Status.PAID), ("0.50", Fee.Status.OPEN)]
    rest = answer(session.respond(msg(f"37{STAMP}0100CNYBV1.50|AOYX|AAR0000001|AD1234|")).data)
    assert (rest.fixed["payment_accepted"], rest.get("BV")) == ("Y", "0.00")
    assert balances(fees) == [("1.50", Fee.Status.PAID), ("2.00", Fee.Status.PAID)]
    paid_events = CirculationEvent.objects.filter(type="fee_paid").order_by("pk")
    assert [e.details["amount"] for e in paid_events] == ["1.50", "0.50", "1.50"]
    assert set(events(type="fee_paid")) == {("fee_paid", "sip2:kiosk-yx", "YX-S01")}


def test_fee_paid_toward_a_named_fee_pays_part_of_it(session, fees):
    paid = answer(session.respond(msg(f"37{STAMP}0100CNYBV0.80|AOYX|AAR0000001|AD1234|CG{fees[1].pk}|")).data)
    assert (paid.fixed["payment_accepted"], paid.get("BV")) == ("Y", "2.70")
    assert balances(fees) == [("0.00", Fee.Status.OPEN), ("0.80", Fee.Status.OPEN)]


@pytest.mark.parametrize(
    ("amount", "fee", "says"),
    [
        ("3.60", None, "3.60 元超过了读者证 R0000001 所欠的 3.50 元。"),
        ("2.50", 1, None),  # more than the named fee's 2.00: circulation's sentence
        ("0", None, None),
        ("1.005", None, None),
        ("abc", None, None),
    ],
)
def test_a_fee_payment_that_is_too_much_or_not_an_amount_is_refused_and_nothing_is_paid(
    session, fees, amount, fee, says
):
    named = f"CG{fees[fee].pk}|" if fee is not None else ""
    refused = answer(session.respond(msg(f"37{STAMP}0100CNYBV{amount}|AOYX|AAR0000001|AD1234|{named}")).data)
    assert (refused.code, refused.fixed["payment_accepted"], refused.get("BV")) == ("38", "N", "3.50")
    assert refused.get("AF")
    if says:
        assert refused.get("AF") == says
    assert balances(fees) == [("0.00", Fee.Status.OPEN), ("0.00", Fee.Status.OPEN)]
    assert events(type="fee_paid") == []


def test_hold_places_and_cancels_for_pickup_at_another_unit(session, reader, unit, library):
    book = factories.item(home=library, barcode="B0000040", title="围城")
    placed = answer(session.respond(msg(f"15+{STAMP}BSYX-S02|AOYX|AAR0000001|AD1234|ABB0000040|")).data)
    hold = Hold.objects.get(reader=reader)
    assert (placed.code, placed.fixed["ok"], placed.get("BS"), placed.get("BR")) == ("16", "1", "YX-S02", "1")
    assert (hold.pickup_unit.code, hold.record_id, hold.status) == (
        "YX-S02",
        book.record_id,
        Hold.Status.WAITING,
    )
    again = answer(session.respond(msg(f"15+{STAMP}AOYX|AAR0000001|AD1234|ABB0000040|")).data)
    assert again.fixed["ok"] == "0" and Hold.objects.filter(reader=reader).count() == 1
    cancelled = answer(session.respond(msg(f"15-{STAMP}AOYX|AAR0000001|AD1234|ABB0000040|")).data)
    assert (cancelled.fixed["ok"], cancelled.get("AF")) == ("1", "预约已取消。")
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CANCELLED
    assert [e[0] for e in events(via="sip2:kiosk-yx")] == ["hold_placed", "hold_cancelled"]


def test_the_kiosk_and_the_portal_give_a_hold_the_same_place_in_the_queue(
    client, session, reader, unit, library
):
    """A hold already given its copy has left the queue: the kiosk and the web both count past it.
    (The web used to count it too and said 3 where the kiosk said 2.)"""
    s01 = unit("YX-S01")
    title = factories.record("围城")
    copy = factories.item(home=s01, barcode="B0000041", rec=title)
    factories.item(home=library, barcode="B0000042", rec=title)
    earlier = timezone.now() - dt.timedelta(days=2)
    first = circ.hold_place(
        reader=factories.reader(home=s01, card="R0000002"),
        record=title,
        pickup_unit=s01,
        actor=None,
        at=earlier,
    )
    second = circ.hold_place(
        reader=factories.reader(home=s01, card="R0000003"),
        record=title,
        pickup_unit=s01,
        actor=None,
        at=earlier + dt.timedelta(hours=1),
    )
    circ.holds_fill()
    circ.loan_checkin(item=copy, at_unit=s01, actor=None)
    first.refresh_from_db()
    assert (first.status, first.target, second.status) == (Hold.Status.READY, copy, Hold.Status.WAITING)

    placed = answer(session.respond(msg(f"15+{STAMP}AOYX|AAR0000001|AD1234|ABB0000042|")).data)
    client.post("/account/login/", {"card": "R0000001", "pin": factories.PIN})
    page = client.get("/account/").content.decode()

    mine = Hold.objects.get(reader=reader)
    assert (placed.fixed["ok"], placed.get("BR")) == ("1", "2")
    assert gettext("number %(position)s in the queue") % {"position": 2} in page
    assert [hold_position(hold=h) for h in (first, second, mine)] == [0, 1, 2]


def test_block_patron_blocks_the_card_and_patron_enable_lifts_only_a_kiosk_block(session, reader, book):
    blocked = answer(session.respond(msg(f"01Y{STAMP}AOYX|ALcard left in the reader|AAR0000001|")).data)
    reader.refresh_from_db()
    assert blocked.code == "24" and blocked.fixed["patron_status"][0] == "Y"
    assert reader.manual_block == "[SIP2] kiosk-yx: card left in the reader（自助机已吞卡）"
    enabled = answer(session.respond(msg(f"25{STAMP}AOYX|AAR0000001|AD1234|")).data)
    reader.refresh_from_db()
    assert (enabled.code, enabled.fixed["patron_status"], reader.manual_block) == ("26", " " * 14, "")
    circ.reader_block(actor=None, reader=reader, reason="欠费")
    refused = answer(session.respond(msg(f"25{STAMP}AOYX|AAR0000001|AD1234|")).data)
    reader.refresh_from_db()
    assert refused.get("AF") == "此证由服务台停用，只有工作人员可以解除。" and reader.manual_block == "欠费"
    assert [e[0] for e in events(via="sip2:kiosk-yx")] == ["reader_blocked", "reader_unblocked"]


def test_item_status_update_stores_the_kiosks_properties_and_item_information_gives_them_back(session, book):
    reply = answer(session.respond(msg(f"19{STAMP}AOYX|ABB0000001|CHRFID:AFI=07 分拣箱3|")).data)
    assert (reply.code, reply.fixed["item_properties_ok"], reply.get("CH")) == (
        "20",
        "1",
        "RFID:AFI=07 分拣箱3",
    )
    assert reply.get("AF") == "已保存文献属性。"
    again = answer(session.respond(msg(f"19{STAMP}AOYX|ABB0000001|CHRFID:AFI=C2|")).data)
    assert again.fixed["item_properties_ok"] == "1"
    info = answer(session.respond(msg(f"17{STAMP}AOYX|ABB0000001|")).data)
    assert info.get("CH") == "RFID:AFI=C2"
    book.refresh_from_db()
    assert (book.status, book.notes, book.location) == (ItemStatus.AVAILABLE, "", "")


def test_item_status_update_without_properties_or_for_another_units_copy_is_refused(session, unit):
    from wenyun.sip2.models import ItemProperties

    here = factories.item(home=unit("YX-S01"), barcode="B0000061")
    empty = answer(session.respond(msg(f"19{STAMP}AOYX|ABB0000061|")).data)
    assert (empty.fixed["item_properties_ok"], empty.get("AF")) == ("0", "请求中没有要保存的文献属性（CH）。")
    factories.item(home=unit("YX-S02"), barcode="B0000062")
    away = answer(session.respond(msg(f"19{STAMP}AOYX|ABB0000062|CHbin 2|")).data)
    assert away.fixed["item_properties_ok"] == "0"
    assert away.get("AF") == gettext(
        "%(barcode)s neither belongs to nor stands in %(unit)s; this kiosk cannot note it."
    ) % {"barcode": "B0000062", "unit": unit("YX-S01").name}
    long = answer(session.respond(msg(f"19{STAMP}AOYX|ABB0000061|CH{'x' * 256}|")).data)
    assert long.fixed["item_properties_ok"] == "0"
    assert ItemProperties.objects.count() == 0 and here.pk


def test_a_request_missing_its_item_is_refused_naming_the_field(session, reader):
    reply = answer(session.respond(msg(f"11NN{STAMP}{' ' * 18}AOYX|AAR0000001|AD1234|")).data)
    assert (reply.code, reply.fixed["ok"], reply.get("AF")) == ("12", "0", "请求缺少 AB 字段。")


def test_a_retransmitted_checkout_with_the_same_sequence_is_not_done_twice(session, reader, book):
    from wenyun.sip2.codec import checksum

    body = f"11NN{STAMP}{' ' * 18}AOYX|AAR0000001|ABB0000001|AC|AD1234|AY3AZ".encode()
    raw = body + checksum(body).encode() + b"\r"
    first = session.respond(raw).data
    second = session.respond(raw).data
    assert first == second and answer(first).fixed["ok"] == "1"
    assert Loan.objects.count() == 1 and len(events(type="checkout")) == 1


def test_a_book_drop_checks_in_without_a_pin_and_its_unit_decides_the_route(unit, library):
    drop = factories.kiosk(unit=library, name="drop-lib", pin_required=False)
    session = Session()
    session.respond(f"9300CN{drop.name}|CO{factories.KIOSK_PASSWORD}|\r".encode())
    reader = factories.reader(home=unit("YX-S01"), card="R0000009")
    book = factories.item(home=unit("YX-S01-V01"), barcode="B0000050")
    circ.loan_checkout(reader=reader, item=book, at_unit=unit("YX-S01-V01"), actor=None)
    reply = answer(session.respond(checkin("B0000050")).data)
    assert (reply.get("CV"), reply.get("CT")) == ("04", "YX-S01-V01")
    assert events(type="checkin") == [("checkin", "sip2:drop-lib", "YX-LIB")]


def test_a_patron_session_checks_the_pin_once_and_a_different_pin_again(session, reader, book, monkeypatch):
    from wenyun.circulation import services

    calls = []
    real = services.reader_pin_check
    monkeypatch.setattr(services, "reader_pin_check", lambda **kw: calls.append(kw["pin"]) or real(**kw))
    session.respond(patron_information("R0000001"))
    session.respond(checkout("R0000001", "B0000001"))
    assert calls == ["1234"]
    wrong = answer(session.respond(patron_information("R0000001", pin="9999")).data)
    assert wrong.get("AF") == "密码错误。" and calls == ["1234", "9999"]
    session.respond(patron_information("R0000001"))
    session.respond(msg(f"35{STAMP}AOYX|AAR0000001|"))
    session.respond(patron_information("R0000001"))
    assert calls == ["1234", "9999", "1234", "1234"]


def test_five_wrong_pins_lock_the_card_at_this_kiosk_even_with_the_right_pin(session, reader, book, unit):
    from wenyun.core.models import FailedLogin

    for guess in ("0000", "1111", "2222", "3333", "4444"):
        wrong = answer(session.respond(checkout("R0000001", "B0000001", pin=guess)).data)
        assert wrong.get("AF") == "密码错误。"
    locked = answer(session.respond(checkout("R0000001", "B0000001", pin="1234")).data)
    assert (locked.fixed["ok"], locked.get("AF")) == (
        "0",
        "这张读者证的密码错误次数过多。请十五分钟后再试，或到服务台咨询。",
    )
    # The same count the portal keeps for card + PIN sign-in.
    assert FailedLogin.objects.filter(username="card:r0000001").count() == 5
    book.refresh_from_db()
    assert book.status == ItemStatus.AVAILABLE
    assert Loan.objects.count() == 0 and CirculationEvent.objects.count() == 0


def test_wrong_pins_elsewhere_do_not_lock_the_card_at_another_kiosk_until_the_cards_own_limit(
    session, reader, book, unit, settings
):
    from wenyun.core.models import FailedLogin
    from wenyun.core.services import login_failure_record

    other = factories.kiosk(unit=unit("YX-S02"), name="kiosk-s02")
    elsewhere = Session(peer="192.0.2.20")
    elsewhere.respond(f"9300CN{other.name}|CO{factories.KIOSK_PASSWORD}|\r".encode())
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        session.respond(patron_information("R0000001", pin=guess))

    served = answer(elsewhere.respond(patron_information("R0000001")).data)

    assert (served.code, served.get("AE"), served.get("CQ")) == ("64", "王小明", "Y")
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 5):
        login_failure_record(username="card:r0000001", ip=f"203.0.113.{n}")
    elsewhere.respond(msg(f"35{STAMP}AOYX|AAR0000001|"))
    locked = answer(elsewhere.respond(checkout("R0000001", "B0000001")).data)
    assert (locked.fixed["ok"], locked.get("AF")) == (
        "0",
        "这张读者证的密码错误次数过多。请十五分钟后再试，或到服务台咨询。",
    )
    assert (
        FailedLogin.objects.filter(username="card:r0000001").count() == settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    )
    assert Loan.objects.count() == 0


def test_a_right_pin_clears_earlier_wrong_ones(session, reader):
    from wenyun.core.models import FailedLogin

    session.respond(patron_information("R0000001", pin="0000"))
    assert FailedLogin.objects.filter(username="card:r0000001").count() == 1
    ok = answer(session.respond(patron_information("R0000001")).data)
    assert (ok.code, ok.get("AE")) == ("64", "王小明")
    assert FailedLogin.objects.filter(username="card:r0000001").count() == 0


def sip_stamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d    %H%M%S")


def test_an_offline_checkout_of_a_blocked_reader_is_recorded_as_of_the_kiosks_date(session, reader, book):
    """No-block: the kiosk lent the book while it could not reach us; the loan is recorded as then,
    its blocks not judged, and the log says it was offline."""
    circ.reader_block(actor=None, reader=reader, reason="丢失图书未赔偿")
    lent = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    reply = answer(
        session.respond(msg(f"11NY{sip_stamp(lent)}20261231    235959AOYX|AAR0000001|ABB0000001|AC|")).data
    )
    loan = Loan.objects.get(item=book, returned_at__isnull=True)
    assert (reply.code, reply.fixed["ok"], reply.get("AH")) == ("12", "1", "20261231    235959")
    assert (loan.reader, loan.out_at, loan.due_on) == (reader, lent, dt.date(2026, 12, 31))
    event = CirculationEvent.objects.get(type="checkout")
    assert (event.at, event.via, event.details["offline"]) == (lent, "sip2:kiosk-yx", True)


def test_an_offline_checkout_of_a_copy_already_on_loan_is_refused_and_changes_nothing(
    session, reader, book, unit
):
    other = factories.reader(home=unit("YX-S01"), card="R0000002")
    first = circ.loan_checkout(reader=other, item=book, at_unit=unit("YX-S01"), actor=None)
    reply = answer(session.respond(msg(f"11NY{STAMP}{' ' * 18}AOYX|AAR0000001|ABB0000001|AC|")).data)
    on_loan = gettext("%(barcode)s is on loan to another reader; check it in first.") % {
        "barcode": "B0000001"
    }
    assert (reply.fixed["ok"], reply.get("AF")) == ("0", on_loan)
    assert list(Loan.objects.filter(item=book).values_list("pk", "reader__card")) == [(first.pk, "R0000002")]
    assert len(events(type="checkout")) == 1


def test_an_online_checkout_of_the_same_blocked_reader_is_still_refused(session, reader, book):
    circ.reader_block(actor=None, reader=reader, reason="丢失图书未赔偿")
    reply = answer(session.respond(checkout("R0000001", "B0000001")).data)
    assert reply.fixed["ok"] == "0" and Loan.objects.count() == 0


def test_an_offline_checkin_is_returned_as_of_the_kiosks_date_and_logged_offline(session, reader, book, unit):
    lent = timezone.now() - dt.timedelta(days=40)
    loan = circ.loan_checkout(reader=reader, item=book, at_unit=unit("YX-S01"), actor=None, at=lent)
    returned = (timezone.now() - dt.timedelta(days=12)).replace(microsecond=0)
    reply = answer(session.respond(msg(f"09Y{STAMP}{sip_stamp(returned)}APx|AOYX|ABB0000001|AC|")).data)
    loan.refresh_from_db()
    assert (reply.code, reply.fixed["ok"]) == ("10", "1")
    assert loan.returned_at == returned  # twelve days ago: believed for an offline return (up to 30)
    event = CirculationEvent.objects.get(type="checkin")
    assert (event.at, event.details["offline"]) == (returned, True)


# -------------------------------------------------- issue 15 item 5: what a conformance suite checks


def test_a_checkout_of_an_unknown_barcode_still_says_the_patron_and_the_pin_are_valid(session, reader):
    reply = answer(session.respond(checkout("R0000001", "NOPE")).data)
    assert (reply.code, reply.fixed["ok"], reply.get("AF")) == ("12", "0", catalogue_says("NOPE"))
    assert (reply.get("BL"), reply.get("CQ")) == ("Y", "Y")
    assert Loan.objects.count() == 0 and CirculationEvent.objects.count() == 0


def test_a_refused_checkout_says_which_of_card_and_pin_is_wrong(session, reader, book):
    unknown_card = answer(session.respond(checkout("NOBODY", "B0000001")).data)
    wrong_pin = answer(session.respond(checkout("R0000001", "B0000001", pin="9999")).data)
    missing_item = answer(session.respond(msg(f"11NN{STAMP}{' ' * 18}AOYX|AAR0000001|AD1234|")).data)
    assert (unknown_card.fixed["ok"], unknown_card.get("BL"), unknown_card.get("CQ")) == ("0", "N", "N")
    assert (wrong_pin.fixed["ok"], wrong_pin.get("BL"), wrong_pin.get("CQ")) == ("0", "Y", "N")
    assert (missing_item.fixed["ok"], missing_item.get("BL"), missing_item.get("CQ")) == ("0", "Y", "Y")
    book.refresh_from_db()
    assert book.status == ItemStatus.AVAILABLE and Loan.objects.count() == 0


def test_a_checkout_without_a_pin_sends_bl_and_no_cq(unit, reader, book):
    drop = factories.kiosk(unit=unit("YX-S01"), name="desk-pad", pin_required=False)
    session = Session()
    session.respond(f"9300CN{drop.name}|CO{factories.KIOSK_PASSWORD}|\r".encode())
    reply = answer(session.respond(checkout("R0000001", "B0000001", pin=None)).data)
    assert (reply.fixed["ok"], reply.get("BL"), reply.has("CQ")) == ("1", "Y", False)


def test_a_good_checkout_says_the_patron_and_the_pin_are_valid(session, reader, book):
    reply = answer(session.respond(checkout("R0000001", "B0000001")).data)
    assert (reply.fixed["ok"], reply.get("BL"), reply.get("CQ")) == ("1", "Y", "Y")


def test_a_blocked_card_is_denied_charging_renewing_recalls_and_holds(session, reader):
    circ.reader_block(actor=None, reader=reader, reason="丢失图书未赔偿")
    status = answer(session.respond(msg(f"23019{STAMP}AOYX|AAR0000001|AD1234|")).data)
    info = answer(session.respond(patron_information("R0000001")).data)
    assert status.fixed["patron_status"] == "YYYY" + " " * 10
    assert info.fixed["patron_status"] == "YYYY" + " " * 10


def test_a_checkout_without_the_nb_due_date_field_is_read_as_if_it_were_blank(session, reader, book):
    # What an open-source kiosk client sends: no 18-character "nb due date" after the transaction date.
    reply = answer(session.respond(msg(f"11NN{STAMP}AOYX|AAR0000001|ABB0000001|AC|AD1234|")).data)
    loan = Loan.objects.get(item=book, returned_at__isnull=True)
    assert (reply.code, reply.fixed["ok"], reply.get("AB")) == ("12", "1", "B0000001")
    assert reply.get("AH") == loan.due_on.strftime("%Y%m%d") + "    235959"


def test_a_renewal_without_the_nb_due_date_field_is_read_as_well(session, reader, book):
    circ.loan_checkout(
        reader=reader,
        item=book,
        at_unit=book.home_unit,
        actor=None,
        at=timezone.now() - dt.timedelta(days=20),
    )
    reply = answer(session.respond(msg(f"29NN{STAMP}AOYX|AAR0000001|AD1234|ABB0000001|")).data)
    assert (reply.code, reply.fixed["ok"]) == ("30", "1")


def test_a_checkout_short_by_something_else_is_still_refused_as_unreadable(session, reader, book):
    reply = session.respond(msg("11NN2026112AOYX|AAR0000001|ABB0000001|AD1234|"))
    assert reply.data == b"96\r"
    assert Loan.objects.count() == 0
