"""Over a real socket: the third-party `sip2` client (PyPI) drives a kiosk session end to end; a raw
socket client sends what that client never would (garbage, a huge message, one that never ends, TLS)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time

import pytest
from django.conf import settings
from Sip2.sip2 import Sip2  # the PyPI `sip2` package

from wenyun.catalog.models import ItemStatus
from wenyun.circulation.models import CirculationEvent, Loan
from wenyun.sip2.server import Limits, ThreadedServer, tls_context

from . import factories

# available_apps makes the flush after each test TRUNCATE ... CASCADE on PostgreSQL, where the catalogue's
# search table (created outside the ORM) references catalog_record.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))

LIMITS = Limits(max_message_bytes=1024, idle_seconds=3, message_seconds=1)


@pytest.fixture
def server(county):
    with ThreadedServer(limits=LIMITS) as running:
        yield running


@pytest.fixture
def demo(unit):
    """A kiosk at the village centre YX-S01-V01, a reader, a book of the village and one of the library."""
    kiosk = factories.kiosk(unit=unit("YX-S01-V01"), name="village-kiosk")
    reader = factories.reader(home=unit("YX-S01-V01"), card="R1000001", name="张秀英")
    own = factories.item(home=unit("YX-S01-V01"), barcode="V0000001", title="活着")
    away = factories.item(home=unit("YX-LIB"), barcode="L0000001", title="红楼梦")
    return kiosk, reader, own, away


@pytest.fixture
def client(server, tmp_path):
    sip = Sip2()
    sip.hostName, sip.hostPort = "127.0.0.1", server.port
    sip.tlsEnable = False
    sip.logfile_path = str(tmp_path)  # the client writes a log file; keep it out of the tree
    sip.institutionId, sip.scLocation = "YX", "YX-S01-V01"
    sip.connect()
    yield sip
    sip.disconnect()


def raw_client(port: int, timeout: float = 5) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_answer(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\r"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def login(sock: socket.socket, name: str = "village-kiosk") -> None:
    sock.sendall(f"9300CN{name}|CO{factories.KIOSK_PASSWORD}|\r".encode())
    assert read_answer(sock) == b"941\r"


def test_the_third_party_client_logs_in_borrows_and_returns_end_to_end(client, demo):
    kiosk, _reader, _own, away = demo
    login = client.sip_login_response(
        client.get_response(client.sip_login_request(kiosk.name, factories.KIOSK_PASSWORD))
    )
    assert login["fixed"]["Ok"] == "1"

    status = client.sip_sc_status_response(client.get_response(client.sip_sc_status_request()))
    assert status["fixed"]["OnlineStatus"] == "Y" and status["fixed"]["CheckoutOk"] == "Y"
    assert status["variable"]["AN"] == ["YX-S01-V01"]

    client.patron, client.patronpwd = "R1000001", factories.PIN
    info = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("charged"))
    )
    assert (
        info["variable"]["AE"] == ["张秀英"]
        and info["variable"]["BL"] == ["Y"]
        and info["variable"]["CQ"] == ["Y"]
    )
    assert info["fixed"]["PatronStatus"] == " " * 14

    for barcode in ("V0000001", "L0000001"):
        out = client.sip_checkout_response(client.get_response(client.sip_checkout_request(barcode)))
        assert out["fixed"]["Ok"] == "1", out
        assert out["variable"]["AB"] == [barcode]
    assert out["variable"]["AJ"] == ["红楼梦"]

    info = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("charged"))
    )
    assert info["fixed"]["ChargedItemsCount"] == "0002"
    assert sorted(info["variable"]["AU"]) == ["L0000001", "V0000001"]

    renewed = client.sip_renew_response(client.get_response(client.sip_renew_request("V0000001")))
    # Renewing on the day of the loan would not move the due date: the service refuses, the kiosk is told why.
    assert renewed["fixed"]["Ok"] == "0"
    assert renewed["variable"]["AF"][0] != ""

    home = client.sip_checkin_response(client.get_response(client.sip_checkin_request("V0000001")))
    assert home["fixed"]["Ok"] == "1" and home["fixed"]["Alert"] == "N"
    back = client.sip_checkin_response(client.get_response(client.sip_checkin_request("L0000001")))
    assert back["fixed"]["Ok"] == "1" and back["fixed"]["Alert"] == "Y"
    assert back["variable"]["CV"] == ["04"] and back["variable"]["CT"] == ["YX-LIB"]

    away.refresh_from_db()
    assert away.status == ItemStatus.IN_TRANSIT
    assert Loan.objects.filter(returned_at__isnull=True).count() == 0
    logged = set(CirculationEvent.objects.filter(via="sip2:village-kiosk").values_list("type", "unit__code"))
    assert logged == {
        ("checkout", "YX-S01-V01"),
        ("checkin", "YX-S01-V01"),
        ("transit_created", "YX-S01-V01"),
    }


def test_the_third_party_client_renews_a_loan_it_may_renew(client, demo, unit):
    import datetime as dt

    from django.utils import timezone

    from wenyun.circulation.services import loan_checkout

    kiosk, reader, own, _away = demo
    loan = loan_checkout(
        reader=reader, item=own, at_unit=own.home_unit, actor=None, at=timezone.now() - dt.timedelta(days=25)
    )
    client.sip_login_response(
        client.get_response(client.sip_login_request(kiosk.name, factories.KIOSK_PASSWORD))
    )
    client.patron, client.patronpwd = "R1000001", factories.PIN
    renewed = client.sip_renew_response(client.get_response(client.sip_renew_request("V0000001")))
    loan.refresh_from_db()
    assert (renewed["fixed"]["Ok"], renewed["fixed"]["RenewalOk"]) == ("1", "Y")
    assert renewed["variable"]["AH"] == [loan.due_on.strftime("%Y%m%d") + "    235959"]
    assert loan.renewals == 1


def test_a_wrong_password_over_the_wire_is_refused_and_slowed(server, demo):
    with raw_client(server.port) as sock:
        began = time.monotonic()
        sock.sendall(b"9300CNvillage-kiosk|COwrong-pass|\r")
        assert read_answer(sock) == b"940\r"
        assert time.monotonic() - began >= 0.9
        sock.sendall(b"2300120261127    100000AOYX|AAR1000001|\r")
        assert sock.recv(100) == b""  # not logged in: closed, nothing answered


def test_garbage_bytes_get_96_then_the_connection_is_closed(server, demo):
    with raw_client(server.port) as sock:
        login(sock)
        for _ in range(2):
            sock.sendall(b"\x00\xff\xfe\x80garbage\r")
            assert read_answer(sock) == b"96\r"
        sock.sendall(b"\xff\r")
        assert sock.recv(100) == b""
    assert Loan.objects.count() == 0


def test_a_huge_message_closes_the_connection_and_changes_nothing(server, demo):
    with raw_client(server.port) as sock:
        login(sock)
        sock.sendall(b"11NN" + b"A" * 5000)
        assert sock.recv(100) == b""
    assert Loan.objects.count() == 0 and CirculationEvent.objects.count() == 0


def test_a_message_that_never_ends_is_cut_off(server, demo):
    with raw_client(server.port) as sock:
        login(sock)
        sock.sendall(b"11NN20261127    100000")
        began = time.monotonic()
        assert sock.recv(100) == b""
        assert 0.5 < time.monotonic() - began < 3


def test_the_server_survives_a_client_that_vanishes_mid_message(server, demo):
    sock = raw_client(server.port)
    sock.sendall(b"9300CNvillage-")
    sock.close()
    with raw_client(server.port) as again:
        login(again)
        again.sendall(b"9900802.00\r")
        assert read_answer(again).startswith(b"98Y")


def test_many_kiosks_at_once_each_get_their_own_answers(server, demo, unit):
    import threading

    # Eight logins at once each check a password hash (deliberately slow): allow them the time.
    socks = [raw_client(server.port, timeout=60) for _ in range(8)]
    answers: list[bytes] = []
    lock = threading.Lock()

    def kiosk(sock):
        login(sock)
        sock.sendall(b"1700000000    000000AOYX|ABV0000001|\r")
        with lock:
            answers.append(read_answer(sock))
        sock.close()

    threads = [threading.Thread(target=kiosk, args=(s,)) for s in socks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == 8 and all(a.startswith(b"1803") for a in answers)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_tls_kiosks_talk_over_an_encrypted_connection(county, demo, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    client_context = ssl.create_default_context(cafile=str(cert))
    with (
        ThreadedServer(limits=LIMITS, ssl_context=tls_context(str(cert), str(key))) as running,
        socket.create_connection(("127.0.0.1", running.port), timeout=5) as plain,
        client_context.wrap_socket(plain, server_hostname="localhost") as sock,
    ):
        login(sock)
        sock.sendall(b"9900802.00\r")
        assert read_answer(sock).startswith(b"98Y")


def test_a_handler_that_fails_costs_its_kiosk_the_connection_not_the_server(monkeypatch):
    from wenyun.sip2 import server as server_module
    from wenyun.sip2.session import Session

    session = Session()
    monkeypatch.setattr(session, "respond", lambda raw: 1 / 0)
    reply = server_module._respond(session, b"9900802.00\r")
    assert (reply.data, reply.close) == (None, True)


def test_the_command_refuses_half_a_tls_configuration(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.SIP2_TLS_CERT, settings.SIP2_TLS_KEY = "/tmp/cert.pem", ""
    with pytest.raises(CommandError, match="TLS needs both WENYUN_SIP2_TLS_CERT and WENYUN_SIP2_TLS_KEY"):
        call_command("sip2", "--port", "0")


def test_on_sqlite_one_database_thread_answers_and_leaves_checkpoints_to_the_server(server, demo):
    from django.db import connections

    if connections["default"].vendor != "sqlite":
        pytest.skip("the single database thread and the WAL checkpointer are for SQLite")
    with raw_client(server.port) as sock:
        login(sock)
        sock.sendall(b"09N20261127    10000020261127    100000APx|AOYX|ABV0000001|AC|\r")
        assert read_answer(sock).startswith(b"10")

    def autocheckpoint() -> int:
        with connections["default"].cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    assert server.server.workers == 1
    assert server.server.executor.submit(autocheckpoint).result(5) == 0
