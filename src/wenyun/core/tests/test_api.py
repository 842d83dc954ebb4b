import pytest
from django.test import Client

from wenyun.core.errors import Forbidden
from wenyun.core.models import ApiToken
from wenyun.core.services import api_token_create

pytestmark = pytest.mark.django_db


def test_the_units_endpoint_lists_the_whole_tree_with_parent_codes(county):
    response = Client().get("/api/v1/network/units")

    units = {u["code"]: u for u in response.json()}
    assert response.status_code == 200
    assert len(units) == 101
    assert units["YX"]["parent"] is None
    assert units["YX-S01-V01"] == {
        "code": "YX-S01-V01",
        "name": "城东社区文化活动中心",
        "name_en": "Chengdong Community Cultural Centre",
        "kind": "village",
        "parent": "YX-S01",
        "population": units["YX-S01-V01"]["population"],
        "grade": 0,
    }
    assert units["YX-LIB"]["kind"] == "library" and units["YX-LIB"]["grade"] == 3


def test_the_schema_is_published():
    schema = Client().get("/api/v1/openapi.json").json()

    assert schema["info"]["title"] == "Wenyun API"
    assert "/api/v1/network/units" in schema["paths"]


def test_a_token_is_stored_only_as_its_digest(county_admin):
    row, token = api_token_create(username="admin")

    assert token.startswith("wy_")
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(token)).count() == 1
    assert token not in {row.digest, row.prefix}
    assert not ApiToken.objects.filter(digest=token).exists()


def test_an_unknown_account_gets_no_token(county):
    with pytest.raises(Exception) as refused:
        api_token_create(username="nobody")

    assert refused.value.code == "user_not_found"
    assert ApiToken.objects.count() == 0


def test_a_token_authenticates_its_staff_member(station_manager, api_client):
    response = api_client(station_manager).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "username": "station01",
        "name": "城关镇综合文化站管理员",
        "role": "station_manager",
        "unit": "YX-S01",
    }


@pytest.mark.parametrize("header", ["Bearer wy_not-a-token", "Bearer ", "Basic abc", None])
def test_a_missing_or_wrong_token_gets_a_json_401(county, header):
    client = Client(HTTP_AUTHORIZATION=header) if header is not None else Client()

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert "Bearer" in response.json()["message"]


def test_a_revoked_token_no_longer_works(station_manager):
    from django.utils import timezone

    row, token = api_token_create(username="station01")
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())

    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 401


def test_a_reader_gets_no_token_and_a_readers_old_token_does_not_work(reader_account):
    with pytest.raises(Forbidden) as refused:
        api_token_create(username=reader_account.username)
    assert refused.value.code == "not_staff"
    assert ApiToken.objects.filter(user=reader_account).count() == 0

    token = ApiToken.new_token()
    ApiToken.objects.create(user=reader_account, prefix=token[:8], digest=ApiToken.digest_of(token))
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")

    assert response.status_code == 401
