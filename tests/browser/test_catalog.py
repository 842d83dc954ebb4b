import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = "src/wenyun/catalog/tests/data/"


@pytest.fixture
def books(county):
    from wenyun.catalog import services
    from wenyun.catalog.models import ItemType
    from wenyun.core.models import User
    from wenyun.network.selectors import unit_get

    admin = User.objects.get(username="admin")
    book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "图书", "name_en": "Book"})
    santi = services.record_create(
        actor=admin,
        title="三体",
        responsibility="刘慈欣著",
        publisher="重庆出版社",
        year=2008,
        isbn="9787536692930",
        clc="I247.55",
    )
    for barcode, code in (("W001", "YX-LIB"), ("W002", "YX-S01"), ("W003", "YX-S01")):
        services.item_create(
            actor=admin, record=santi, barcode=barcode, home_unit=unit_get(code=code), item_type=book
        )
    return {"santi": santi}


def test_a_reader_on_a_phone_finds_a_book_by_pinyin_initials_and_sees_where_it_is(
    phone_page, live_url, books, screenshot
):
    phone_page.goto(live_url("/"))
    phone_page.fill("input[name=q]", "st")
    phone_page.keyboard.press("Enter")
    expect(phone_page.locator("#result-count")).to_contain_text("共检索到 1 条记录")
    expect(phone_page.locator(".hit")).to_contain_text("城关镇综合文化站 · 2 本可借")
    screenshot(phone_page, "catalog-opac-phone", full_page=True)


def test_a_reader_finds_a_book_by_traditional_characters_and_isbn10(page, live_url, books, screenshot):
    page.goto(live_url("/catalog/?q=三體"))
    expect(page.locator(".hit h3")).to_have_text("三体")
    page.goto(live_url("/catalog/?q=7-5366-9293-5"))
    expect(page.locator(".hit h3")).to_have_text("三体")
    expect(page.locator(".facets")).to_contain_text("云溪县图书馆")
    screenshot(page, "catalog-opac")


def test_a_librarian_imports_a_marc_file_and_reads_what_was_skipped(page, live_url, login, books, screenshot):
    login("library")
    page.goto(live_url("/staff/catalog/import/"))
    page.set_input_files("input[name=file]", DATA + "bad_records.mrc")
    page.select_option("select[name=owner]", "YX-LIB")
    page.locator("form[action$='/import/'] button[type=submit]").click()
    expect(page.locator("#import-report")).to_contain_text("数据基地址（99937）超出了记录范围")
    screenshot(page, "catalog-import-report", full_page=True)
    page.goto(live_url(f"/staff/catalog/records/{books['santi'].pk}/"))
    expect(page.locator("body")).to_contain_text("W002")
    screenshot(page, "catalog-record", full_page=True)
