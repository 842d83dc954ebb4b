"""One search box: Chinese as readers type it, ISBNs, call numbers, English; live availability per unit.

These run on SQLite (FTS5) and, with WENYUN_DATABASE_URL set, on PostgreSQL: the same behaviour.
"""

import pytest

from wenyun.catalog import services
from wenyun.catalog.models import Item, ItemStatus
from wenyun.catalog.selectors import catalog_search, record_availability


def titles(q, **kwargs):
    return [hit.record.title for hit in catalog_search(q=q, **kwargs).hits]


def test_chinese_characters_find_the_book(shelf):
    assert titles("三体") == ["三体"]


def test_traditional_characters_find_a_simplified_record(shelf):
    assert titles("三體") == ["三体"]


def test_a_traditional_record_is_found_by_simplified_characters(county_admin, shelf):
    services.record_create(actor=county_admin, title="紅樓夢", responsibility="曹雪芹著")
    assert titles("红楼梦") == ["紅樓夢"]


def test_full_pinyin_finds_the_book(shelf):
    assert titles("santi") == ["三体"]
    assert titles("yuhua") == ["活着"]


def test_pinyin_initials_find_the_book(shelf):
    assert titles("st") == ["三体"]
    assert titles("hz") == ["活着"]


def test_pinyin_being_typed_finds_the_book(shelf):
    assert titles("sant") == ["三体"]


def test_one_character_finds_words_that_contain_it(shelf):
    assert titles("体") == ["三体"]


def test_isbn10_finds_the_record_catalogued_with_its_isbn13(shelf):
    assert titles("7536692935") == ["三体"]
    assert titles("7-5366-9293-5") == ["三体"]
    assert titles("978-7-5366-9293-0") == ["三体"]


def test_call_number_finds_the_records_in_that_class(shelf):
    assert sorted(titles("I247.55")) == ["The three-body problem", "三体"]


def test_author_and_publisher_are_searched(shelf):
    assert titles("刘慈欣") == ["三体"]
    assert titles("作家出版社") == ["活着"]


def test_english_words_find_latin_records_and_every_word_must_match(shelf):
    assert titles("three body") == ["The three-body problem"]
    assert titles("three zebra") == []


def test_the_title_ranks_above_a_mention_elsewhere(county_admin, shelf):
    services.record_create(actor=county_admin, title="科幻小说评论", subjects="三体")
    assert titles("三体")[0] == "三体"


def test_nothing_found_for_an_empty_or_unknown_query(shelf):
    assert catalog_search(q="").count == 0
    assert catalog_search(q="不存在的书名").count == 0


def test_each_hit_shows_live_availability_per_unit(shelf):
    [hit] = catalog_search(q="三体").hits
    assert [(a.unit.code, a.available, a.total) for a in hit.availability] == [
        ("YX-LIB", 2, 2),
        ("YX-S01", 1, 1),
    ]
    Item.objects.filter(barcode="B001").update(status=ItemStatus.ON_LOAN)
    [hit] = catalog_search(q="三体").hits
    assert [(a.unit.code, a.available, a.total, a.on_loan) for a in hit.availability] == [
        ("YX-S01", 1, 1, 0),
        ("YX-LIB", 1, 2, 1),
    ]


def test_withdrawn_copies_are_not_counted(county_admin, shelf):
    services.item_withdraw(actor=county_admin, item=Item.objects.get(barcode="B003"))
    assert [(a.unit.code, a.available) for a in record_availability(record=shelf["santi"])] == [("YX-LIB", 2)]


def test_unit_keeps_records_with_copies_in_that_unit_and_its_villages(make_item, shelf):
    assert titles("三体", unit="YX-LIB") == ["三体"]
    assert titles("活着", unit="YX-LIB") == []
    make_item(shelf["huozhe"], "B010", "YX-S01-V01")
    assert titles("活着", unit="YX-S01") == ["活着"]


def test_available_at_keeps_records_with_a_copy_on_the_shelf_there(shelf):
    assert titles("三体", available_at="YX-S01") == ["三体"]
    Item.objects.filter(barcode="B003").update(status=ItemStatus.ON_LOAN)
    assert titles("三体", available_at="YX-S01") == []


def test_facets_count_classes_years_languages_and_units_with_copies_available(shelf):
    result = catalog_search(q="I247", facets=True)
    assert result.facets["clc"] == [("I", "I", 3)]
    assert result.facets["year"] == [("2014", "2014", 1), ("2012", "2012", 1), ("2008", "2008", 1)]
    assert result.facets["language"] == [("chi", "中文", 2), ("eng", "英文", 1)]
    assert [(code, n) for code, _label, n in result.facets["unit"]] == [("YX-S01", 2), ("YX-LIB", 1)]


def test_filters_by_class_year_and_language(shelf):
    assert titles("I247", language="eng") == ["The three-body problem"]
    assert titles("I247", year=2012) == ["活着"]
    assert titles("I247", clc_class="K") == []


def test_pages_of_results(county_admin, shelf):
    for n in range(25):
        services.record_create(actor=county_admin, title=f"图书馆学 第{n}卷")
    first = catalog_search(q="图书馆学", page=1)
    second = catalog_search(q="图书馆学", page=2)
    assert (first.count, len(first.hits), len(second.hits), first.pages) == (25, 20, 5, 2)
    assert not {h.record.pk for h in first.hits} & {h.record.pk for h in second.hits}


def test_an_edited_record_is_found_by_its_new_title_only(county_admin, shelf):
    services.record_update(actor=county_admin, record=shelf["huozhe"], title="许三观卖血记")
    assert titles("活着") == []
    assert titles("xsgmxj") == ["许三观卖血记"]


def test_the_index_can_be_rebuilt(shelf):
    assert services.catalog_reindex() == 3
    assert titles("santi") == ["三体"]


@pytest.mark.parametrize("query", ['三体 "', "(", "AND", "st*", "NEAR(", "'"])
def test_search_syntax_in_a_query_is_taken_as_text_not_an_error(shelf, query):
    catalog_search(q=query)


def test_due_dates_are_not_shown_for_copies_on_the_shelf(shelf):
    [hit] = catalog_search(q="活着").hits
    assert [(a.unit.code, a.next_due) for a in hit.availability] == [("YX-S01", None)]


def test_a_word_too_common_to_rank_every_match_still_puts_title_matches_first(
    monkeypatch, county_admin, shelf
):
    from wenyun.catalog import search

    # Pretend 5 matches are too many to rank: the search ranks a few candidates, titles first.
    monkeypatch.setattr(search, "RANK_ALL", 5)
    monkeypatch.setattr(search, "CANDIDATES", 2)
    in_title = [services.record_create(actor=county_admin, title=f"海洋{n}号").pk for n in range(3)]
    elsewhere = [
        services.record_create(actor=county_admin, title=f"图书{n}", publisher="海洋出版社").pk
        for n in range(6)
    ]
    first = catalog_search(q="海洋", per_page=4)
    assert first.count == 9
    assert {h.record.pk for h in first.hits[:3]} == set(in_title)
    pages = [h.record.pk for page in (1, 2, 3) for h in catalog_search(q="海洋", per_page=4, page=page).hits]
    assert sorted(pages) == sorted(in_title + elsewhere)


def test_a_call_number_being_typed_finds_the_records_in_that_class(shelf):
    # The text reading of "I247.5" does not take "5" as the start of a word (that would read every
    # word beginning with 5); the call number itself is still matched as a prefix.
    assert sorted(titles("I247.5")) == ["The three-body problem", "三体", "活着"]


def test_a_query_longer_than_the_limit_is_refused_with_a_sentence_before_any_search(shelf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wenyun.core.errors import DomainError

    with CaptureQueriesContext(connection) as queries, pytest.raises(DomainError) as refused:
        catalog_search(q="三体" * 5000)
    assert refused.value.code == "query_too_long"
    assert refused.value.message == "搜索词最多 200 个字符，这次有 10000 个。"
    assert len(queries) == 0


def test_a_query_at_the_limit_is_searched(shelf):
    assert titles("三体 " + "x" * 197) == []
    assert titles("三体" + " " * 198) == ["三体"]


@pytest.mark.parametrize(
    ("record_title", "query"),
    [
        ("活着", "活著"),  # Taiwan and Hong Kong write 着 as 著, which t2s leaves alone
        ("活著", "活着"),
        ("看着你", "看著"),
        ("卫生常识", "衞生"),  # Hong Kong's 衞
        ("乾隆皇帝", "乾"),  # t2s keeps 乾 inside 乾隆 but makes 乾 alone 干
        ("干净的房间", "乾淨"),
        ("之后", "之後"),
        ("这里的黎明静悄悄", "這裡"),
        ("理发师", "理髮"),
    ],
)
def test_traditional_taiwan_and_hong_kong_forms_find_the_simplified_record_and_back(
    county_admin, db, record_title, query
):
    services.record_create(actor=county_admin, title=record_title)
    assert titles(query) == [record_title]


def test_folding_zhe_does_not_break_zhu_as_in_works(county_admin, db):
    services.record_create(actor=county_admin, title="鲁迅著作全集")
    services.record_create(actor=county_admin, title="活着")
    assert titles("著作") == ["鲁迅著作全集"]
    assert titles("鲁迅著作") == ["鲁迅著作全集"]
    assert titles("zhuzuo") == ["鲁迅著作全集"]
    assert titles("huozhe") == ["活着"]
