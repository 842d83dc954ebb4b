"""Every page says where its scripts may come from (only this site), and HTTPS sites say to stay on HTTPS."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import wenyun

POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.django_db
def test_pages_and_the_api_send_the_content_security_policy(county):
    client = Client()

    for path in ("/", "/login/", "/api/v1/network/units", "/no-such-page/"):
        assert client.get(path)["Content-Security-Policy"] == POLICY, path


# What the policy forbids: a script written into the page, an on...= handler, a javascript: address.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def test_no_template_has_a_script_the_policy_would_block():
    root = Path(wenyun.__file__).parent
    found = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for path in sorted(root.rglob("templates/**/*.html"))
        for match in INLINE_SCRIPT.finditer(path.read_text(encoding="utf-8"))
    ]

    assert found == []


SHOW_HSTS = """
import django
django.setup()
from django.conf import settings
print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_PROXY_SSL_HEADER)
"""


def _settings_with(tmp_path, **variables) -> str:
    env = {**os.environ, "WENYUN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wenyun.settings"}
    for name in ("WENYUN_SECURE_COOKIES", "WENYUN_HSTS_SECONDS", "WENYUN_BEHIND_TLS_PROXY"):
        env.pop(name, None)
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-c", SHOW_HSTS], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_hsts_is_sent_for_a_year_where_cookies_are_secure_and_not_otherwise(tmp_path):
    assert _settings_with(tmp_path) == "0 False None"
    assert _settings_with(tmp_path, WENYUN_SECURE_COOKIES="1") == "31536000 False None"
    assert _settings_with(tmp_path, WENYUN_SECURE_COOKIES="1", WENYUN_BEHIND_TLS_PROXY="1") == (
        "31536000 False ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


@pytest.mark.django_db
def test_an_https_request_gets_the_hsts_header_where_it_is_on(county, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    page = Client().get("/", secure=True)

    assert page["Strict-Transport-Security"] == "max-age=31536000"
