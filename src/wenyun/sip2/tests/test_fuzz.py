"""Whatever a kiosk (or anyone reaching the port) sends, a logged-in connection answers with a valid
SIP2 message or closes; it never raises and never changes data it was not validly asked to."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenyun.catalog.models import Item
from wenyun.circulation.models import CirculationEvent, Loan, Reader
from wenyun.sip2 import codec
from wenyun.sip2.session import Session

from . import factories
from .sip import login_message

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def snapshot():
    return (
        Loan.objects.count(),
        CirculationEvent.objects.count(),
        list(Item.objects.order_by("pk").values_list("status", flat=True)),
        list(Reader.objects.order_by("pk").values_list("manual_block", flat=True)),
    )


def assert_valid_answer(session: Session, raw: bytes) -> None:
    reply = session.respond(raw)
    if reply.data is None:
        assert reply.close is True
        return
    assert reply.data.endswith(b"\r")
    parsed = codec.parse(reply.data, encoding=session.encoding, requests_only=False)
    assert parsed.code in codec.RESPONSES


def logged_in(unit) -> Session:
    kiosk = factories.kiosk(unit=unit("YX-S01"), name="fuzz-kiosk")
    session = Session()
    assert session.respond(login_message(kiosk.name, factories.KIOSK_PASSWORD)).data == b"941\r"
    return session


def test_fuzz_random_bytes_never_crash_and_change_nothing(unit):
    factories.item(home=unit("YX-S01"), barcode="B1")
    factories.reader(home=unit("YX-S01"), card="R1")
    session = logged_in(unit)
    before = snapshot()

    @FUZZ
    @given(st.binary(max_size=400))
    def run(raw):
        session.protocol_errors = 0  # keep the connection open across examples
        assert_valid_answer(session, raw + b"\r")

    run()
    assert snapshot() == before


def test_fuzz_every_request_code_with_a_random_body_never_crashes(unit):
    factories.item(home=unit("YX-S01"), barcode="B1")
    factories.reader(home=unit("YX-S01"), card="R1")
    session = logged_in(unit)
    before = snapshot()
    text = st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=120
    )

    @FUZZ
    @given(st.sampled_from(sorted(set(codec.REQUESTS) - {"93"})), text)
    def run(code, body):
        session.protocol_errors = 0
        assert_valid_answer(session, (code + body).encode("utf-8") + b"\r")

    run()
    # Random bodies never carry the card's PIN, so no reader was served and nothing changed... except
    # that Block Patron needs no PIN: a random 01 naming card R1 may block it, which is a valid request.
    after = snapshot()
    assert after[:3] == before[:3]
