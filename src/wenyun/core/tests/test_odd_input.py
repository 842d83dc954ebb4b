"""Input nobody types but a fuzzer (or a broken client) sends: answered on PostgreSQL as on SQLite,
never a server error. Both were found by the schema-driven and form tests on PostgreSQL."""

from __future__ import annotations

from wenyun.core.models import FailedLogin
from wenyun.core.services import api_token_create


def test_a_nul_character_in_a_search_is_dropped_not_a_server_error(client, county_admin):
    _row, token = api_token_create(username=county_admin.username)

    answer = client.get("/api/v1/readers", {"q": "王\x00"}, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert answer.status_code == 200
    assert isinstance(answer.json(), list)


def test_a_nul_character_in_a_form_field_is_dropped(client, county_admin):
    client.force_login(county_admin)

    answer = client.get("/staff/catalog/", {"q": "中国\x00"})

    assert answer.status_code == 200


def test_a_username_longer_than_any_account_is_refused_and_its_tries_still_count(client, county):
    name = "a" * 400
    for _attempt in range(2):
        answer = client.post("/login/", {"username": name, "password": "wrong"})
        assert answer.status_code == 200

    [key] = set(FailedLogin.objects.values_list("username", flat=True))
    assert len(key) <= 150 and key.startswith("a" * 100)
    assert FailedLogin.objects.count() == 2


def test_a_nul_character_in_a_json_body_is_dropped_not_a_server_error(client, county_admin):
    _row, token = api_token_create(username=county_admin.username)

    answer = client.post(
        "/api/v1/circulation/checkout",
        '{"card": "YX\\u0000404", "barcode": "B\\u00001", "unit": "YX-LIB"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert 400 <= answer.status_code < 500
    assert set(answer.json()) == {"error", "message"}
