"""An order's life, as a table (see core/lifecycle.py):

    draft → sent → partly received → received → invoiced → closed
    draft, sent → cancelled (while nothing is received)

Invoicing may start before everything is received (a vendor bills each shipment); the order is
"invoiced" once every copy received is billed and nothing more is awaited. Closing releases what
the fund still had committed to copies that will not come.

A wish or a reader's suggestion is open until the hub accepts it into an order or declines it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wenyun.core.lifecycle import Lifecycle

from .models import OrderStatus as S
from .models import SuggestionStatus

# The orders whose lines still hold money on their fund.
COMMITTING = frozenset({S.DRAFT, S.SENT, S.PARTLY_RECEIVED, S.RECEIVED, S.INVOICED})
RECEIVING = frozenset({S.SENT, S.PARTLY_RECEIVED})

ORDER_LIFECYCLE = Lifecycle(
    _("order"),
    {
        "send": ({S.DRAFT}, S.SENT),
        "receive_some": (RECEIVING, S.PARTLY_RECEIVED),
        "receive_all": (RECEIVING, S.RECEIVED),
        "invoice_all": ({S.RECEIVED}, S.INVOICED),
        "close": ({S.SENT, S.PARTLY_RECEIVED, S.RECEIVED, S.INVOICED}, S.CLOSED),
        "cancel": ({S.DRAFT, S.SENT}, S.CANCELLED),
    },
    label=lambda state: str(S(state).label).lower(),
)

SUGGESTION_LIFECYCLE = Lifecycle(
    _("suggestion"),
    {
        "accept": ({SuggestionStatus.OPEN}, SuggestionStatus.ACCEPTED),
        "decline": ({SuggestionStatus.OPEN}, SuggestionStatus.DECLINED),
    },
    label=lambda state: str(SuggestionStatus(state).label).lower(),
)
