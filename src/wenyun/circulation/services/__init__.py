"""Writes of circulation: readers, loans, renewals, fees, holds and transits.

Each public function is one atomic transaction that locks the rows it changes (through `locks`),
re-reads them, checks the rules and leaves one or more CirculationEvent rows behind. A refusal is a
`Refused` (or `NotFound`/`Forbidden`) with a stable code, raised before anything is written:

    card_expired  card_lost  blocked  too_many_overdue  fees_over_limit  loan_limit
    item_not_available  item_on_hold_for_other  not_renewable  renewal_on_hold  holds_not_allowed
    hold_duplicate  hold_already_on_loan  hold_not_active  fee_not_open  fee_amount_invalid
    fee_amount_over_balance  pin_wrong  pin_not_set
    reader_card_taken  reader_field_invalid  id_number_invalid  unit_forbidden
    reader_forbidden  loan_forbidden  item_forbidden  fee_forbidden  hold_forbidden  transit_forbidden

Who may do the consequential ones (declare lost, claim returned, block, waive, cancel a hold, edit a
reader) is `access`'s to say; each such change by a staff member is also a row of the reader access log.

`actor` is the staff User who acts (or the reader's own User from the portal), or None for a kiosk
or the system; `via` names the channel for the log: "desk", "portal", "sip2:<kiosk account>", "demo".

The package has one module per aggregate (readers, loans, fees, holds, transits with the van, the
matrix's rules); this module re-exports their public functions, so callers import from
`wenyun.circulation.services` as before.
"""

from ..identity import id_number_check
from ..rules import circ_settings
from ._common import Access, CirculationRefused, Type
from .fees import fee_pay, fee_waive
from .holds import hold_cancel, hold_expire, hold_place, holds_fill
from .loans import (
    CheckinResult,
    item_mark_lost,
    loan_checkin,
    loan_checkout,
    loan_claim_returned,
    loan_renew,
    loan_renew_all,
    notices_due,
)
from .matrix import rule_delete, rule_save
from .readers import (
    COMMON_PINS,
    Block,
    PinHasher,
    ReaderStatus,
    pin_hash,
    pin_weakness,
    reader_block,
    reader_blocks,
    reader_pin_check,
    reader_register,
    reader_sign_in,
    reader_status,
    reader_unblock,
    reader_update,
)
from .transits import (
    DISPATCH_REASONS,
    DISTRIBUTE,
    ROTATE,
    delivery_run_receive,
    delivery_run_send,
    transit_dispatch,
    transit_run_send,
    transit_runs_plan,
    transit_send,
)

__all__ = [
    "COMMON_PINS",
    "DISPATCH_REASONS",
    "DISTRIBUTE",
    "ROTATE",
    "Access",
    "Block",
    "CheckinResult",
    "CirculationRefused",
    "PinHasher",
    "ReaderStatus",
    "Type",
    "circ_settings",
    "delivery_run_receive",
    "delivery_run_send",
    "fee_pay",
    "fee_waive",
    "hold_cancel",
    "hold_expire",
    "hold_place",
    "holds_fill",
    "id_number_check",
    "item_mark_lost",
    "loan_checkin",
    "loan_checkout",
    "loan_claim_returned",
    "loan_renew",
    "loan_renew_all",
    "notices_due",
    "pin_hash",
    "pin_weakness",
    "reader_block",
    "reader_blocks",
    "reader_pin_check",
    "reader_register",
    "reader_sign_in",
    "reader_status",
    "reader_unblock",
    "reader_update",
    "rule_delete",
    "rule_save",
    "transit_dispatch",
    "transit_run_send",
    "transit_runs_plan",
    "transit_send",
]
