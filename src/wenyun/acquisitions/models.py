"""Acquisitions: the book's path from the vendor to the village shelf (统一采购、统一编目、统一配送).

Selection comes first: a vendor's offer list (征订目录) is checked against what the county holds;
stations and villages wish for titles from it (百姓点单) and readers suggest books (荐购); the hub
accepts those into an order or declines them with a reason.
Funds pay for orders; an order's lines say how many copies of a title go to which unit; receiving
turns a line into copies through the catalogue's services; invoices move money from committed to
spent. Received copies leave for their units as transits on the van, through circulation's services.
Rotation sets carry a set of copies from one village bookstore to the next on a schedule. At a
partner bookstore a reader chooses a new book, which is bought on the reader-choice fund and lent to
him on the spot (你选书我买单).

Copies, records and readers are other rooms: rows here name them (item, record, reader) and are read
and changed through the catalogue's and circulation's services and selectors.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core.models import EventBase

ZERO = Decimal("0.00")


def money(**kwargs) -> models.DecimalField:
    """Yuan with fen: up to 99,999,999.99."""
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class FundSource(models.TextChoices):
    COUNTY_BUDGET = "county_budget", _("County budget")
    FARM_BOOKSTORE = "farm_bookstore", _("Central subsidy for village bookstores (农家书屋)")
    DONATION = "donation", _("Donation")
    READER_CHOICE = "reader_choice", _("Reader-choice budget (你选书我买单)")
    OTHER = "other", _("Other")


class Fund(models.Model):
    """Money for buying in one year, owned by a unit. A fund split to a station is a child fund: its
    allocation is carved out of the parent's available money."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("budget year"))
    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices)
    allocated = money(verbose_name=_("allocated"), default=ZERO)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "code"]
        indexes = [models.Index(fields=["year", "unit"], name="acq_fund_year_unit")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Vendor(models.Model):
    """A bookseller (书商), or a partner bookstore where readers choose books (你选书我买单)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # What the county pays of the list price, in percent: 八折 is 80.
    rate = models.DecimalField(
        _("price paid, percent of the list price"), max_digits=5, decimal_places=2, default=Decimal("100")
    )
    sends_xlsx = models.BooleanField(_("sends order lists as XLSX"), default=True)
    sends_marc = models.BooleanField(_("sends MARC records with the books"), default=False)
    partner_shop = models.BooleanField(_("partner bookstore for reader choice"), default=False)
    # The unit whose desk a partner shop's loans count for (the shop lends on the library's behalf).
    shop_unit = models.ForeignKey(
        "network.Unit",
        verbose_name=_("lends for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the vendor")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", pgettext_lazy("purchase order", "Received")
    INVOICED = "invoiced", _("Invoiced")
    CLOSED = "closed", pgettext_lazy("purchase order", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=30, unique=True)
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="orders"
    )
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="orders")
    # The hub that buys, receives and processes the books.
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    expected_by = models.DateField(_("expected by"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Reader choice: an order of one copy bought at a partner shop for the reader who chose it.
    reader_choice = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["vendor", "status"], name="acq_order_vendor_status")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    isbn = models.CharField(_("ISBN"), max_length=13, db_index=True)  # ISBN-13, or blank
    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    clc = models.CharField(_("CLC class"), max_length=40, blank=True)
    list_price = money(verbose_name=_("list price"))
    price = money(verbose_name=_("price paid"))  # a copy, after the vendor's rate
    quantity = models.PositiveIntegerField(_("quantity"))
    received = models.PositiveIntegerField(_("received"), default=0)
    invoiced = models.PositiveIntegerField(_("invoiced"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    record = models.ForeignKey(
        "catalog.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "position", "pk"]

    @property
    def open_quantity(self) -> int:
        return max(0, self.quantity - self.received - self.cancelled)


class LineDestination(models.Model):
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="destinations")
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["line", "pk"]
        constraints = [models.UniqueConstraint(fields=["line", "unit"], name="acq_destination_line_unit")]


class Receipt(models.Model):
    """One copy received on an order line: the copy the catalogue made for it, and where it goes."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="receipts")
    destination = models.ForeignKey(LineDestination, on_delete=models.PROTECT, related_name="receipts")
    item = models.OneToOneField("catalog.Item", on_delete=models.PROTECT, related_name="+")
    barcode = models.CharField(max_length=32, unique=True)
    call_number = models.CharField(max_length=60, blank=True)
    received_at = models.DateTimeField(db_index=True)
    received_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    labelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]


class CallNumberSequence(models.Model):
    """The running number (种次号) per CLC class: the next copy of a new title in I247.5 is I247.5/12."""

    clc = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)


class AcquisitionSettings(models.Model):
    """The county's choices for central processing and reader choice (one row)."""

    class CallNumbers(models.TextChoices):
        SEQUENCE = "sequence", _("CLC class / running number (种次号)")
        AUTHOR = "author", _("CLC class / author number (著者号)")

    call_numbers = models.CharField(
        _("call numbers"), max_length=10, choices=CallNumbers.choices, default=CallNumbers.SEQUENCE
    )
    barcode_prefix = models.CharField(_("barcode prefix for new copies"), max_length=8, blank=True)
    # Reader choice (你选书我买单): the rules a partner shop's choice is held to.
    choice_price_cap = money(verbose_name=_("highest price of a chosen book"), default=Decimal("80.00"))
    choice_years = models.PositiveSmallIntegerField(_("published within the last (years)"), default=3)
    choice_copies_per_title = models.PositiveSmallIntegerField(
        _("copies the county may hold of a title"), default=3
    )
    choice_per_reader_month = models.PositiveSmallIntegerField(_("books per reader per month"), default=2)
    # CLC classes (prefixes) not bought on reader choice: textbooks and exam guides (G63, G42 ...).
    choice_excluded_classes = models.CharField(
        _("CLC classes not bought"), max_length=200, default="G42 G63 G72 H31"
    )
    choice_excluded_words = models.CharField(
        _("title words not bought"), max_length=200, default="教材 教辅 习题 试卷 真题 考试"
    )


class Invoice(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    total = money(verbose_name=_("total"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="acq_invoice_order_number")]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    quantity = models.PositiveIntegerField()
    amount = money()


class RotationSet(models.Model):
    """A set of copies (e.g. 100 books) that moves among a group of village bookstores on a schedule."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    # The unit that keeps the set's copies on its books (their home): the hub or a station.
    owner = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    current_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    period_days = models.PositiveSmallIntegerField(_("days at each stop"), default=90)
    next_move_on = models.DateField(_("next move on"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RotationStop(models.Model):
    rotation = models.ForeignKey(RotationSet, on_delete=models.CASCADE, related_name="stops")
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rotation", "position"]
        constraints = [models.UniqueConstraint(fields=["rotation", "unit"], name="acq_rotation_stop_unit")]


class RotationItem(models.Model):
    rotation = models.ForeignKey(RotationSet, on_delete=models.CASCADE, related_name="members")
    item = models.OneToOneField("catalog.Item", on_delete=models.PROTECT, related_name="+")


class RotationMove(models.Model):
    """One move of a set from a stop to the next: proposed, sent (its copies on the van), arrived."""

    class Status(models.TextChoices):
        SENT = "sent", _("On its way")
        ARRIVED = "arrived", _("Arrived")

    rotation = models.ForeignKey(RotationSet, on_delete=models.CASCADE, related_name="moves")
    from_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    arrived_at = models.DateTimeField(null=True, blank=True)
    sent_copies = models.PositiveIntegerField(default=0)
    # Copies that were on loan when the set moved: they follow when they come back.
    left_behind = models.JSONField(default=list, blank=True)
    confirmed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["rotation", "-sent_at"]


class ChoicePurchase(models.Model):
    """A book a reader chose at a partner shop, bought on the reader-choice fund and lent to him."""

    shop = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="choices")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="choices")
    # The shop's order of the month: each choice is a line of it, received as it is lent; the shop's
    # monthly bill is entered against it as the invoice.
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="choices")
    line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="choice")
    reader = models.ForeignKey("circulation.Reader", on_delete=models.PROTECT, related_name="+")
    item = models.OneToOneField("catalog.Item", on_delete=models.PROTECT, related_name="+")
    isbn = models.CharField(max_length=13)
    price = money()
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]


class OfferList(models.Model):
    """A vendor's offer list (征订目录): the titles it offers, from which the hub chooses and stations
    and villages say what their readers want (百姓点单)."""

    class Format(models.TextChoices):
        TABLE = "table", _("Spreadsheet (XLSX or CSV)")
        MARC = "marc", _("MARC records")

    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="offer_lists"
    )
    name = models.CharField(_("name"), max_length=200)
    # The hub that buys from it: its events are recorded there.
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=255, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The import's report, kept to show again: how many lines were read, and each bad one's sentence.
    lines_read = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class OfferLine(models.Model):
    """One title of an offer list, with the number of its line (or MARC record) in the vendor's file."""

    offer = models.ForeignKey(OfferList, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("line"))
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)  # ISBN-13, or blank
    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=255, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    clc = models.CharField(_("CLC class"), max_length=40, blank=True)
    price = money(verbose_name=_("list price"), null=True, blank=True)

    class Meta:
        ordering = ["offer", "number"]
        constraints = [models.UniqueConstraint(fields=["offer", "number"], name="acq_offer_line_number")]
        indexes = [models.Index(fields=["isbn"], name="acq_offer_line_isbn")]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class SuggestionKind(models.TextChoices):
    WISH = "wish", _("A unit's wish (百姓点单)")
    READER = "reader", _("A reader's suggestion (荐购)")


class SuggestionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("suggestion", "Open")
    ACCEPTED = "accepted", _("Accepted into an order")
    DECLINED = "declined", pgettext_lazy("suggestion", "Declined")


class Suggestion(models.Model):
    """A title someone wants bought: a station's or village's wish from an offer list (copies for the
    unit), or a reader's purchase suggestion (荐购, a copy for his home unit). The hub accepts it into
    an order, where it becomes a line's copies for its unit, or declines it with a reason."""

    kind = models.CharField(_("kind"), max_length=10, choices=SuggestionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    # Where the copies would go: the wishing unit, or the reader's home unit.
    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    offer_line = models.ForeignKey(
        OfferLine, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    reader = models.ForeignKey(
        "circulation.Reader", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    copies = models.PositiveIntegerField(_("copies"), default=1)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    order_line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind", "created_at"], name="acq_suggestion_status")]
        constraints = [
            # A unit has one open wish per line of an offer list: a second one changes its copies.
            models.UniqueConstraint(
                fields=["offer_line", "unit"],
                condition=models.Q(kind="wish", status="open"),
                name="acq_suggestion_one_open_wish",
            ),
            models.UniqueConstraint(
                fields=["reader", "isbn"],
                condition=models.Q(kind="reader", status="open") & ~models.Q(isbn=""),
                name="acq_suggestion_one_open_isbn",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Stocktake(models.Model):
    """A stocktake (盘点) of a unit, or of one shelving location or call-number range of it: what was
    scanned there, in batches from a scanner or a phone, compared with what the catalogue says the
    unit holds; each difference resolved (found, missing, moved) and the counts kept when it ends."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("stocktake", "Open")
        FINISHED = "finished", pgettext_lazy("stocktake", "Finished")

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("shelving location"), max_length=60, blank=True)
    call_prefix = models.CharField(_("call numbers beginning with"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batches = models.PositiveIntegerField(default=0)
    # The counts at the end (expected, scanned, missing, elsewhere, away, unknown, resolved per outcome).
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["unit", "status"], name="acq_stocktake_unit_status")]

    def __str__(self) -> str:
        return f"{self.unit} {self.started_at:%Y-%m-%d}"


class StocktakeScan(models.Model):
    """A barcode scanned at a stocktake, once: scanning it again in a later batch adds no row."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scans")
    barcode = models.CharField(_("barcode"), max_length=32)
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scanned_at = models.DateTimeField()
    scanned_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.PositiveIntegerField()

    class Meta:
        ordering = ["stocktake", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "barcode"], name="acq_stocktake_scan_once")
        ]


class StocktakeOutcome(models.TextChoices):
    FOUND = "found", _("Found: shelved here")
    MISSING = "missing", _("Missing")
    MOVED = "moved", _("Moved: its home is now here")


class StocktakeResolution(models.Model):
    """What a manager decided about one difference a stocktake showed."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="resolutions")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=StocktakeOutcome.choices)
    resolved_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["stocktake", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "item"], name="acq_stocktake_resolved_once")
        ]


class WeedingBatch(models.Model):
    """Copies withdrawn together from a unit's collection (剔旧), with the reason, for the county's
    asset records: each copy's barcode, title, call number, price and acquisition day as they were."""

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} {self.day}"


class WeedingItem(models.Model):
    batch = models.ForeignKey(WeedingBatch, on_delete=models.CASCADE, related_name="items")
    item = models.OneToOneField("catalog.Item", on_delete=models.PROTECT, related_name="+")
    barcode = models.CharField(max_length=32)
    title = models.CharField(max_length=500)
    call_number = models.CharField(max_length=60, blank=True)
    price = money(null=True, blank=True)
    acquired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "barcode"]


class AcquisitionEvent(EventBase):
    class Type(models.TextChoices):
        FUND_CREATED = "fund_created", _("Fund created")
        FUND_SPLIT = "fund_split", _("Fund split")
        VENDOR_SAVED = "vendor_saved", _("Vendor saved")
        ORDER_CREATED = "order_created", _("Order created")
        ORDER_SENT = "order_sent", _("Order sent")
        ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
        ORDER_CLOSED = "order_closed", _("Order closed")
        MARC_LOADED = "marc_loaded", _("Vendor MARC loaded")
        COPY_RECEIVED = "copy_received", _("Copy received")
        INVOICED = "invoiced", _("Invoice entered")
        LABELS_PRINTED = "labels_printed", _("Labels printed")
        ROTATION_CREATED = "rotation_created", _("Rotation set created")
        ROTATION_SENT = "rotation_sent", _("Rotation set sent on")
        ROTATION_ARRIVED = "rotation_arrived", _("Rotation set arrived")
        CHOICE_LENT = "choice_lent", _("Reader's choice bought and lent")
        OFFER_IMPORTED = "offer_imported", _("Offer list imported")
        WISH_ADDED = "wish_added", _("Wish added")
        SUGGESTION_ADDED = "suggestion_added", _("Purchase suggested")
        SUGGESTION_DECLINED = "suggestion_declined", _("Suggestion declined")
        SUGGESTIONS_ACCEPTED = "suggestions_accepted", _("Suggestions accepted into an order")
        STOCKTAKE_STARTED = "stocktake_started", _("Stocktake started")
        STOCKTAKE_SCANNED = "stocktake_scanned", _("Stocktake: a batch scanned")
        STOCKTAKE_RESOLVED = "stocktake_resolved", _("Stocktake: a difference resolved")
        STOCKTAKE_FINISHED = "stocktake_finished", _("Stocktake finished")
        WEEDED = "weeded", _("Copies weeded")

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["unit", "type", "at"], name="acq_event_uta")]
