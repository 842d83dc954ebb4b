from wenyun.catalog.isbn import isbn13_to_10, isbn_parse, isbn_query
from wenyun.catalog.text import fold, query_plan, segment_pinyin


def test_an_isbn10_is_normalised_to_its_isbn13():
    parsed = isbn_parse("7-5366-9293-5")
    assert (parsed.isbn13, parsed.valid) == ("9787536692930", True)


def test_an_isbn13_with_a_wrong_check_digit_is_kept_but_flagged():
    parsed = isbn_parse("9787536692931 (平装)")
    assert (parsed.raw, parsed.isbn13, parsed.valid) == ("9787536692931", "", False)


def test_an_isbn10_ending_in_x_is_read():
    assert isbn_parse("0-8044-2957-X").isbn13 == "9780804429573"


def test_isbn13_back_to_isbn10():
    assert isbn13_to_10("9787536692930") == "7536692935"
    assert isbn13_to_10("9791234567896") == ""


def test_a_search_for_an_isbn_with_hyphens_means_the_isbn13():
    assert isbn_query("978-7-5366-9293-0") == "9787536692930"
    assert isbn_query("7536692935") == "9787536692930"
    assert isbn_query("三体") is None


def test_traditional_characters_fold_to_simplified_and_latin_loses_accents():
    assert fold("三體 劉慈欣") == "三体 刘慈欣"
    assert fold("Société") == "societe"


def test_pinyin_is_split_into_syllables_fewest_first():
    assert segment_pinyin("heiansenlin", allow_partial=False) == ["hei", "an", "sen", "lin"]
    assert segment_pinyin("santi", allow_partial=False) == ["san", "ti"]
    assert segment_pinyin("sant", allow_partial=True) == ["san", "t"]
    assert segment_pinyin("xyz", allow_partial=False) is None


def test_an_empty_query_has_no_terms():
    assert query_plan("   ") == []


def test_fold_reads_what_t2s_leaves_character_by_character_and_pinyin_is_read_before():
    from wenyun.catalog.text import pinyin

    assert fold("活著 乾隆 衞生") == "活着 干隆 卫生"
    assert pinyin("著作 乾隆") == (["zhu", "zuo", "qian", "long"], ["z", "z", "q", "l"])


def test_a_word_typed_again_and_again_is_one_term_of_the_plan():
    assert query_plan("中国 " * 66) == query_plan("中国")
