from __future__ import annotations

import pytest

from wenyun.sip2.session import Session

from . import factories
from .sip import login_message


@pytest.fixture
def library(unit):
    """The county library (YX-LIB), where books come home to."""
    return unit("YX-LIB")


@pytest.fixture
def kiosk(unit):
    """A self-check in 城关镇综合文化站 (YX-S01)."""
    return factories.kiosk(unit=unit("YX-S01"))


@pytest.fixture
def session(kiosk):
    """A connection already logged in as the YX-S01 kiosk."""
    s = Session(peer="192.0.2.10")
    reply = s.respond(login_message(kiosk.name, factories.KIOSK_PASSWORD))
    assert reply.data is not None and reply.data.startswith(b"941")
    return s
