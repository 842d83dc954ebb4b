"""Records from Western catalogues: the title, names and subjects in their own script live in 880,
linked by $6 to 245, 100, 650 ...; both the script and the romanised form find the record."""

from django.test import Client
from django.utils import translation

from wenyun.catalog import imports
from wenyun.catalog.marc import Field, MarcRecord, to_iso2709
from wenyun.catalog.models import Record
from wenyun.catalog.selectors import catalog_search


def _lc_record(
    control: str, romanised: str, script: str, author: str, author_script: str, subject: str
) -> MarcRecord:
    return MarcRecord(
        leader="00000nam a2200000 a 4500",
        fields=[
            Field("001", control),
            Field("100", indicators="1 ", subfields=[("6", "880-01"), ("a", author)]),
            Field("245", indicators="10", subfields=[("6", "880-02"), ("a", romanised)]),
            Field("650", indicators=" 0", subfields=[("a", "Festivals")]),
            Field("880", indicators="1 ", subfields=[("6", "100-01/$1"), ("a", author_script)]),
            Field("880", indicators="10", subfields=[("6", "245-02/$1"), ("a", script)]),
            Field("880", indicators=" 0", subfields=[("6", "650-00/$1"), ("a", subject)]),
        ],
    )


def _import(unit):
    data = to_iso2709(
        _lc_record("lc1", "Tu shuo Zhongguo jie", "图说中国节", "Li, Ming", "李明", "节日")
    ) + to_iso2709(
        _lc_record("lc2", "Nihon no chasho", "日本の茶書", "Hayashi, Yoshio", "林屋辰三郎", "茶道")
    )
    return imports.marc_import(stream=data, owner=unit("YX-LIB"), name="lc.mrc")


def _titles(q):
    return sorted(hit.record.title for hit in catalog_search(q=q).hits)


def test_the_880_script_and_the_romanised_form_both_find_the_record(unit, item_types):
    _import(unit)
    assert _titles("图说中国") == ["Tu shuo Zhongguo jie"]
    assert _titles("日本の") == ["Nihon no chasho"]
    assert _titles("tu shuo zhongguo") == ["Tu shuo Zhongguo jie"]
    assert _titles("Nihon chasho") == ["Nihon no chasho"]
    assert _titles("李明") == ["Tu shuo Zhongguo jie"]
    assert _titles("节日") == ["Tu shuo Zhongguo jie"]
    assert _titles("tsz") == ["Tu shuo Zhongguo jie"]  # the script's pinyin initials too


def test_the_title_is_shown_in_its_script_on_a_chinese_page_and_romanised_on_an_english_one(unit, item_types):
    _import(unit)
    record = Record.objects.get(control_number="lc1")
    assert record.title_vernacular == "图说中国节"
    with translation.override("zh-hans"):
        assert record.display_title == "图说中国节"
    with translation.override("en"):
        assert record.display_title == "Tu shuo Zhongguo jie"
    page = Client().get("/catalog/", {"q": "图说中国"}).content.decode()
    assert ">图说中国节</a></h3>" in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/catalog/records/{record.pk}/").content.decode()
    assert "<h1>Tu shuo Zhongguo jie</h1>" in english
