"""Staff catalogue pages and the public catalogue."""

from django.test import Client

from wenyun.catalog.models import Item, Record


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_public_catalogue_finds_a_book_by_traditional_characters_and_shows_where_it_is(shelf):
    page = Client().get("/catalog/", {"q": "三體"}).content.decode()
    assert "三体" in page
    assert "云溪县图书馆 · 2 本可借" in page


def test_the_front_page_has_the_search_box(county):
    page = Client().get("/").content.decode()
    assert 'action="/catalog/"' in page


def test_a_public_record_page_shows_availability(shelf):
    page = Client().get(f"/catalog/records/{shelf['santi'].pk}/").content.decode()
    assert "城关镇综合文化站 · 1 本可借" in page


def test_staff_search_needs_a_login(shelf):
    response = Client().get("/staff/catalog/", {"q": "三体"})
    assert response.status_code == 302


def test_staff_add_a_record_and_a_copy(library_staff, item_types):
    client = _client(library_staff)
    response = client.post(
        "/staff/catalog/records/new/",
        {
            "title": "平凡的世界",
            "responsibility": "路遥著",
            "language": "chi",
            "marc_format": "marc21",
            "clc": "I247.57",
        },
    )
    record = Record.objects.get(title="平凡的世界")
    assert response.status_code == 302
    response = client.post(
        f"/staff/catalog/records/{record.pk}/copies/new/",
        {"barcode": "N001", "home_unit": "YX-LIB", "item_type": item_types["book"].pk, "price": "39.8"},
    )
    assert response.status_code == 302
    assert Item.objects.get(barcode="N001").home_unit.code == "YX-LIB"


def test_staff_see_why_a_record_with_copies_is_not_deleted(library_staff, shelf):
    client = _client(library_staff)
    response = client.post(f"/staff/catalog/records/{shelf['santi'].pk}/delete/", follow=True)
    assert "三体有 3 个复本" in response.content.decode()
    assert Record.objects.filter(pk=shelf["santi"].pk).exists()


def test_a_village_manager_cannot_add_a_copy_elsewhere(village_manager, shelf, item_types):
    client = _client(village_manager)
    response = client.post(
        f"/staff/catalog/records/{shelf['huozhe'].pk}/copies/new/",
        {"barcode": "N002", "home_unit": "YX-LIB", "item_type": item_types["book"].pk},
    )
    assert response.status_code == 200
    assert not Item.objects.filter(barcode="N002").exists()


def test_staff_import_a_file_and_see_the_report(library_staff, item_types, data_file):
    client = _client(library_staff)
    with open(data_file("bad_records.mrc"), "rb") as fh:
        response = client.post(
            "/staff/catalog/import/", {"file": fh, "owner": "YX-LIB", "flavour": "auto", "encoding": "auto"}
        )
    page = response.content.decode()
    assert 'id="import-report"' in page
    assert "数据基地址（99937）超出了记录范围" in page
    assert Record.objects.count() == 1


def test_a_page_past_the_end_shows_the_last_page_and_a_non_number_the_first(make_record):
    for n in range(21):
        make_record(f"中国历史 第{n + 1}卷")

    past_the_end = Client().get("/catalog/", {"q": "中国", "page": "99999"})
    not_a_number = Client().get("/catalog/", {"q": "中国", "page": "abc"})

    last = past_the_end.context["result"]
    assert (last.page, last.pages, len(last.hits)) == (2, 2, 1)
    assert "第 2 页，共 2 页" in past_the_end.content.decode()
    assert "没有找到" not in past_the_end.content.decode()
    first = not_a_number.context["result"]
    assert (first.page, len(first.hits)) == (1, 20)


def test_the_public_record_page_and_its_search_hit_offer_a_hold_that_asks_a_stranger_to_sign_in(shelf):
    santi = shelf["santi"]
    record = Client().get(f"/catalog/records/{santi.pk}/").content.decode()
    hits = Client().get("/catalog/", {"q": "三体"}).content.decode()

    hold = Client().get(f"/account/holds/new/{santi.pk}/")

    assert f'href="/account/holds/new/{santi.pk}/">预约</a>' in record
    assert f'href="/account/holds/new/{santi.pk}/">预约</a>' in hits
    assert hold.status_code == 302
    assert hold["Location"] == f"/account/login/?next=%2Faccount%2Fholds%2Fnew%2F{santi.pk}%2F"


def test_the_public_and_staff_catalogues_refuse_a_query_too_long_with_a_sentence(library_staff, shelf):
    sentence = "搜索词最多 200 个字符，这次有 10000 个。"
    public = Client().get("/catalog/", {"q": "x" * 10_000})
    assert public.status_code == 200
    assert sentence in public.content.decode()
    staff = _client(library_staff).get("/staff/catalog/", {"q": "x" * 10_000})
    assert staff.status_code == 200
    assert sentence in staff.content.decode()
