"""Notices to readers (ready for pickup, due soon, overdue) through a pluggable sender.

The sender is named by the setting WENYUN_NOTICE_SENDER (a dotted path to a class with
`send(notice)`); the default keeps each notice in the outbox table and prints it on the console,
so an SMS or WeChat gateway can be added later without touching the services.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notice, Reader

# The demo builder turns the console copy off while it writes a few hundred notices.
CONSOLE = [True]


class OutboxSender:
    def send(self, notice: Notice) -> None:
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
        if CONSOLE[0]:
            print(f"[notice {notice.kind}] {notice.reader.card}: {notice.text}", file=sys.stderr)


def sender():
    return import_string(
        getattr(settings, "WENYUN_NOTICE_SENDER", "wenyun.circulation.notices.OutboxSender")
    )()


def notice_send(*, reader: Reader, kind: str, text: str) -> Notice:
    notice = Notice.objects.create(reader=reader, kind=kind, text=text, created_at=timezone.now())
    sender().send(notice)
    return notice
