"""Wishes of stations and villages (百姓点单) and readers' purchase suggestions (荐购): the hub accepts
them into an order, each copy going to the unit that wanted it, or declines them with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wenyun.acquisitions import selectors, services
from wenyun.acquisitions.models import AcquisitionEvent, Order, Suggestion, SuggestionStatus
from wenyun.core.errors import DomainError, Forbidden, Refused

from .helpers import isbn

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(county_admin, vendor):
    rows = [["ISBN", "书名", "作者", "出版社", "定价", "出版年", "中图分类号"]]
    rows += [[isbn(n), f"书{n}", "某作者", "某出版社", "40", "2025", "I247.5"] for n in range(1, 4)]
    rows += [[isbn(9), "无定价之书", "", "", "", "", ""]]
    content = "\n".join(",".join(row) for row in rows).encode()
    report = services.offer_list_import(
        actor=county_admin, vendor=vendor, name="春季征订", content=content, filename="offer.csv"
    )
    return report.offer


def _line(offer, n):
    return offer.lines.get(isbn=isbn(n))


@pytest.fixture
def reader(county, unit, reader_account):
    from wenyun.circulation.tests import factories as f

    person = f.reader(home=unit("YX-S01-V02"), name="张三")
    person.account = reader_account
    person.save(update_fields=["account"])
    return person


# -- wishes -----------------------------------------------------------------------------------------------


def test_a_village_manager_wishes_for_his_village_and_may_change_his_mind(village_manager, unit, offer):
    village = unit("YX-S01-V01")
    wish = services.wish_add(actor=village_manager, unit=village, offer_line=_line(offer, 1), copies="２")
    assert (wish.kind, wish.status, wish.unit, wish.copies, wish.title) == ("wish", "open", village, 2, "书1")
    again = services.wish_add(actor=village_manager, unit=village, offer_line=_line(offer, 1), copies=3)
    assert again.pk == wish.pk and again.copies == 3
    assert Suggestion.objects.count() == 1
    assert [
        e.details["before"] for e in AcquisitionEvent.objects.filter(type="wish_added").order_by("pk")
    ] == [0, 2]


def test_a_manager_wishes_only_for_units_in_his_subtree(village_manager, other_station_manager, unit, offer):
    for actor, code in ((village_manager, "YX-S01-V02"), (other_station_manager, "YX-S01-V01")):
        with pytest.raises(Forbidden):
            services.wish_add(actor=actor, unit=unit(code), offer_line=_line(offer, 1), copies=1)
    assert not Suggestion.objects.exists()


def test_a_wish_asks_for_a_sensible_number_of_copies(station_manager, unit, offer):
    for copies, code in (("0", "quantity_invalid"), ("两本", "quantity_invalid"), (21, "wish_too_many")):
        with pytest.raises(DomainError) as bad:
            services.wish_add(
                actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 1), copies=copies
            )
        assert bad.value.code == code
    with pytest.raises(DomainError) as bad:
        services.wish_add(actor=None, unit=unit("YX"), offer_line=_line(offer, 1), copies=1)
    assert bad.value.code == "unit_not_lending"
    assert not Suggestion.objects.exists()


# -- readers' suggestions ---------------------------------------------------------------------------------


def test_a_reader_suggests_a_book_the_vendor_offers_and_its_title_comes_from_the_list(
    reader, reader_account, offer
):
    suggestion = services.suggestion_add(
        reader=reader, isbn=isbn(2).replace("978", "978-", 1), note="孩子喜欢", actor=reader_account
    )
    assert (suggestion.kind, suggestion.title, suggestion.author, suggestion.unit.code) == (
        "reader",
        "书2",
        "某作者",
        "YX-S01-V02",
    )
    assert suggestion.offer_line == _line(offer, 2)
    assert [s.pk for s in selectors.suggestions_of_reader(reader=reader)] == [suggestion.pk]


def test_a_suggestion_needs_a_title_unless_a_list_offers_its_isbn(reader):
    with pytest.raises(DomainError) as missing:
        services.suggestion_add(reader=reader, isbn=isbn(50))
    assert str(missing.value) == f"Give the book's title: no vendor's offer list has the ISBN {isbn(50)}."
    with pytest.raises(DomainError) as bad:
        services.suggestion_add(reader=reader, isbn="9787530000000", title="书")
    assert bad.value.code == "isbn_invalid"
    suggestion = services.suggestion_add(reader=reader, title="乡土中国", author="费孝通")
    assert (suggestion.isbn, suggestion.offer_line) == ("", None)


def test_a_book_the_county_holds_or_has_on_order_is_not_suggested(
    reader, county_admin, vendor, fund, unit, book
):
    from wenyun.circulation.tests import factories as f

    f.item(home=unit("YX-LIB"), rec=f.record(title="已有之书", isbn=isbn(60)))
    with pytest.raises(Refused) as held:
        services.suggestion_add(reader=reader, isbn=isbn(60), title="已有之书")
    assert str(held.value) == "The county already has 1 copy of 已有之书: place a hold on it instead."
    services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[services.LineIn(isbn=isbn(61), title="在途之书", price="30", quantity=1)],
    )
    with pytest.raises(Refused) as ordered:
        services.suggestion_add(reader=reader, isbn=isbn(61), title="在途之书")
    assert ordered.value.code == "already_ordered"
    assert not Suggestion.objects.exists()


def test_a_reader_has_at_most_five_open_suggestions_and_none_twice(reader):
    services.suggestion_add(reader=reader, isbn=isbn(70), title="书70")
    with pytest.raises(Refused) as twice:
        services.suggestion_add(reader=reader, isbn=isbn(70), title="书70")
    assert twice.value.code == "suggestion_duplicate"
    for n in range(71, 75):
        services.suggestion_add(reader=reader, isbn=isbn(n), title=f"书{n}")
    with pytest.raises(Refused) as many:
        services.suggestion_add(reader=reader, isbn=isbn(75), title="书75")
    assert many.value.code == "suggestions_too_many"
    assert Suggestion.objects.filter(reader=reader).count() == 5


def test_a_reader_suggests_only_for_himself(reader, county, unit):
    from wenyun.circulation.tests import factories as f
    from wenyun.core.models import Role, User

    other = f.reader(home=unit("YX-S02"))
    someone = User.objects.create_user(username="reader-li", password="reader-pass-2", role=Role.READER)
    with pytest.raises(Forbidden):
        services.suggestion_add(reader=other, title="书", actor=someone)
    assert not Suggestion.objects.exists()


# -- the hub's answer -------------------------------------------------------------------------------------


def test_wishes_and_a_suggestion_become_one_order_with_copies_for_each_unit(
    county_admin, station_manager, village_manager, reader, vendor, fund, unit, offer
):
    first = services.wish_add(
        actor=village_manager, unit=unit("YX-S01-V01"), offer_line=_line(offer, 1), copies=2
    )
    second = services.wish_add(
        actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 1), copies=1
    )
    other = services.wish_add(
        actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 3), copies=1
    )
    asked = services.suggestion_add(reader=reader, isbn=isbn(1))
    fresh = services.suggestion_add(reader=reader, title="乡土中国", author="费孝通")

    order = services.suggestions_accept(
        actor=county_admin,
        suggestions=[first, second, other, asked, fresh],
        vendor=vendor,
        fund=fund,
        prices={str(fresh.pk): "¥25"},  # an id as a form sends it
    )
    assert order.status == "draft"
    lines = selectors.order_lines(order=order)
    assert [
        (
            line.isbn,
            line.title,
            line.quantity,
            line.list_price,
            sorted((d.unit.code, d.quantity) for d in line.destinations.all()),
        )
        for line in lines
    ] == [
        (isbn(1), "书1", 4, Decimal("40.00"), [("YX-S01", 1), ("YX-S01-V01", 2), ("YX-S01-V02", 1)]),
        (isbn(3), "书3", 1, Decimal("40.00"), [("YX-S01", 1)]),
        ("", "乡土中国", 1, Decimal("25.00"), [("YX-S01-V02", 1)]),
    ]
    assert (lines[0].clc, lines[0].year, lines[0].publisher) == ("I247.5", 2025, "某出版社")
    # 5 copies of 40 yuan and one of 25, at 八折
    assert selectors.fund_figures(funds=[fund])[fund.pk].committed == Decimal("180.00")
    answered = {s.pk: s for s in Suggestion.objects.all()}
    assert {s.status for s in answered.values()} == {"accepted"}
    assert answered[asked.pk].order_line == lines[0] and answered[fresh.pk].order_line == lines[2]
    assert answered[first.pk].decided_by == county_admin
    event = AcquisitionEvent.objects.get(type="suggestions_accepted")
    assert event.details == {"order": order.number, "wishes": 3, "readers": 2, "lines": 3}


def test_a_title_without_a_price_is_refused_and_nothing_is_written(
    county_admin, station_manager, vendor, fund, unit, offer
):
    priced = services.wish_add(
        actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 1), copies=1
    )
    unpriced = services.wish_add(
        actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 9), copies=1
    )
    with pytest.raises(Refused) as refused:
        services.suggestions_accept(
            actor=county_admin, suggestions=[priced, unpriced], vendor=vendor, fund=fund
        )
    assert (
        str(refused.value)
        == "无定价之书 has no price: give its list price, or import an offer list that has it."
    )
    assert not Order.objects.exists()
    assert set(Suggestion.objects.values_list("status", flat=True)) == {"open"}


def test_an_order_beyond_the_fund_is_refused_and_the_wishes_stay_open(
    county_admin, station_manager, vendor, unit, offer
):
    small = services.fund_create(
        actor=county_admin,
        code="S-2026",
        name="小额",
        year=2026,
        unit=unit("YX-LIB"),
        source="donation",
        allocated="50",
    )
    wish = services.wish_add(actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 1), copies=2)
    with pytest.raises(Refused) as refused:
        services.suggestions_accept(actor=county_admin, suggestions=[wish], vendor=vendor, fund=small)
    assert refused.value.code == "fund_exceeded"
    assert not Order.objects.exists()
    wish.refresh_from_db()
    assert (wish.status, wish.order_line) == ("open", None)


def test_only_the_hub_accepts_or_declines(station_manager, vendor, fund, unit, offer):
    wish = services.wish_add(actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 1), copies=1)
    with pytest.raises(Forbidden):
        services.suggestions_accept(actor=station_manager, suggestions=[wish], vendor=vendor, fund=fund)
    with pytest.raises(Forbidden):
        services.suggestion_decline(actor=station_manager, suggestion=wish, reason="不需要")
    wish.refresh_from_db()
    assert wish.status == "open" and not Order.objects.exists()


def test_a_decline_needs_its_reason_and_is_final(library_staff, reader, vendor, fund):
    suggestion = services.suggestion_add(reader=reader, title="考试真题", note="备考")
    with pytest.raises(DomainError) as missing:
        services.suggestion_decline(actor=library_staff, suggestion=suggestion, reason="  ")
    assert str(missing.value) == "The reason is missing."
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN

    declined = services.suggestion_decline(
        actor=library_staff, suggestion=suggestion, reason="教辅不在采购范围"
    )
    assert (declined.status, declined.reason, declined.decided_by) == (
        "declined",
        "教辅不在采购范围",
        library_staff,
    )
    with pytest.raises(Refused) as again:
        services.suggestions_accept(
            actor=library_staff,
            suggestions=[suggestion],
            vendor=vendor,
            fund=fund,
            prices={suggestion.pk: "20"},
        )
    assert str(again.value) == "考试真题 has been answered already: the suggestion is declined."
    assert not Order.objects.exists()
    assert [s.reason for s in selectors.suggestions_of_reader(reader=reader)] == ["教辅不在采购范围"]


def test_who_sees_which_wishes(
    county_admin, station_manager, other_station_manager, village_manager, unit, offer
):
    mine = services.wish_add(
        actor=village_manager, unit=unit("YX-S01-V01"), offer_line=_line(offer, 1), copies=1
    )
    station = services.wish_add(
        actor=station_manager, unit=unit("YX-S01"), offer_line=_line(offer, 1), copies=1
    )
    elsewhere = services.wish_add(
        actor=other_station_manager, unit=unit("YX-S02"), offer_line=_line(offer, 2), copies=1
    )
    seen = lambda user: [s.pk for s in selectors.suggestions_visible(user=user)]  # noqa: E731
    assert seen(county_admin) == [mine.pk, station.pk, elsewhere.pk]
    assert seen(station_manager) == [mine.pk, station.pk]
    assert seen(village_manager) == [mine.pk]
    assert seen(other_station_manager) == [elsewhere.pk]
