import pytest
from django.test import Client

from wenyun.network import selectors
from wenyun.network.models import Unit

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_tree_shows_a_station_manager_only_his_township(station_manager):
    response = _client(station_manager).get("/staff/network/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "城关镇综合文化站" in body
    assert "城东社区" in body
    assert "东坝镇综合文化站" not in body
    assert "云溪县图书馆" not in body


def test_another_townships_unit_is_not_found_for_a_station_manager(station_manager):
    response = _client(station_manager).get("/staff/network/units/YX-S02-V01/")

    assert response.status_code == 404


def test_a_refused_edit_through_the_page_changes_nothing(station_manager, unit):
    village = unit("YX-S02-V01")
    before = village.phone

    response = _client(station_manager).post(
        f"/staff/network/units/{village.code}/edit/", {"name": "改名", "population": 1}
    )

    assert response.status_code == 403
    village.refresh_from_db()
    assert (village.name, village.phone) == ("东坝村综合文化服务中心", before)


def test_a_village_manager_saves_his_opening_hours(village_manager):
    form = {f"d{day}_0_opens": "08:00" for day in range(5)} | {
        f"d{day}_0_closes": "17:00" for day in range(5)
    }

    response = _client(village_manager).post("/staff/network/units/YX-S01-V01/hours/", form)

    assert response.status_code == 302
    assert selectors.unit_weekly_hours(unit=selectors.unit_get(code="YX-S01-V01")) == 45.0


def test_half_a_period_is_refused_with_the_day_named(village_manager):
    village = selectors.unit_get(code="YX-S01-V01")
    before = selectors.unit_weekly_schedule(unit=village)

    response = _client(village_manager).post(
        "/staff/network/units/YX-S01-V01/hours/", {"d2_0_opens": "08:00"}
    )

    assert response.status_code == 200
    assert "星期三：请同时填写开放和关闭时间" in response.content.decode()
    assert selectors.unit_weekly_schedule(unit=village) == before


def test_a_reader_is_not_let_into_staff_pages(reader_account):
    response = _client(reader_account).get("/staff/network/")

    assert response.status_code == 403


def test_a_visitor_is_sent_to_the_login_page():
    response = Client().get("/staff/network/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_portal_lists_the_institutions_in_chinese_and_in_english(county):
    chinese = Client().get("/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()

    assert "县级文化场馆" in chinese and "云溪县图书馆" in chinese
    assert "The county's cultural institutions" in english and "Yunxi County Library" in english


def test_every_unit_has_a_public_page(county):
    client = Client()
    codes = list(Unit.objects.values_list("code", flat=True))

    assert len(codes) == 1 + 2 + 4 + 11 + 83
    for code in codes[:: len(codes) // 10]:
        assert client.get(f"/units/{code}/").status_code == 200
    assert client.get("/units/NOPE/").status_code == 404


def test_a_refused_closure_keeps_what_was_typed_and_names_the_field(station_manager):
    client = _client(station_manager)
    closures = Unit.objects.get(code="YX-S01").closures.count()

    response = client.post(
        "/staff/network/units/YX-S01/closures/",
        {"first_day": "2027-03-05", "last_day": "2027-03-01", "reason": "维修"},
    )
    empty = client.post("/staff/network/units/YX-S01/closures/", {})

    body = response.content.decode()
    assert response.status_code == 400
    assert "闭馆的结束日期不能早于开始日期" in body
    assert 'value="2027-03-05"' in body and 'value="维修"' in body
    assert empty.status_code == 400
    assert "开始日期：这个字段是必填项。" in empty.content.decode()
    assert Unit.objects.get(code="YX-S01").closures.count() == closures


def test_an_unknown_page_is_a_page_of_the_site_in_chinese(county):
    response = Client().get("/units/NOPE/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "这个页面不存在" in body and "文云" in body
