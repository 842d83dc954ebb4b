"""The integration contract for acquisitions (mounted at /api/v1/acquisitions/): funds, orders,
receiving, invoices and rotation sets. Staff tokens; buying, receiving and invoicing are the hub's
(county administrators and the county library's staff)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from wenyun.core.api_types import Amount, Day, Year, errors
from wenyun.core.errors import NotFound
from wenyun.network.selectors import unit_get

from . import selectors, services
from .access import user_can_acquire, user_can_see_unit
from .models import Order
from .services._common import MAX_QUANTITY
from .services.orders import MAX_LINES

router = Router(tags=["acquisitions"])

Copies = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
Code = Annotated[str, Field(min_length=1, max_length=30)]
# An ISBN as a scanner reads it: 13 digits (978/979) or 10 (the last may be X), no hyphens. A check
# digit that does not add up is refused by the service (409 `isbn_invalid`): a pattern cannot check it.
ISBN_PATTERN = r"^(97[89][0-9]{10}|[0-9]{9}[0-9Xx])$"
Isbn = Annotated[str, Field(pattern=ISBN_PATTERN, description="ISBN-13 or ISBN-10, digits only.")]
# Text a person must give: something besides spaces.
NOT_BLANK = r"\S"
# A copy's barcode as the catalogue takes it: 1 to 32 characters, no spaces.
Barcode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^\S+$")]


class FundOut(Schema):
    code: str
    name: str
    unit: str
    year: int
    source: str
    allocated: Decimal
    committed: Decimal
    spent: Decimal
    available: Decimal


@router.get(
    "/funds",
    response={200: list[FundOut], **errors(400, 401)},
    summary="Funds with what is committed, spent and available",
)
def funds(request, year: Year | None = None):
    """Every fund for the hub's staff and county administrators; a station's or village's own funds (and
    those split to units under it) for its manager."""
    found = list(selectors.funds_visible(user=request.user, year=year))
    figures = selectors.fund_figures(funds=found)
    return [
        FundOut(
            code=fund.code,
            name=fund.name,
            unit=fund.unit.code,
            year=fund.year,
            source=fund.source,
            allocated=figures[fund.pk].allocated,
            committed=figures[fund.pk].committed,
            spent=figures[fund.pk].spent,
            available=figures[fund.pk].available,
        )
        for fund in found
    ]


class DestinationIn(Schema):
    unit: Code
    quantity: Copies


class LineIn(Schema):
    isbn: Annotated[
        str,
        Field(pattern=f"^$|{ISBN_PATTERN}", description="ISBN-13 or ISBN-10, digits only; blank if none."),
    ] = ""
    title: Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]
    author: Annotated[str, Field(max_length=500)] = ""
    publisher: Annotated[str, Field(max_length=255)] = ""
    year: Annotated[int, Field(ge=1000, le=2100)] | None = None
    clc: Annotated[str, Field(max_length=40)] = ""
    price: Amount
    quantity: Copies
    destinations: Annotated[list[DestinationIn], Field(max_length=500)] = []

    @model_validator(mode="after")
    def _units_within_copies(self):
        """The units are given at most the line's copies (the rest go to the fund's unit): a rule tying
        two fields together, which the schema cannot state; broken, the request is 400 `invalid`."""
        spread = sum(d.quantity for d in self.destinations)
        if spread > self.quantity:
            raise PydanticCustomError(
                "destinations_mismatch",
                _("%(copies)s copies are ordered but the units are given %(spread)s.")
                % {"copies": self.quantity, "spread": spread},
            )
        return self


class OrderIn(Schema):
    vendor: Code
    fund: Code
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    note: Annotated[str, Field(max_length=255)] = ""
    expected_by: Day | None = None


class LineOut(Schema):
    id: int
    isbn: str
    title: str
    price: Decimal
    quantity: int
    received: int
    invoiced: int


class OrderOut(Schema):
    id: int
    number: str
    vendor: str
    fund: str
    status: str
    total: Decimal
    expected_by: dt.date | None
    lines: list[LineOut]


def _order_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.pk,
        number=order.number,
        vendor=order.vendor.code,
        fund=order.fund.code,
        status=order.status,
        total=selectors.order_total(order),
        expected_by=order.expected_by,
        lines=[
            LineOut(
                id=line.pk,
                isbn=line.isbn,
                title=line.title,
                price=line.price,
                quantity=line.quantity,
                received=line.received,
                invoiced=line.invoiced,
            )
            for line in selectors.order_lines(order=order)
        ],
    )


def _unit(code: str):
    return unit_get(code=code)


def _order_for(user, pk: int) -> Order:
    order = selectors.order_get(pk=pk)
    if not (user_can_acquire(user) or user_can_see_unit(user, order.unit)):
        raise NotFound(_("There is no order number %(id)s.") % {"id": pk}, code="order_not_found")
    return order


@router.post(
    "/orders",
    response={201: OrderOut, **errors(400, 401, 403, 404, 409)},
    summary="Place a draft order on a fund",
)
def order_create(request, payload: OrderIn):
    """Each line's copies go to the units given (all to the fund's unit when none are); its price is
    the list price, paid at the vendor's rate. An order the fund cannot pay for is refused with the
    fund's figures (409 `fund_exceeded`) and nothing is written."""
    vendor = selectors.vendor_get(code=payload.vendor)
    fund = selectors.fund_get(code=payload.fund)
    order = services.order_create(
        actor=request.user,
        vendor=vendor,
        fund=fund,
        note=payload.note,
        expected_by=payload.expected_by,
        lines=[
            services.LineIn(
                isbn=line.isbn,
                title=line.title,
                author=line.author,
                publisher=line.publisher,
                year=line.year,
                clc=line.clc,
                price=line.price,
                quantity=line.quantity,
                destinations=[(_unit(d.unit), d.quantity) for d in line.destinations],
            )
            for line in payload.lines
        ],
    )
    return Status(201, _order_out(order))


@router.get(
    "/orders/{order_id}", response={200: OrderOut, **errors(400, 401, 404)}, summary="An order with its lines"
)
def order_detail(request, order_id: int):
    return _order_out(_order_for(request.user, order_id))


@router.post(
    "/orders/{order_id}/send",
    response={200: OrderOut, **errors(400, 401, 403, 404, 409)},
    summary="Send a draft order to its vendor",
)
def order_send(request, order_id: int):
    """Only a draft is sent (409 `wrong_status` for an order sent already, received or closed)."""
    order = services.order_send(actor=request.user, order=_order_for(request.user, order_id))
    return _order_out(order)


class ReceiptIn(Schema):
    order: int
    isbn: Isbn
    barcode: Barcode


class ReceiptDestination(Schema):
    action: str = Field(description="shelve: it stays at the hub; transit: it waits for the van to its unit")
    unit: str


class ReceiptOut(Schema):
    barcode: str
    record_id: int
    call_number: str
    unit: str
    destination: ReceiptDestination


@router.post(
    "/receipts",
    response={201: ReceiptOut, **errors(400, 401, 403, 404, 409)},
    summary="Receive one copy of an order",
)
def receipt_create(request, payload: ReceiptIn):
    """The ISBN finds a line of the order still awaiting copies (409 `isbn_not_ordered` names what is
    still awaited from the vendor); the barcode becomes the copy (409 `barcode_taken` if in use)."""
    received = services.receipt_create(
        actor=request.user,
        order=_order_for(request.user, payload.order),
        isbn=payload.isbn,
        barcode=payload.barcode,
    )
    receipt = received.receipt
    return Status(
        201,
        ReceiptOut(
            barcode=receipt.barcode,
            record_id=received.line.record_id,
            call_number=receipt.call_number,
            unit=received.unit.code,
            destination=ReceiptDestination(action=received.action, unit=received.unit.code),
        ),
    )


class InvoiceLineIn(Schema):
    line: int
    quantity: Copies
    amount: Amount


class InvoiceIn(Schema):
    order: int
    number: Annotated[str, Field(min_length=1, max_length=40, pattern=NOT_BLANK)]
    issued_on: Day | None = None
    lines: Annotated[list[InvoiceLineIn], Field(min_length=1, max_length=20_000)]


class InvoiceOut(Schema):
    id: int
    order: int
    number: str
    issued_on: dt.date
    total: Decimal
    order_status: str


@router.post(
    "/invoices",
    response={201: InvoiceOut, **errors(400, 401, 403, 404, 409)},
    summary="Enter a vendor's invoice",
)
def invoice_create(request, payload: InvoiceIn):
    """Each line bills copies of an order line received and not billed yet (409 `invoice_over_received`
    otherwise); the amounts move from committed to spent on the order's fund."""
    order = _order_for(request.user, payload.order)
    invoice = services.invoice_create(
        actor=request.user,
        order=order,
        number=payload.number,
        issued_on=payload.issued_on,
        lines=[
            services.InvoiceLineIn(line=line.line, quantity=line.quantity, amount=line.amount)
            for line in payload.lines
        ],
    )
    order.refresh_from_db(fields=["status"])
    return Status(
        201,
        InvoiceOut(
            id=invoice.pk,
            order=order.pk,
            number=invoice.number,
            issued_on=invoice.issued_on,
            total=invoice.total,
            order_status=order.status,
        ),
    )


class RotationSetOut(Schema):
    code: str
    name: str
    units: list[str]
    current_unit: str
    next_move_on: dt.date
    items: int


@router.get(
    "/rotation-sets",
    response={200: list[RotationSetOut], **errors(401)},
    summary="Rotation sets and where each is",
)
def rotation_sets(request):
    """Sets whose owner or stops lie in the staff member's subtree (every set, for the hub)."""
    return [
        RotationSetOut(
            code=rotation.code,
            name=rotation.name,
            units=[stop.unit.code for stop in rotation.stops.all()],
            current_unit=rotation.current_unit.code,
            next_move_on=rotation.next_move_on,
            items=rotation.members.count(),
        )
        for rotation in selectors.rotation_sets(user=request.user)
    ]
