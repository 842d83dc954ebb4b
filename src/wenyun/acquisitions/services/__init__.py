"""Writes of acquisitions: funds and vendors, offer lists with the wishes and readers' suggestions
chosen from them, orders, receiving with central processing, invoices, rotation sets, reader
choice at partner bookstores, and the rest of a copy's life: stocktaking and weeding.

Each public function is one atomic transaction that checks who acts, refuses wrong input with one
sentence before anything is written, and leaves an AcquisitionEvent. Copies and records are made
through the catalogue's services; transits, check-ins and loans through circulation's.
"""

from .choice import ChoiceBook, ChoiceResult, choice_lend, choice_rules_check
from .funds import fund_create, fund_split, fund_update, vendor_save
from .invoices import InvoiceLineIn, invoice_create, invoice_received
from .offers import (
    OfferReport,
    offer_list_import,
    suggestion_add,
    suggestion_decline,
    suggestions_accept,
    wish_add,
)
from .orders import LineIn, order_cancel, order_close, order_create, order_send
from .receiving import (
    Received,
    call_number_new,
    labels_printed,
    order_marc_load,
    receipt_create,
    settings_get,
)
from .rotation import MoveResult, next_stop, rotation_arrive, rotation_create, rotation_get, rotation_move
from .stocktake import (
    ScanReport,
    barcodes_split,
    stocktake_finish,
    stocktake_resolve,
    stocktake_scan,
    stocktake_start,
)
from .weeding import WeedResult, weed

__all__ = [
    "ChoiceBook",
    "ChoiceResult",
    "InvoiceLineIn",
    "LineIn",
    "MoveResult",
    "OfferReport",
    "Received",
    "ScanReport",
    "WeedResult",
    "barcodes_split",
    "call_number_new",
    "choice_lend",
    "choice_rules_check",
    "fund_create",
    "fund_split",
    "fund_update",
    "invoice_create",
    "invoice_received",
    "labels_printed",
    "next_stop",
    "offer_list_import",
    "order_cancel",
    "order_close",
    "order_create",
    "order_marc_load",
    "order_send",
    "receipt_create",
    "rotation_arrive",
    "rotation_create",
    "rotation_get",
    "rotation_move",
    "settings_get",
    "stocktake_finish",
    "stocktake_resolve",
    "stocktake_scan",
    "stocktake_start",
    "suggestion_add",
    "suggestion_decline",
    "suggestions_accept",
    "vendor_save",
    "weed",
    "wish_add",
]
