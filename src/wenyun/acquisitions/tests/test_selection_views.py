"""Selection in the browser's pages: an offer list imported, a village wishing copies from it, the hub
ordering the wishes and a reader's suggestion made on the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wenyun.acquisitions.models import Order, Suggestion
from wenyun.circulation.tests import factories as f

from .helpers import isbn

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_an_offer_list_a_village_wish_and_the_order_made_of_it(county_admin, village_manager, vendor, fund):
    csv = f"书号,题名,作者,定价\n{isbn(1)},乡村振兴读本,编写组,¥28.00\n{isbn(2)},果树栽培,张三,３５\n,,\n123,坏行,,1\n".encode(
        "gb18030"
    )
    hub = _client(county_admin)
    answer = hub.post(
        "/staff/acquisitions/offers/",
        {
            "vendor": vendor.pk,
            "name": "2026年春季征订目录",
            "file": SimpleUploadedFile("offer.csv", csv, content_type="text/csv"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    offer_page = answer["Location"]
    page = hub.get(offer_page).content.decode()
    assert "乡村振兴读本" in page and "果树栽培" in page

    village = _client(village_manager)
    listing = village.get(offer_page).content.decode()
    assert 'name="copies"' in listing  # the wish form on each line, for the village's own unit
    from wenyun.acquisitions.models import OfferLine

    line = OfferLine.objects.get(isbn=isbn(1))
    assert village.post(offer_page, {"line": line.pk, "copies": "３"}).status_code == 302
    wish = Suggestion.objects.get()
    assert (wish.unit.code, wish.copies, wish.kind) == ("YX-S01-V01", 3, "wish")

    assert "乡村振兴读本" in hub.get("/staff/acquisitions/suggestions/").content.decode()
    made = hub.post(
        "/staff/acquisitions/suggestions/", {"chosen": [wish.pk], "vendor": vendor.pk, "fund": fund.pk}
    )
    assert made.status_code == 302 and "/orders/" in made["Location"]
    order = Order.objects.get()
    assert [(d.unit.code, d.quantity) for d in order.lines.get().destinations.all()] == [("YX-S01-V01", 3)]
    wish.refresh_from_db()
    assert wish.status == "accepted"


def test_a_reader_suggests_a_book_on_the_portal_and_sees_the_answer(county_admin, unit, rules):
    reader = f.reader(home=unit("YX-LIB"), card="YXP1", expires_on=dt.date(2030, 1, 1), pin="1234")
    portal = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert portal.get("/suggest/").status_code == 302  # to the portal's sign-in
    portal.post("/account/login/", {"card": "YXP1", "pin": "1234"})
    sent = portal.post("/suggest/", {"isbn": isbn(7), "title": "我在北京送快递", "note": "很多人想看"})
    assert sent.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.reader_id, suggestion.kind, suggestion.unit.code) == (reader.pk, "reader", "YX-LIB")
    hub = _client(county_admin)
    hub.post("/staff/acquisitions/suggestions/", {"decline": suggestion.pk, "reason": "馆藏已有电子版"})
    suggestion.refresh_from_db()
    assert suggestion.status == "declined"
    assert "馆藏已有电子版" in portal.get("/suggest/").content.decode()
    empty = portal.post("/suggest/", {"note": "随便"}).content.decode()
    assert "ISBN" in empty and Suggestion.objects.count() == 1
