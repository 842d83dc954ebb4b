"""The lifecycles of loans, holds, transits and fees, as tables (see core/lifecycle.py).

Every change of their state in the services goes through `move` or `move_all` of one of these; a
copy's own state is the catalogue's (catalog.services.COPY_LIFECYCLE, changed through `item_move`).

A hold keeps its state in `status`. A loan and a transit keep theirs as timestamps and flags, read
here as one state:

    loan:    open → claimed (the reader says he returned it) → lost → returned
             (claimed and lost loans still come back: a return closes any open loan)
    transit: waiting (for the van) → sent → received; cancelled when the copy is sent elsewhere
             or the hold it travelled for is collected
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wenyun.core.lifecycle import Lifecycle

from .models import Fee, Hold

H = Hold.Status

HOLD_LIFECYCLE = Lifecycle(
    _("hold"),
    {
        # A copy is found for it: sent to the pickup unit, or put on the hold shelf there (a copy
        # already found for it may be found again at another desk, and sent on or shelved there).
        "trap_in_transit": (Hold.ACTIVE, H.IN_TRANSIT),
        "trap_on_shelf": (Hold.ACTIVE, H.READY),
        # The copy it had is lost: it waits for another.
        "release": (Hold.ACTIVE, H.WAITING),
        "fulfil": (Hold.ACTIVE, H.FULFILLED),
        "cancel": (Hold.ACTIVE, H.CANCELLED),
        "expire": ({H.READY}, H.EXPIRED),
    },
    label=lambda state: str(H(state).label),
)


FEE_LIFECYCLE = Lifecycle(
    _("fee"),
    {
        "settle": ({Fee.Status.OPEN}, Fee.Status.PAID),
        "waive": ({Fee.Status.OPEN}, Fee.Status.WAIVED),
    },
    written=lambda target, at: {"status": target, "settled_at": at},
    label=lambda state: str(Fee.Status(state).label),
)


# -- loans ----------------------------------------------------------------------------------------

LOAN_OPEN, LOAN_CLAIMED, LOAN_LOST, LOAN_RETURNED = "open", "claimed", "lost", "returned"
_LOAN_LABELS = {
    LOAN_OPEN: _("on loan"),
    LOAN_CLAIMED: _("claimed returned"),
    LOAN_LOST: _("declared lost"),
    LOAN_RETURNED: _("returned"),
}


def loan_state(loan: Any) -> str:
    if loan.returned_at is not None:
        return LOAN_RETURNED
    if loan.lost:
        return LOAN_LOST
    return LOAN_CLAIMED if loan.claimed_returned else LOAN_OPEN


def _loan_written(target: str, at: dt.datetime) -> dict[str, Any]:
    written: dict[str, dict[str, Any]] = {
        LOAN_CLAIMED: {"claimed_returned": True},
        LOAN_LOST: {"lost": True},
        LOAN_RETURNED: {"returned_at": at},
    }
    return written[target]


_LOAN_STATES = {
    LOAN_OPEN: Q(returned_at__isnull=True, lost=False, claimed_returned=False),
    LOAN_CLAIMED: Q(returned_at__isnull=True, lost=False, claimed_returned=True),
    LOAN_LOST: Q(returned_at__isnull=True, lost=True),
    LOAN_RETURNED: Q(returned_at__isnull=False),
}


def _in(states_q: dict[str, Q]):
    def in_states(states: frozenset[str]) -> Q:
        return functools.reduce(operator.or_, (states_q[state] for state in sorted(states)))

    return in_states


LOAN_LIFECYCLE = Lifecycle(
    _("loan"),
    {
        "claim_returned": ({LOAN_OPEN, LOAN_LOST}, LOAN_CLAIMED),
        "declare_lost": ({LOAN_OPEN, LOAN_CLAIMED}, LOAN_LOST),
        "return": ({LOAN_OPEN, LOAN_CLAIMED, LOAN_LOST}, LOAN_RETURNED),
    },
    state_of=loan_state,
    written=_loan_written,
    in_states=_in(_LOAN_STATES),
    label=lambda state: str(_LOAN_LABELS[state]),
)


# -- transits -------------------------------------------------------------------------------------

TRANSIT_WAITING, TRANSIT_SENT, TRANSIT_RECEIVED, TRANSIT_CANCELLED = (
    "waiting",
    "sent",
    "received",
    "cancelled",
)
_TRANSIT_LABELS = {
    TRANSIT_WAITING: _("waiting for the van"),
    TRANSIT_SENT: _("on the van"),
    TRANSIT_RECEIVED: _("received"),
    TRANSIT_CANCELLED: _("cancelled"),
}


def transit_state(transit: Any) -> str:
    if transit.cancelled_at is not None:
        return TRANSIT_CANCELLED
    if transit.received_at is not None:
        return TRANSIT_RECEIVED
    return TRANSIT_SENT if transit.sent_at is not None else TRANSIT_WAITING


def _transit_written(target: str, at: dt.datetime) -> dict[str, Any]:
    return {
        TRANSIT_SENT: {"sent_at": at},
        TRANSIT_RECEIVED: {"received_at": at},
        TRANSIT_CANCELLED: {"cancelled_at": at},
    }[target]


_TRANSIT_STATES = {
    TRANSIT_WAITING: Q(cancelled_at__isnull=True, received_at__isnull=True, sent_at__isnull=True),
    TRANSIT_SENT: Q(cancelled_at__isnull=True, received_at__isnull=True, sent_at__isnull=False),
    TRANSIT_RECEIVED: Q(cancelled_at__isnull=True, received_at__isnull=False),
    TRANSIT_CANCELLED: Q(cancelled_at__isnull=False),
}

TRANSIT_LIFECYCLE = Lifecycle(
    _("transit"),
    {
        "send": ({TRANSIT_WAITING}, TRANSIT_SENT),
        # Received off the van, or by hand at the unit it was going to before the van took it.
        "receive": ({TRANSIT_WAITING, TRANSIT_SENT}, TRANSIT_RECEIVED),
        "cancel": ({TRANSIT_WAITING, TRANSIT_SENT}, TRANSIT_CANCELLED),
    },
    state_of=transit_state,
    written=_transit_written,
    in_states=_in(_TRANSIT_STATES),
    label=lambda state: str(_TRANSIT_LABELS[state]),
)
