"""Notices to readers (ready for pickup, due soon, overdue) through a pluggable sender.

The sender is named by the setting WENYUN_NOTICE_SENDER (a dotted path to a class with
`send(notice)`); the default keeps each notice in the outbox table and prints it on the console.
`SmsSender` posts each notice to an HTTP SMS gateway configured in settings (WENYUN_SMS_*).

Every notice is a row first; a sender only marks it sent, skipped or failed (with the reason), and
never raises into the caller: a gateway that is down must not undo a check-in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notice, Reader

log = logging.getLogger(__name__)

# The demo builder turns the console copy off while it writes a few hundred notices.
CONSOLE = [True]


class OutboxSender:
    def send(self, notice: Notice) -> None:
        notice.sent_at, notice.status = timezone.now(), Notice.Status.SENT
        notice.save(update_fields=["sent_at", "status"])
        if CONSOLE[0]:
            print(f"[notice {notice.kind}] {notice.reader.card}: {notice.text}", file=sys.stderr)


def _mark(notice: Notice, status: str, error: str = "") -> None:
    notice.status, notice.error = status, error[:300]
    if status == Notice.Status.SENT:
        notice.sent_at = timezone.now()
    Notice.objects.filter(pk=notice.pk).update(
        status=notice.status, error=notice.error, sent_at=notice.sent_at
    )


class SmsSender:
    """Posts a notice to the county's SMS gateway once the transaction that made it has committed.

    The request is JSON `{account, phone, template, params: {name, text}, reference}` where `template`
    is the gateway's template code for the notice's kind (WENYUN_SMS_TEMPLATES); it is signed with
    HMAC-SHA256 of the body under the account's key (header X-Signature), so the key never travels.
    Any 2xx answer is sent; anything else, or no answer within WENYUN_SMS_TIMEOUT seconds, is failed
    with the reason kept on the notice. A reader without a phone number is skipped.
    """

    channel = "sms"

    def __init__(self) -> None:
        self.url: str = getattr(settings, "WENYUN_SMS_URL", "")
        self.account: str = getattr(settings, "WENYUN_SMS_ACCOUNT", "")
        self.key: str = getattr(settings, "WENYUN_SMS_KEY", "")
        self.templates: dict[str, str] = dict(getattr(settings, "WENYUN_SMS_TEMPLATES", {}))
        self.timeout: float = float(getattr(settings, "WENYUN_SMS_TIMEOUT", 10))

    def send(self, notice: Notice) -> None:
        notice.channel = self.channel
        Notice.objects.filter(pk=notice.pk).update(channel=self.channel)
        phone = (notice.reader.phone or "").strip()
        if not phone:
            _mark(notice, Notice.Status.SKIPPED, "the reader has no mobile phone number")
            return
        transaction.on_commit(lambda: self.deliver(notice, phone))

    def _problem(self, notice: Notice) -> str:
        missing = [
            name
            for name, value in (
                ("WENYUN_SMS_URL", self.url),
                ("WENYUN_SMS_ACCOUNT", self.account),
                ("WENYUN_SMS_KEY", self.key),
            )
            if not value
        ]
        if missing:
            return f"the SMS gateway is not configured: {', '.join(missing)} not set"
        if not self.templates.get(notice.kind):
            return f"no SMS template is configured for {notice.kind} notices (WENYUN_SMS_TEMPLATES)"
        return ""

    def deliver(self, notice: Notice, phone: str) -> None:
        problem = self._problem(notice)
        if problem:
            _mark(notice, Notice.Status.FAILED, problem)
            return
        body = json.dumps(
            {
                "account": self.account,
                "phone": phone,
                "template": self.templates[notice.kind],
                "params": {"name": notice.reader.name, "text": notice.text},
                "reference": str(notice.pk),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        signature = hmac.new(self.key.encode("utf-8"), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "X-Signature": signature},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(4096)
            _mark(notice, Notice.Status.SENT)
        except urllib.error.HTTPError as exc:
            answer = exc.read(200).decode("utf-8", "replace")
            _mark(notice, Notice.Status.FAILED, f"the gateway answered {exc.code}: {answer}".strip())
        except (OSError, ValueError) as exc:
            # URLError, timeouts and refused connections are OSErrors; a malformed URL a ValueError.
            reason = getattr(exc, "reason", exc)
            _mark(notice, Notice.Status.FAILED, f"the gateway could not be reached: {reason}")
        except Exception as exc:  # the notice keeps the reason; the caller's work stands
            log.exception("SMS notice %s failed", notice.pk)
            _mark(notice, Notice.Status.FAILED, f"sending failed: {exc}")


def sender():
    return import_string(
        getattr(settings, "WENYUN_NOTICE_SENDER", "wenyun.circulation.notices.OutboxSender")
    )()


def notice_send(*, reader: Reader, kind: str, text: str) -> Notice:
    notice = Notice.objects.create(reader=reader, kind=kind, text=text, created_at=timezone.now())
    try:
        sender().send(notice)
    except Exception as exc:  # a broken sender never undoes the check-in or the nightly run
        log.exception("notice %s could not be handed to its sender", notice.pk)
        _mark(notice, Notice.Status.FAILED, f"the sender failed: {exc}")
    return notice
