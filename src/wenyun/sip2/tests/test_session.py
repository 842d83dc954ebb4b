"""A connection's conversation without circulation: login binds a unit, nothing else before it,
status, error detection (AY/AZ), resends, the failed-login slow-down and unreadable input."""

from __future__ import annotations

from wenyun.core.models import FailedLogin
from wenyun.sip2.codec import checksum
from wenyun.sip2.session import Session

from . import factories
from .sip import answer, login_message, msg


def with_trailer(text: str, sequence: str) -> bytes:
    body = f"{text}AY{sequence}AZ".encode()
    return body + checksum(body).encode() + b"\r"


def test_a_good_login_binds_the_connection_to_the_kiosks_unit(kiosk):
    session = Session(peer="192.0.2.10")
    reply = session.respond(login_message("kiosk-yx", factories.KIOSK_PASSWORD))
    assert reply.data == b"941\r"
    assert session.account.unit.code == "YX-S01"


def test_a_wrong_password_is_refused_slowed_down_and_recorded(kiosk):
    session = Session(peer="192.0.2.10")
    first = session.respond(login_message("kiosk-yx", "guess-1"))
    second = session.respond(login_message("kiosk-yx", "guess-2"))
    assert (first.data, first.delay, first.close) == (b"940\r", 1.0, False)
    assert (second.data, second.delay) == (b"940\r", 2.0)
    assert session.account is None
    assert FailedLogin.objects.filter(username="sip2:kiosk-yx", ip="192.0.2.10").count() == 2


def test_five_failures_on_one_connection_close_it(kiosk):
    session = Session()
    replies = [session.respond(login_message("kiosk-yx", f"guess-{n}")) for n in range(5)]
    assert [r.close for r in replies] == [False, False, False, False, True]
    assert [r.delay for r in replies] == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_failures_from_other_connections_slow_a_new_one_down(kiosk):
    for n in range(3):
        Session().respond(login_message("kiosk-yx", f"guess-{n}"))
    assert Session().respond(login_message("kiosk-yx", "guess-4")).delay == 8.0


def test_an_unknown_kiosk_name_is_refused_like_a_wrong_password(county):
    assert Session().respond(login_message("nobody", "whatever")).data == b"940\r"


def test_before_login_only_status_is_answered_and_anything_else_closes(kiosk):
    session = Session()
    status = answer(session.respond(msg("9900802.00")).data)
    assert status.code == "98"
    assert status.fixed["online_status"] == "Y" and status.fixed["checkout_ok"] == "N"
    assert status.get("AF") == "请登录。"
    reply = session.respond(msg("2300120261127    100000AOYX|AAR001|"))
    assert (reply.data, reply.close) == (None, True)


def test_status_after_login_names_the_unit_and_every_supported_message(session):
    status = answer(session.respond(msg("9900802.00")).data)
    assert status.fixed["checkin_ok"] == "Y" and status.fixed["checkout_ok"] == "Y"
    assert status.fixed["protocol_version"] == "2.00"
    assert status.get("AO") == "YX"
    assert status.get("AM") == session.account.unit.name
    assert status.get("AN") == "YX-S01"
    assert status.get("BX") == "Y" * 16


def test_a_kiosk_using_error_detection_gets_its_sequence_and_a_checksum_back(session):
    data = session.respond(with_trailer("9900802.00", "7")).data
    assert data is not None
    body, sent = data[:-5], data[-5:-1].decode()
    assert body.endswith(b"AY7AZ")
    assert checksum(body) == sent


def test_a_bad_checksum_gets_96_and_nothing_else(session):
    reply = session.respond(b"9900802.00AY1AZ0000\r")
    assert reply.data == b"96AZFEF6\r"
    assert reply.close is False


def test_97_resends_the_last_answer_without_doing_it_again(session):
    first = session.respond(msg("9900802.00")).data
    assert session.respond(msg("97")).data == first


def test_three_unreadable_messages_in_a_row_close_the_connection(session):
    replies = [session.respond(b"\xff\xfe garbage\r") for _ in range(3)]
    assert [r.data for r in replies] == [b"96\r", b"96\r", None]
    assert [r.close for r in replies] == [False, False, True]


def test_a_gb18030_kiosk_logs_in_and_is_answered_in_gb18030(unit):
    factories.kiosk(unit=unit("YX-S01"), name="旧自助机", encoding="gb18030")
    session = Session()
    reply = session.respond(f"9300CN旧自助机|CO{factories.KIOSK_PASSWORD}|\r".encode("gb18030"))
    assert reply.data == b"941\r"
    status = session.respond(msg("9900802.00")).data
    assert answer(status, encoding="gb18030").get("AM") == "城关镇综合文化站"


def test_only_a_login_and_a_pin_not_yet_accepted_are_sent_to_the_hashing_threads(session, unit):
    reader = factories.reader(home=unit("YX-S01"), card="R0000077")
    first = msg(f"63001{'20261127    100000'}          AOYX|AAR0000077|AD1234|")
    assert session.hashes(login_message("kiosk-yx", "whatever")) is True
    assert session.hashes(first) is True
    session.respond(first)
    assert session.hashes(first) is False  # accepted in this session: no hash to check
    assert session.hashes(msg(f"63001{'20261127    100000'}          AOYX|AAR0000077|AD9999|")) is True
    assert session.hashes(msg(f"09N{'20261127    100000' * 2}APx|AOYX|ABB1|")) is False  # no PIN at all
    assert session.hashes(b"\xff\xfe garbage\r") is False
    assert reader.card == "R0000077"
