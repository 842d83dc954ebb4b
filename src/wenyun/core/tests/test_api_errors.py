"""Every error under /api/ is JSON {error, message}, with the status the schema declares."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _english(client, path, **extra):
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en", **extra)


def test_an_unknown_address_under_the_api_answers_a_json_404(county):
    response = _english(Client(), "/api/v1/nope")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json; charset=utf-8")
    assert response.json() == {
        "error": "not_found",
        "message": "There is nothing at this address of the API.",
    }


def test_an_unknown_address_outside_a_version_answers_a_json_404_too(county):
    response = _english(Client(), "/api/v2/network/units")

    assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_a_method_an_address_does_not_take_answers_a_json_405(county):
    response = Client().delete("/api/v1/network/units", HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response["Allow"]) == (405, "GET")
    assert response.json() == {
        "error": "method_not_allowed",
        "message": "DELETE is not allowed here; this address takes GET.",
    }


def test_a_fault_in_a_handler_answers_a_json_500_and_is_logged(county, monkeypatch, caplog):
    from wenyun.network import selectors

    def broken():
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(selectors, "unit_list", broken)

    with caplog.at_level(logging.ERROR, logger="wenyun.api"):
        response = _english(Client(raise_request_exception=False), "/api/v1/network/units")

    assert (response.status_code, response["Content-Type"]) == (500, "application/json; charset=utf-8")
    assert response.json() == {
        "error": "server_error",
        "message": "Something went wrong on the server; it has been logged.",
    }
    assert [(r.name, r.getMessage(), r.exc_info[0]) for r in caplog.records if r.name == "wenyun.api"] == [
        ("wenyun.api", "API GET /api/v1/network/units failed", RuntimeError)
    ]


@pytest.mark.parametrize("path", ["/api/v1/programs/figures", "/api/v1/volunteers/hours"])
@pytest.mark.parametrize("year", ["0", "-5", "99999"])
def test_a_year_out_of_range_is_refused_in_json_naming_the_range(county_admin, api_client, path, year):
    response = _english(api_client(county_admin), f"{path}?year={year}")

    assert response.status_code == 400
    limit = "1900 or more" if int(year) < 1900 else "2100 or less"
    assert response.json() == {"error": "invalid", "message": f"year: must be {limit}."}


def test_a_year_out_of_range_answers_in_chinese_by_default(county_admin, api_client):
    response = api_client(county_admin).get("/api/v1/programs/figures?year=0")

    assert response.json() == {"error": "invalid", "message": "year：不能小于 1900。"}


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "10001"])
def test_a_page_out_of_range_is_refused_in_json(county, page):
    response = _english(Client(), f"/api/v1/catalog/search?q=a&page={page}")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert response.json()["message"].startswith("page: must be ")


def test_the_schema_states_the_ranges_it_enforces(county):
    schema = Client().get("/api/v1/openapi.json").json()

    def parameter(path, name):
        (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found["schema"]

    assert parameter("/api/v1/programs/figures", "year") | {"description": None} == {
        "type": "integer",
        "minimum": 1900,
        "maximum": 2100,
        "title": "Year",
        "description": None,
    }
    page = parameter("/api/v1/catalog/search", "page")
    assert (page["minimum"], page["maximum"]) == (1, 10_000)
    error = schema["paths"]["/api/v1/programs/figures"]["get"]["responses"]["400"]
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["error", "message"]
