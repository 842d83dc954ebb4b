"""The SMS gateway sender, against a fake gateway on this machine: signed requests, skips and failures kept."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wenyun.circulation import services
from wenyun.circulation.models import Hold, Notice

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

KEY = "s3cret-key"


class FakeGateway(BaseHTTPRequestHandler):
    answer = (200, b'{"code": "OK"}')
    received: list[tuple[dict, str]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = hmac.new(KEY.encode(), body, hashlib.sha256).hexdigest()
        type(self).received.append(
            (json.loads(body), "signed" if self.headers["X-Signature"] == expected else "bad")
        )
        status, text = type(self).answer
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings, tmp_path):
    FakeGateway.received, FakeGateway.answer = [], (200, b'{"code": "OK"}')
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WENYUN_NOTICE_SENDER = "wenyun.circulation.notices.SmsSender"
    settings.WENYUN_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.WENYUN_SMS_ACCOUNT = "wenyun-yx"
    settings.WENYUN_SMS_KEY = KEY
    settings.WENYUN_SMS_TIMEOUT = 15
    settings.WENYUN_SMS_TEMPLATES = {"hold_ready": "SMS_0001", "due_soon": "SMS_0002", "overdue": "SMS_0003"}
    yield FakeGateway
    server.shutdown()
    server.server_close()


def _trap_a_hold(reader, lib, staff, barcode="H1"):
    """A copy checked in at the reader's pickup unit: the hold is ready and a notice goes out."""
    book = f.record("红楼梦")
    copy = f.item(home=lib, rec=book, barcode=barcode)
    hold = services.hold_place(reader=reader, record=book, pickup_unit=lib, actor=None, at=MONDAY)
    services.loan_checkin(item=copy, at_unit=lib, actor=staff, at=MONDAY)
    return hold


def test_a_ready_hold_is_texted_to_the_reader_after_the_check_in_commits(
    gateway, zhang, lib, library_staff, django_capture_on_commit_callbacks
):
    zhang.phone = "13800000001"
    zhang.save()

    with django_capture_on_commit_callbacks(execute=True):
        hold = _trap_a_hold(zhang, lib, library_staff)
        assert gateway.received == []  # nothing leaves before the commit

    notice = Notice.objects.get(reader=zhang)
    assert (notice.channel, notice.status, notice.error) == ("sms", "sent", "")
    assert notice.sent_at is not None
    assert gateway.received == [
        (
            {
                "account": "wenyun-yx",
                "phone": "13800000001",
                "template": "SMS_0001",
                "params": {
                    "name": "张三",
                    "text": "红楼梦 is ready for you at 云溪县图书馆 until 2026-06-09.",
                },
                "reference": str(notice.pk),
            },
            "signed",
        )
    ]
    hold.refresh_from_db()
    assert hold.status == Hold.Status.READY


def test_a_reader_without_a_phone_is_skipped_and_the_notice_says_why(
    gateway, zhang, lib, library_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _trap_a_hold(zhang, lib, library_staff)

    notice = Notice.objects.get(reader=zhang)
    assert (notice.status, notice.error, notice.sent_at) == (
        "skipped",
        "the reader has no mobile phone number",
        None,
    )
    assert gateway.received == []


def test_a_gateway_error_is_kept_on_the_notice_and_the_check_in_stands(
    gateway, zhang, lib, library_staff, django_capture_on_commit_callbacks
):
    zhang.phone = "13800000001"
    zhang.save()
    gateway.answer = (503, b'{"code": "BUSY", "message": "try later"}')

    with django_capture_on_commit_callbacks(execute=True):
        hold = _trap_a_hold(zhang, lib, library_staff)

    notice = Notice.objects.get(reader=zhang)
    assert (notice.status, notice.error, notice.sent_at) == (
        "failed",
        'the gateway answered 503: {"code": "BUSY", "message": "try later"}',
        None,
    )
    hold.refresh_from_db()
    assert hold.status == Hold.Status.READY


def test_an_unreachable_gateway_and_a_missing_template_fail_the_notice_only(
    gateway, settings, zhang, lib, library_staff, django_capture_on_commit_callbacks
):
    zhang.phone = "13800000001"
    zhang.save()
    settings.WENYUN_SMS_URL = "http://127.0.0.1:9/nobody-listens"

    with django_capture_on_commit_callbacks(execute=True):
        _trap_a_hold(zhang, lib, library_staff, barcode="H1")
    settings.WENYUN_SMS_TEMPLATES = {}
    with django_capture_on_commit_callbacks(execute=True):
        services.notices_due(today=MONDAY.date())
        services.loan_checkout(reader=zhang, item=f.item(home=lib), at_unit=lib, actor=None, at=MONDAY)
        services.notices_due(today=MONDAY.date().replace(day=14))

    unreachable, no_template = Notice.objects.order_by("pk")
    assert unreachable.status == "failed"
    assert unreachable.error.startswith("the gateway could not be reached: ")
    assert (no_template.kind, no_template.status, no_template.error) == (
        "due_soon",
        "failed",
        "no SMS template is configured for due_soon notices (WENYUN_SMS_TEMPLATES)",
    )
    assert gateway.received == []
