"""Shared test setup: the demo county's network is built once per test run, and personas stand
ready for access tests (as in Healthchecks' alice/bob/charlie): a county administrator, two station
managers, a village manager and a reader.

Tests run inside a transaction rolled back at the end, so the network is the same for each. A test
marked transactional (transaction=True) empties the tables afterwards; the `county` fixture builds
the network again when it finds it gone.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

# The demo parts cheap enough to build for every test run; bigger parts make their own small data.
TEST_DEMO_APPS = ["network"]


def _build_test_county() -> None:
    from wenyun.core.demo import demo_build

    demo_build(only=TEST_DEMO_APPS, today=dt.date.today(), out=lambda text: None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _build_test_county()


@pytest.fixture
def county(db):
    from wenyun.network.selectors import unit_root

    root = unit_root()
    if root is None:
        from wenyun.core.models import DemoStep

        DemoStep.objects.all().delete()
        _build_test_county()
        root = unit_root()
    return root


@pytest.fixture(autouse=True)
def fresh_rules_cache():
    """Each test starts without the circulation rules cache, as a new process would: rolling a test
    back undoes its writes without a version bump, so a copy cached in one test is not the next one's."""
    from wenyun.circulation.rules import snapshot_forget

    snapshot_forget()


def _user(username: str):
    from wenyun.core.models import User

    return User.objects.select_related("unit").get(username=username)


@pytest.fixture
def county_admin(county):
    return _user("admin")


@pytest.fixture
def library_staff(county):
    return _user("library")


@pytest.fixture
def station_manager(county):
    """Manager of 城关镇综合文化站 (YX-S01) and so of its villages."""
    return _user("station01")


@pytest.fixture
def other_station_manager(county):
    """Manager of 东坝镇综合文化站 (YX-S02): not of YX-S01's villages."""
    return _user("station02")


@pytest.fixture
def village_manager(county):
    """Manager of YX-S01-V01 only."""
    return _user("village0101")


@pytest.fixture
def reader_account(county):
    from wenyun.core.models import Role, User

    return User.objects.create_user(
        username="reader-zhang", password="reader-pass-1", role=Role.READER, display_name="张三"
    )


@pytest.fixture
def unit(county):
    """Look a demo unit up by code: unit("YX-S01")."""
    from wenyun.network.selectors import unit_get

    return lambda code: unit_get(code=code)


@pytest.fixture
def api_client(county):
    """A Django test client sending a staff member's API token: api_client(user)."""
    from django.test import Client

    from wenyun.core.services import api_token_create

    def make(user):
        _row, token = api_token_create(username=user.username)
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


def pytest_collection_modifyitems(config, items):
    # Browser tests need Debian's chromium; where it is absent they skip, except in CI, which installs it.
    if os.path.exists("/usr/bin/chromium") or os.environ.get("WENYUN_REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed (make browser-deps installs it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    # `wenyun serve` leaves var/static/staticfiles.json behind, perhaps older than the code being tested:
    # tests name static files plainly (the live server serves them from the app folders); the hashed
    # storage is tested on its own in core/tests/test_web_basics.py.
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
