"""Writes for cultural services. Each is atomic, checks who acts, and leaves a ProgramEvent.

Lifecycles are tables (ACTIVITY_TRANSITIONS, BOOKING_TRANSITIONS, MENU_TRANSITIONS) checked in one
place; rows whose counters move (an activity's places, a slot's tickets, a venue's calendar) are
locked through `_lock` before anything is read from them.

The package has one module per aggregate (activities with their sessions and registrations, venues,
bookings, visits, the menu, troupes, digital resources, news) and `_common` for what they share; this
module re-exports their public names, so callers import from `wenyun.programs.services` as before.
"""

from ._common import MOBILE, clean_phone
from .activities import (
    ACTIVITY_TRANSITIONS,
    CHECK_IN_OPENS_BEFORE,
    MAX_PLACES,
    MAX_SESSIONS,
    activity_cancel,
    activity_create,
    activity_publish,
    activity_set_capacity,
    activity_update,
    attendance_check_in,
    registration_cancel,
    registration_create,
    registration_party_filter,
    session_move,
    session_walk_ins_record,
    weekly_sessions,
)
from .bookings import BOOKING_TRANSITIONS, booking_approve, booking_cancel, booking_refuse, booking_request
from .digital import digital_usage_record
from .menu import (
    MENU_TRANSITIONS,
    ORDERING_KINDS,
    menu_item_create,
    menu_order_cancel,
    menu_order_confirm,
    menu_order_decline,
    menu_order_deliver,
    menu_order_place,
)
from .news import PHOTO_MAX_BYTES, PHOTO_TYPES, news_save
from .troupes import troupe_performance_add, troupe_register, troupe_support_add
from .venues import venue_clash, venue_create
from .visits import MAX_TICKETS, visit_book, visit_enter, visit_slots_create, visit_ticket_cancel

__all__ = [
    "ACTIVITY_TRANSITIONS",
    "BOOKING_TRANSITIONS",
    "CHECK_IN_OPENS_BEFORE",
    "MAX_PLACES",
    "MAX_SESSIONS",
    "MAX_TICKETS",
    "MENU_TRANSITIONS",
    "MOBILE",
    "ORDERING_KINDS",
    "PHOTO_MAX_BYTES",
    "PHOTO_TYPES",
    "activity_cancel",
    "activity_create",
    "activity_publish",
    "activity_set_capacity",
    "activity_update",
    "attendance_check_in",
    "booking_approve",
    "booking_cancel",
    "booking_refuse",
    "booking_request",
    "clean_phone",
    "digital_usage_record",
    "menu_item_create",
    "menu_order_cancel",
    "menu_order_confirm",
    "menu_order_decline",
    "menu_order_deliver",
    "menu_order_place",
    "news_save",
    "registration_cancel",
    "registration_create",
    "registration_party_filter",
    "session_move",
    "session_walk_ins_record",
    "troupe_performance_add",
    "troupe_register",
    "troupe_support_add",
    "venue_clash",
    "venue_create",
    "visit_book",
    "visit_enter",
    "visit_slots_create",
    "visit_ticket_cancel",
    "weekly_sessions",
]
