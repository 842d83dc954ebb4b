"""The small county the persona walk runs against: the same objects at three places.

`lib` is the county library (YX-LIB), `v01` is a village of 城关镇 (YX-S01-V01, inside station01's and
village0101's subtree) and `s02` a village of another township, 东坝镇 (YX-S02-V01). Each place has a
reader with a loan, a hold, a fee and a payment, a check-in, a closure, an activity with a session and
a registration, a venue with a booking, a visit slot with a ticket, a menu order, a troupe, news, a
volunteer project and a volunteer, a staff member with a post and a qualification, a training
session, evidence, an inspection with a finding, a survey and a kiosk login.

Acquisitions, made through its services: each place has a vendor, a fund of the county library, an
order on them sent with its copies for the place (one received, so that a receipt and an invoice have
something to do), a draft order, a rotation set at the place (its first stop) bound for a neighbour,
and another set on its way from that neighbour to the place (the arrival to confirm). One partner
bookstore lends for the library, on the county's reader-choice fund.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

SITES = {"lib": "YX-LIB", "v01": "YX-S01-V01", "s02": "YX-S02-V01"}
# Rotation sets: who owns each place's sets, and the neighbour they go to and come from.
ROTATION_OWNER = {"lib": "YX-LIB", "v01": "YX-S01", "s02": "YX-S02"}
ROTATION_NEIGHBOUR = {"lib": "YX-S01-V02", "v01": "YX-S01-V02", "s02": "YX-S02-V02"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLL_MONTH = "2026-05"
STANDARD = "walk-standard"


@dataclass
class Site:
    """The objects at one place, by the name a path parameter takes them under."""

    key: str
    unit: Any
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class World:
    sites: dict
    users: dict
    shared: dict


def _site(key: str, code: str, *, n: int, reader_account, admin, staff_user, standard, indicator) -> Site:
    from wenyun.catalog.models import Item, ItemStatus, ItemType, Record
    from wenyun.circulation.models import (
        CirculationEvent,
        DeliveryRoute,
        DeliveryRun,
        Fee,
        Hold,
        Loan,
        Reader,
        ReaderCategory,
    )
    from wenyun.ledger import services as ledger
    from wenyun.network.models import Closure
    from wenyun.network.selectors import unit_get
    from wenyun.programs.models import (
        Activity,
        Booking,
        MenuItem,
        MenuOrder,
        News,
        Registration,
        Session,
        Troupe,
        Venue,
        VisitSlot,
        VisitTicket,
    )
    from wenyun.sip2.models import KioskAccount
    from wenyun.volunteers.models import Project, Shift, Team, Volunteer
    from wenyun.workforce.models import Appointment, Qualification, StaffMember, TrainingSession

    unit = unit_get(code=code)
    now = timezone.now()
    today = timezone.localdate()
    site = Site(key=key, unit=unit)
    o = site.objects
    o["code"] = code
    category, _ = ReaderCategory.objects.get_or_create(code="adult", defaults={"name": "成人"})
    book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "图书", "name_en": "Book"})
    o["item_type"] = book
    o["reader"] = Reader.objects.create(
        card=f"WALK{n}00",
        name=f"读者{key}",
        phone=f"1390000{n}000",
        category=category,
        home_unit=unit,
        account=reader_account if key == "v01" else None,
        expires_on=today + dt.timedelta(days=365),
    )
    o["record"] = Record.objects.create(title=f"书{key}", responsibility="作者")
    o["bare_record"] = Record.objects.create(title=f"无馆藏{key}", responsibility="作者")
    o["item"] = Item.objects.create(
        barcode=f"WALKB{n}01",
        record=o["record"],
        home_unit=unit,
        current_unit=unit,
        item_type=book,
        status=ItemStatus.ON_LOAN,
    )
    o["shelf_item"] = Item.objects.create(
        barcode=f"WALKB{n}02",
        record=o["record"],
        home_unit=unit,
        current_unit=unit,
        item_type=book,
        status=ItemStatus.AVAILABLE,
    )
    o["loan"] = Loan.objects.create(
        item=o["item"],
        reader=o["reader"],
        lending_unit=unit,
        out_at=now - dt.timedelta(days=3),
        due_on=today + dt.timedelta(days=11),
    )
    o["hold"] = Hold.objects.create(reader=o["reader"], record=o["record"], pickup_unit=unit, placed_at=now)
    o["fee"] = Fee.objects.create(
        reader=o["reader"], kind=Fee.Kind.OTHER, amount=Decimal("2.00"), unit=unit, created_at=now
    )
    o["payment"] = CirculationEvent.objects.create(
        type=CirculationEvent.Type.FEE_PAID,
        at=now,
        unit=unit,
        reader=o["reader"],
        details={"fee": o["fee"].pk, "amount": "0.50", "paid": "0.50", "balance": "1.50"},
    )
    o["checkin"] = CirculationEvent.objects.create(
        type=CirculationEvent.Type.CHECKIN,
        at=now,
        unit=unit,
        item=o["shelf_item"],
        reader=o["reader"],
        details={"to": code, "action": "shelve"},
    )
    o["route"] = DeliveryRoute.objects.create(name=f"线路{key}", weekday=2)
    o["route"].stops.add(unit)
    o["run"] = DeliveryRun.objects.create(route=o["route"], day=today)
    o["closure"] = Closure.objects.create(
        unit=unit,
        first_day=today + dt.timedelta(days=40),
        last_day=today + dt.timedelta(days=41),
        reason="维修",
    )
    o["venue"] = Venue.objects.create(unit=unit, name=f"活动室{key}", opens=dt.time(8), closes=dt.time(20))
    starts = now + dt.timedelta(days=7)
    o["activity"] = Activity.objects.create(
        unit=unit,
        title=f"讲座{key}",
        category="lecture",
        status=Activity.Status.PUBLISHED,
        capacity=30,
        confirmed_count=1,
    )
    o["session"] = Session.objects.create(
        activity=o["activity"], starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    o["registration"] = Registration.objects.create(
        activity=o["activity"],
        reader=o["reader"],
        account=reader_account if key == "v01" else None,
        party=f"card:{o['reader'].card}",
        name=o["reader"].name,
        status=Registration.Status.CONFIRMED,
        registered_at=now,
    )
    o["booking"] = Booking.objects.create(
        venue=o["venue"],
        requester_kind="reader",
        requester_name="借场人",
        phone=f"1390000{n}001",
        purpose="排练",
        starts_at=starts + dt.timedelta(days=1),
        ends_at=starts + dt.timedelta(days=1, hours=2),
        created_at=now,
    )
    o["slot"] = VisitSlot.objects.create(
        unit=unit,
        day=today + dt.timedelta(days=5),
        starts=dt.time(9),
        ends=dt.time(10),
        capacity=20,
        booked=1,
    )
    o["ticket"] = VisitTicket.objects.create(
        slot=o["slot"], name="参观者", phone=f"1390000{n}002", booked_at=now
    )
    o["menu_item"] = MenuItem.objects.create(provider=unit, title=f"送戏{key}", kind="performance")
    o["menu_order"] = MenuOrder.objects.create(
        item=o["menu_item"], unit=unit, wanted_on=today + dt.timedelta(days=30), ordered_at=now
    )
    o["troupe"] = Troupe.objects.create(unit=unit, name=f"剧团{key}", art_form="川剧", leader="团长")
    o["news"] = News.objects.create(
        unit=unit, title=f"新闻{key}", body="正文", status=News.Status.PUBLISHED, published_at=now
    )
    o["news"].photo.save(f"walk-{key}.png", ContentFile(PNG), save=True)
    o["team"] = Team.objects.create(unit=unit, name=f"志愿队{key}")
    o["volunteer"] = Volunteer.objects.create(
        unit=unit, name=f"志愿者{key}", phone=f"1370000{n}000", joined_on=today
    )
    o["project"] = Project.objects.create(
        unit=unit,
        title=f"项目{key}",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        places=10,
    )
    o["shift"] = Shift.objects.create(project=o["project"], volunteer=o["volunteer"], signed_up_at=now)
    o["person"] = StaffMember.objects.create(name=f"员工{key}")
    o["appointment"] = Appointment.objects.create(
        person=o["person"],
        unit=unit,
        post="bookstore_manager",
        employment="contract",
        start_date=dt.date(2024, 1, 1),
    )
    o["qualification"] = Qualification.objects.create(person=o["person"], kind="certificate", name="证书")
    o["training"] = TrainingSession.objects.create(
        unit=unit, topic="培训", date=today, trainer="讲师", hours=Decimal("2")
    )
    o["evidence"] = ledger.evidence_add(
        actor=admin,
        unit=unit,
        name="photo.png",
        content=PNG,
        description="照片",
        indicator=indicator,
    )
    o["inspection"] = ledger.inspection_record(
        actor=admin, unit=unit, standard=standard, date=today, inspectors="检查组"
    )
    o["checklist_item"] = o["inspection"].items.first()
    o["task"] = ledger.finding_add(
        actor=admin,
        inspection=o["inspection"],
        text="需整改",
        owner="负责人",
        deadline=today + dt.timedelta(days=30),
    )
    o["survey"] = ledger.survey_create(
        actor=admin, unit=unit, title=f"测评{key}", opens=today, closes=today + dt.timedelta(days=30)
    )
    o["kiosk"] = KioskAccount.objects.create(
        name=f"kiosk-{key}", password_hash=_KIOSK_HASH, institution="YX", unit=unit
    )
    return site


_KIOSK_HASH = make_password("kiosk-pass-1")


def _isbn(n: int, k: int) -> str:
    from wenyun.catalog.isbn import isbn13_check

    body = f"9787999{n:02d}{k:03d}"
    return body + isbn13_check(body)


def _acquisitions(sites: dict, *, admin) -> dict:
    """Each place's acquisitions (see the module's docstring); returns what the places share."""
    from wenyun.acquisitions import services as acquisitions
    from wenyun.catalog.models import Item, ItemStatus, Record
    from wenyun.network.selectors import unit_get

    year = timezone.localdate().year
    lib = unit_get(code=SITES["lib"])
    shop = acquisitions.vendor_save(
        actor=admin, code="WALKSHOP", name="走查书店", partner_shop=True, shop_unit=lib
    )
    choice_fund = acquisitions.fund_create(
        actor=admin,
        code="WALK-RC",
        name="你选书我买单",
        year=year,
        unit=lib,
        source="reader_choice",
        allocated="5000",
    )
    for n, site in enumerate(sites.values(), start=1):
        o, unit, key = site.objects, site.unit, site.key
        o["shop"], o["choice_fund"] = shop, choice_fund
        o["vendor"] = acquisitions.vendor_save(actor=admin, code=f"WALKV{n}", name=f"书商{key}", rate="80")
        o["fund"] = acquisitions.fund_create(
            actor=admin,
            code=f"WALK-F{n}",
            name=f"购书经费{key}",
            year=year,
            unit=lib,
            source="county_budget",
            allocated="100000",
        )
        o["order_isbn"], o["new_isbn"], o["choice_isbn"] = _isbn(n, 1), _isbn(n, 4), _isbn(n, 5)
        order = acquisitions.order_create(
            actor=admin,
            vendor=o["vendor"],
            fund=o["fund"],
            lines=[
                acquisitions.LineIn(
                    isbn=o["order_isbn"], title=f"采购{key}", price="30", quantity=3, destinations=[(unit, 3)]
                ),
                acquisitions.LineIn(
                    isbn=_isbn(n, 2), title=f"采购二{key}", price="20", quantity=1, destinations=[(unit, 1)]
                ),
            ],
        )
        acquisitions.order_send(actor=admin, order=order)
        received = acquisitions.receipt_create(
            actor=admin, order=order, isbn=o["order_isbn"], barcode=f"WALKA{n}01"
        )
        o["order"], o["order_line"] = order, received.line
        o["draft_order"] = acquisitions.order_create(
            actor=admin,
            vendor=o["vendor"],
            fund=o["fund"],
            lines=[acquisitions.LineIn(isbn=_isbn(n, 3), title=f"草稿{key}", price="10", quantity=1)],
        )
        owner = unit_get(code=ROTATION_OWNER[key])
        neighbour = unit_get(code=ROTATION_NEIGHBOUR[key])
        o["neighbour"] = neighbour.code
        record = Record.objects.create(title=f"流转书{key}", responsibility="作者")
        copies = {
            barcode: Item.objects.create(
                barcode=barcode,
                record=record,
                home_unit=at,
                current_unit=at,
                item_type=o["item_type"],
                status=ItemStatus.AVAILABLE,
            )
            for barcode, at in ((f"WALKT{n}01", unit), (f"WALKT{n}02", neighbour), (f"WALKT{n}03", unit))
        }
        o["spare_copy"] = copies[f"WALKT{n}03"]  # for a new set made on the rotation page
        o["rotation"] = acquisitions.rotation_create(
            actor=admin,
            code=f"WALKR{n}",
            name=f"书箱{key}",
            owner=owner,
            stops=[unit, neighbour],
            barcodes=[f"WALKT{n}01"],
        )
        coming = acquisitions.rotation_create(
            actor=admin,
            code=f"WALKS{n}",
            name=f"来书箱{key}",
            owner=owner,
            stops=[neighbour, unit],
            barcodes=[f"WALKT{n}02"],
        )
        o["arriving_move"] = acquisitions.rotation_move(actor=admin, rotation=coming).move
        # Selection: a vendor's offer list of two titles, and the place's wish for the first.
        offer = acquisitions.offer_list_import(
            actor=admin,
            vendor=o["vendor"],
            name=f"征订目录{key}",
            content=f"ISBN,题名,定价\n{_isbn(n, 6)},征订书{key},30\n{_isbn(n, 7)},征订书二{key},20\n".encode(),
            filename="offer.csv",
        ).offer
        o["offer"] = offer
        o["offer_line"] = offer.lines.get(isbn=_isbn(n, 7))
        o["wish"] = acquisitions.wish_add(
            actor=admin, unit=unit, offer_line=offer.lines.get(isbn=_isbn(n, 6)), copies=2
        )
        o["suggest_isbn"] = _isbn(n, 8)
    return {"shop": shop, "choice_fund": choice_fund}


def world_build() -> World:
    from wenyun.core.models import Role, User
    from wenyun.ledger import services as ledger
    from wenyun.workforce.models import SubsidyRoll

    users = {
        "county_admin": User.objects.get(username="admin"),
        "library_staff": User.objects.get(username="library"),
        "station_manager": User.objects.get(username="station01"),
        "village_manager": User.objects.get(username="village0101"),
        "reader": User.objects.create_user(
            username="walk-reader", password=None, role=Role.READER, display_name="读者"
        ),
        "anonymous": None,
    }
    standard = ledger.standard_load(
        actor=None,
        raw=json.dumps(
            {
                "code": STANDARD,
                "name": "走查标准",
                "indicators": [
                    {
                        "code": "1.1",
                        "name": "书屋管理制度上墙",
                        "part": "organisation",
                        "scope": "village",
                        "formula": {"kind": "evidence"},
                    },
                    {
                        "code": "1.2",
                        "name": "馆舍制度上墙",
                        "part": "organisation",
                        "scope": "library",
                        "formula": {"kind": "evidence"},
                    },
                ],
            },
            ensure_ascii=False,
        ),
        name=f"{STANDARD}.json",
    )
    indicator = standard.indicators.get(code="1.1")
    sites = {
        key: _site(
            key,
            code,
            n=n,
            reader_account=users["reader"],
            admin=users["county_admin"],
            staff_user=None,
            standard=standard,
            indicator=indicator,
        )
        for n, (key, code) in enumerate(SITES.items(), start=1)
    }
    for site in sites.values():
        site.objects["account"] = User.objects.filter(unit=site.unit).order_by("username").first()
    acquired = _acquisitions(sites, admin=users["county_admin"])
    now = timezone.now()
    roll = SubsidyRoll.objects.create(month=dt.date(2026, 5, 1), opened_at=now, computed_at=now)
    keys = list(sites)
    for i, key in enumerate(keys):
        sites[key].objects["other_card"] = sites[keys[(i + 1) % len(keys)]].reader.card
    from wenyun.core.services import api_token_create

    tokens = {
        persona: api_token_create(username=user.username)[1]
        for persona, user in users.items()
        if user is not None and user.is_staff_member
    }
    shared = {"standard": standard, "indicator": indicator, "roll": roll, "tokens": tokens, **acquired}
    _acquisitions_stock(sites)  # acquisitions: stocktaking and weeding
    return World(sites=sites, users=users, shared=shared)


# -- acquisitions: stocktaking and weeding ------------------------------------------------------------
def _acquisitions_stock(sites: dict) -> None:
    """Each place's open stocktake, and a weeding batch with one withdrawn copy."""
    from wenyun.acquisitions.models import Stocktake, WeedingBatch, WeedingItem
    from wenyun.catalog.models import Item, ItemStatus

    now = timezone.now()
    for n, site in enumerate(sites.values(), start=1):
        o = site.objects
        o["stocktake"] = Stocktake.objects.create(unit=site.unit, started_at=now)
        weeded = Item.objects.create(
            barcode=f"WALKB{n}09",
            record=o["record"],
            home_unit=site.unit,
            current_unit=site.unit,
            item_type=o["item_type"],
            status=ItemStatus.WITHDRAWN,
            status_changed_at=now,
        )
        o["weeding_batch"] = WeedingBatch.objects.create(
            unit=site.unit, day=timezone.localdate(now), reason="破损", created_at=now
        )
        WeedingItem.objects.create(
            batch=o["weeding_batch"], item=weeded, barcode=weeded.barcode, title=o["record"].title
        )
