"""Pages go out compressed; static files under hashed names go out compressed with a year's cache."""

import gzip

import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

HASHED = {"BACKEND": "wenyun.core.staticfiles.StaticFilesStorage"}


def test_a_page_asked_for_with_gzip_comes_compressed(county):
    page = Client().get("/", HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert (page.status_code, page["Content-Encoding"]) == (200, "gzip")
    assert gzip.decompress(page.content).decode().startswith("<!doctype html>")


def test_collected_static_files_have_hashed_names_a_years_cache_and_a_gzip_copy(tmp_path, county):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={**settings.STORAGES, "staticfiles": HASHED}):
        call_command("collectstatic", interactive=False, verbosity=0)
        url = static("wenyun/wenyun.css")
        client = Client()
        css = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        page = client.get("/")

    assert url.startswith("/static/wenyun/wenyun.") and url.endswith(".css")
    assert url != "/static/wenyun/wenyun.css"
    assert css.status_code == 200
    assert css["Cache-Control"] == "max-age=31536000, public, immutable"
    assert css["Content-Encoding"] == "gzip"
    assert f'href="{url}"' in page.content.decode()


def test_before_collectstatic_has_run_static_files_keep_their_plain_names(tmp_path, county):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={**settings.STORAGES, "staticfiles": HASHED}):
        url = static("wenyun/wenyun.css")
        page = Client().get("/")

    assert url == "/static/wenyun/wenyun.css"
    assert page.status_code == 200


def test_wenyun_serve_collects_the_static_files_before_it_answers(tmp_path, county, monkeypatch):
    import sys
    from wsgiref.util import setup_testing_defaults

    from wenyun.core.management.commands import serve as serve_command

    served = {}
    monkeypatch.setattr(serve_command, "serve", lambda application, **options: served.update(app=application))
    monkeypatch.setattr(serve_command.serving, "send", lambda sender: None)
    monkeypatch.delitem(sys.modules, "wenyun.wsgi", raising=False)  # the application loads anew

    with override_settings(STATIC_ROOT=tmp_path, STORAGES={**settings.STORAGES, "staticfiles": HASHED}):
        call_command("serve", port=0)
        url = static("wenyun/wenyun.css")
        environ = {"PATH_INFO": url, "REQUEST_METHOD": "GET"}
        setup_testing_defaults(environ)
        answered = {}
        served["app"](environ, lambda status, headers: answered.update(status=status, headers=dict(headers)))

    assert url != "/static/wenyun/wenyun.css"
    assert answered["status"] == "200 OK"
    assert answered["headers"]["Cache-Control"] == "max-age=31536000, public, immutable"
