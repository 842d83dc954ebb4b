from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wenyun.programs import services

# Monday 1 June 2026, ten in the morning: the tests' "now"; the activity is on Saturday the 6th.
NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 10, 0))
SATURDAY = timezone.make_aware(dt.datetime(2026, 6, 6, 9, 30))


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in the English source; the Chinese pages are tested in the browser tests."""
    from django.utils import translation

    with translation.override("en"):
        yield


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in June 2026."""
    return timezone.make_aware(dt.datetime(2026, 6, day, hour, minute))


@pytest.fixture
def lib(unit):
    return unit("YX-LIB")


@pytest.fixture
def s01(unit):
    return unit("YX-S01")


@pytest.fixture
def s02(unit):
    return unit("YX-S02")


@pytest.fixture
def v01(unit):
    return unit("YX-S01-V01")


@pytest.fixture
def cc(unit):
    return unit("YX-CC")


@pytest.fixture
def hall(lib):
    return services.venue_create(actor=None, unit=lib, name="报告厅", kind="hall", capacity=120)


@pytest.fixture
def room_s01(s01):
    return services.venue_create(actor=None, unit=s01, name="多功能活动室", capacity=40)


@pytest.fixture
def lecture(lib, hall):
    """A published lecture with three places, Saturday 6 June 9:30-11:00 in the library's hall."""
    return services.activity_create(
        actor=None,
        unit=lib,
        title="家风家训讲座",
        category="lecture",
        venue=hall,
        capacity=3,
        sessions=[(SATURDAY, SATURDAY + dt.timedelta(minutes=90))],
        registration_closes=at(5, 18),
        publish=True,
        at=NOW,
    )


@pytest.fixture
def make_reader(county):
    from wenyun.circulation.models import Reader, ReaderCategory
    from wenyun.network.selectors import unit_get

    category, _created = ReaderCategory.objects.get_or_create(code="adult", defaults={"name": "成人"})

    def make(card: str, name: str, phone: str = "", account=None):
        return Reader.objects.create(
            card=card,
            name=name,
            phone=phone,
            category=category,
            home_unit=unit_get(code="YX-LIB"),
            account=account,
        )

    return make
