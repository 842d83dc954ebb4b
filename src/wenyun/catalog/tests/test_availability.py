"""Availability on the public catalogue, short enough for a phone: the reader's unit, the hubs, then a
line per township, with every unit behind a <details> on the record page."""

import re

import pytest
from django.test import Client

from wenyun.catalog.models import Item, ItemStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(make_record, make_item, unit):
    """三体: one copy at the library, six on the shelf across 城关镇 (station and five villages, one
    more out on loan), and two out on loan in the first two villages of the second township."""
    santi = make_record("三体", responsibility="刘慈欣著", year=2008)
    copies = [
        ("B101", "YX-LIB"),
        ("B102", "YX-S01"),
        ("B103", "YX-S01-V01"),
        ("B104", "YX-S01-V01"),
        ("B105", "YX-S01-V02"),
        ("B106", "YX-S01-V03"),
        ("B107", "YX-S01-V04"),
        ("B108", "YX-S01-V05"),
        ("B109", "YX-S02-V01"),
        ("B110", "YX-S02-V02"),
    ]
    for barcode, code in copies:
        make_item(santi, barcode, code)
    Item.objects.filter(barcode__in=["B105", "B109", "B110"]).update(status=ItemStatus.ON_LOAN)
    return santi


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _between(html: str, start: str, end: str) -> str:
    part = html[html.index(start) :]
    return part[: part.index(end)]


def test_the_record_page_reads_the_hubs_then_one_line_per_township_with_every_unit_folded(spread, unit):
    html = Client().get(f"/catalog/records/{spread.pk}/").content.decode()
    summary = _between(html, '<ul class="availability-summary">', "</ul>")
    every = _between(html, '<details class="every-unit">', "</details>")
    second = unit("YX-S02").name

    assert re.findall(r"<li[ >]", summary).__len__() == 3
    assert _text(summary).split(" 云溪县图书馆")[0] == ""
    assert "云溪县图书馆 · 1 本可借" in _text(summary)
    assert (
        "城关镇综合文化站等 6 个服务点 · 6 本可借 "
        "城东社区文化活动中心、城关镇综合文化站、城南社区文化活动中心 及另外 2 处"
    ) in _text(summary)
    assert f"{second}等 2 个服务点 · 暂无在架" in _text(summary)
    assert "所有藏有此书的服务点（9 个）" in _text(every)
    assert every.count('<span class="badge') == 9


def test_a_search_hit_shows_only_the_townships_with_a_copy_on_the_shelf_and_counts_the_rest(spread, unit):
    html = Client().get("/catalog/", {"q": "三体"}).content.decode()
    hit = _between(html, '<div class="hit">', '<a class="small hold-link"')

    assert hit.count('<span class="badge') == 2
    assert "城关镇综合文化站等 6 个服务点 · 6 本可借" in _text(hit)
    assert unit("YX-S02").name not in hit
    assert "另有 1 个乡镇的书都已借出" in _text(hit)


def test_a_signed_in_reader_sees_his_own_unit_first(spread):
    from wenyun.circulation.tests import factories as f
    from wenyun.network.selectors import unit_get

    f.reader(home=unit_get(code="YX-S01-V03"), card="YX9001", pin="1234")
    client = Client()
    client.post("/account/login/", {"card": "YX9001", "pin": "1234"})

    html = client.get(f"/catalog/records/{spread.pk}/").content.decode()
    summary = _text(_between(html, '<ul class="availability-summary">', "</ul>"))

    assert summary.strip().startswith("您的服务点 城南社区文化活动中心 · 1 本可借 云溪县图书馆 · 1 本可借")
    assert "城关镇综合文化站等 5 个服务点 · 5 本可借" in summary


def test_a_search_hit_names_three_townships_and_links_to_the_others(make_record, make_item):
    book = make_record("平凡的世界", responsibility="路遥著")
    for n in range(1, 6):
        make_item(book, f"P10{n}", f"YX-S0{n}")

    html = Client().get("/catalog/", {"q": "平凡的世界"}).content.decode()
    hit = _between(html, '<div class="hit">', '<a class="small hold-link"')

    assert hit.count('<span class="badge ok">') == 3
    assert f'<a href="/catalog/records/{book.pk}/">另有 2 个乡镇有书可借</a>' in hit
