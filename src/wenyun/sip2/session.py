"""One kiosk connection's conversation: the bytes of a message in, the bytes of the answer out.

`Session.respond` is a plain sync function: the asyncio server runs it in a worker thread, tests
call it directly. It parses, checks the error-detection trailer, keeps the login state, answers the
messages that need no circulation (login, status, resend) and hands the rest to `handlers`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from wenyun.core.errors import DomainError

from . import codec
from .codec import ChecksumError, Message, ProtocolError

if TYPE_CHECKING:
    from .models import KioskAccount

logger = logging.getLogger("wenyun.sip2")

# Consecutive unreadable messages after which the connection is closed rather than asked to resend.
MAX_PROTOCOL_ERRORS = 3
# Failed logins on one connection after which it is closed; each failure before that waits longer.
MAX_LOGIN_FAILURES = 5
MAX_LOGIN_DELAY = 16.0

# SIP2 language codes (the 3M list): 001 English, 024 UK English; anything else gets Chinese.
ENGLISH_LANGUAGE_CODES = frozenset({"001", "024"})


@dataclass
class Reply:
    data: bytes | None  # None: nothing to send
    close: bool = False  # close the connection after sending
    delay: float = 0.0  # seconds to wait before sending (the failed-login slow-down)


@dataclass
class Session:
    peer: str | None = None
    account: KioskAccount | None = None  # after a good login
    default_encoding: str = "utf-8"
    error_detection: bool = False  # the kiosk sent AY/AZ: answers carry them too
    last_response: bytes = b""
    last_request: bytes = b""
    protocol_errors: int = 0
    login_failures: int = 0
    language: str = "zh-hans"
    state: dict = field(default_factory=dict)  # the handlers' memory (e.g. the patron in session)

    @property
    def encoding(self) -> str:
        return getattr(self.account, "encoding", None) or self.default_encoding

    # -- entry point -------------------------------------------------------------------------------

    def hashes(self, raw: bytes) -> bool:
        """Whether answering this message checks a password hash: a login, or a reader's PIN this
        session has not accepted yet. The server runs those apart from the rest (see server.py)."""
        if raw[:2] == b"93":
            return True
        try:
            message = codec.parse(raw, encoding=self.encoding)
        except ProtocolError:
            return False
        pin = message.get("AD")
        if not pin:
            return False
        from .handlers import pin_accepted

        return not pin_accepted(self, message.get("AA").strip(), pin)

    def respond(self, raw: bytes) -> Reply:
        try:
            message = self._parse(raw)
        except ChecksumError as exc:
            logger.info("SIP2 %s: %s", self.peer, exc)
            self.error_detection = True
            return self._protocol_error(resend=True)
        except ProtocolError as exc:
            logger.info("SIP2 %s: %s", self.peer, exc)
            return self._protocol_error(resend=True)
        self.protocol_errors = 0
        if message.sequence is not None or message.checksummed:
            self.error_detection = True
        if message.code == "97":
            # The kiosk did not get our last answer whole: send it again, without doing anything twice.
            return Reply(self.last_response or self._build(message, "96", {}, {}))
        if (
            message.sequence is not None
            and raw.strip(b"\r\n") == self.last_request
            and self.last_response
            and message.code != "93"
        ):
            # The same message with the same sequence number: a retransmission, not a second checkout.
            return Reply(self.last_response)
        if message.code == "93":
            return self._remember(raw, self._login(message))
        if self.account is None and message.code != "99":
            logger.warning("SIP2 %s sent %s before logging in; closing", self.peer, message.code)
            return Reply(None, close=True)
        language = self._language(message)
        with override(language):
            if message.code == "99":
                return self._remember(raw, Reply(self._status(message)))
            from . import handlers

            try:
                code, fixed, fields = handlers.dispatch(self, message)
            except DomainError as exc:  # a handler found the request itself unusable
                code, fixed, fields = handlers.refusal(self, message, exc.message)
        return self._remember(raw, Reply(self._build(message, code, fixed, fields)))

    # -- helpers -----------------------------------------------------------------------------------

    def _parse(self, raw: bytes) -> Message:
        encoding = self.encoding
        try:
            return codec.parse(raw, encoding=encoding)
        except ProtocolError as exc:
            if self.account is None and "is not valid" in str(exc) and encoding != "gb18030":
                # Before login the kiosk's encoding is unknown: an older Chinese kiosk sends GB18030.
                return codec.parse(raw, encoding="gb18030")
            raise

    def _protocol_error(self, *, resend: bool) -> Reply:
        self.protocol_errors += 1
        if self.protocol_errors >= MAX_PROTOCOL_ERRORS:
            logger.warning(
                "SIP2 %s: %d unreadable messages in a row; closing", self.peer, self.protocol_errors
            )
            return Reply(None, close=True)
        # 96 carries no sequence number, only the checksum when error detection is in use.
        return Reply(codec.build("96", error_detection=self.error_detection))

    def _remember(self, raw: bytes, reply: Reply) -> Reply:
        if reply.data is not None:
            self.last_request = raw.strip(b"\r\n")
            self.last_response = reply.data
        return reply

    def _language(self, message: Message) -> str:
        code = message.fixed.get("language")
        if code is None:
            return self.language
        self.language = "en" if code in ENGLISH_LANGUAGE_CODES else "zh-hans"
        return self.language

    def _build(self, message: Message, code: str, fixed: dict, fields: dict) -> bytes:
        return codec.build(
            code,
            fixed,
            fields,
            sequence=message.sequence,
            error_detection=self.error_detection,
            encoding=self.encoding,
        )

    def _login(self, message: Message) -> Reply:
        from .services import kiosk_login, kiosk_recent_failures

        name, password = message.get("CN"), message.get("CO")
        try:
            account = kiosk_login(name=name, password=password, peer=self.peer)
        except DomainError:
            self.account = None
            self.login_failures += 1
            # Slow a guesser down: 1, 2, 4, 8, 16 s, counting failures on this connection and, across
            # connections, recent failures for this name.
            failures = max(self.login_failures, kiosk_recent_failures(name=name))
            delay = min(2.0 ** (failures - 1), MAX_LOGIN_DELAY)
            close = self.login_failures >= MAX_LOGIN_FAILURES
            return Reply(self._build(message, "94", {"ok": "0"}, {}), close=close, delay=delay)
        self.account = account
        self.login_failures = 0
        self.state.clear()
        logger.info("SIP2 %s logged in as %s (unit %s)", self.peer, account.name, account.unit.code)
        return Reply(self._build(message, "94", {"ok": "1"}, {}))

    def _status(self, message: Message) -> bytes:
        account = self.account
        online = account is not None
        fixed = {
            "online_status": codec.flag(True),
            "checkin_ok": codec.flag(online),
            "checkout_ok": codec.flag(online),
            "acs_renewal_policy": codec.flag(online),
            "status_update_ok": codec.flag(online),
            "offline_ok": "N",
            "timeout_period": "030",
            "retries_allowed": "003",
            "date_time_sync": codec.sip_datetime(timezone.now()),
            "protocol_version": "2.00",
        }
        fields: dict[str, object] = {
            "AO": getattr(account, "institution", ""),
            "AM": account.unit.name if account is not None else _("Wenyun"),
            # Patron status, checkout, checkin, block patron, SC/ACS status, resend, login, patron
            # information, end session, fee paid, item information, item status update, patron
            # enable, hold, renew, renew all: all sixteen are answered.
            "BX": "Y" * 16,
        }
        if account is not None:
            fields["AN"] = account.unit.code
        else:
            fields["AF"] = _("Please log in.")
        return self._build(message, "98", fixed, fields)
