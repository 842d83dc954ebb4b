from __future__ import annotations

import datetime as dt

import pytest

from wenyun.core.errors import Refused
from wenyun.programs import selectors, services
from wenyun.programs.management.commands.import_digital_usage import import_rows
from wenyun.programs.models import DigitalResource, DigitalUsage, ProgramEvent


@pytest.fixture
def ebooks(lib, s01):
    resource = DigitalResource.objects.create(
        title="云溪数字图书馆", kind="ebooks", url="https://example.org/"
    )
    resource.units.set([lib, s01])
    return resource


@pytest.mark.django_db
class TestUsage:
    def test_a_month_entered_again_replaces_the_figures(self, ebooks, lib, library_staff):
        services.digital_usage_record(
            actor=library_staff, resource=ebooks, unit=lib, month=dt.date(2026, 3, 15), visits=10
        )
        services.digital_usage_record(
            actor=library_staff, resource=ebooks, unit=lib, month=dt.date(2026, 3, 1), visits=25, downloads=4
        )

        assert list(DigitalUsage.objects.values_list("month", "visits", "downloads")) == [
            (dt.date(2026, 3, 1), 25, 4)
        ]
        assert selectors.year_figures(unit=lib, year=2026)["digital_visits"] == 25
        assert ProgramEvent.objects.filter(type="digital_usage").count() == 2

    def test_use_at_a_unit_that_does_not_offer_the_resource_is_refused(self, ebooks, unit):
        with pytest.raises(Refused) as refused:
            services.digital_usage_record(
                actor=None, resource=ebooks, unit=unit("YX-S02"), month=dt.date(2026, 3, 1), visits=5
            )

        assert refused.value.message == "云溪数字图书馆 is not offered at 东坝镇综合文化站."
        assert DigitalUsage.objects.count() == 0


@pytest.mark.django_db
def test_the_import_takes_good_rows_and_names_the_bad_ones_by_line(ebooks):
    text = (
        "资源,单位,月份,访问次数,下载次数\n"
        "云溪数字图书馆,YX-LIB,2026-03,120,30\n"
        "云溪数字图书馆,YX-NOPE,2026-03,5,0\n"
        "云溪数字图书馆,YX-S01,March,5,0\n"
        "云溪数字图书馆,YX-S01,2026-03,五十,0\n"
        "云溪数字图书馆,YX-S01,2026-04,50,\n"
    )

    done, errors = import_rows(text)

    assert done == 2
    assert errors == [
        "line 3: there is no unit with the code YX-NOPE",
        "line 4: March is not a month like 2026-03",
        "line 5: visits and downloads must be whole numbers",
    ]
    assert sorted(DigitalUsage.objects.values_list("unit__code", "month", "visits")) == [
        ("YX-LIB", dt.date(2026, 3, 1), 120),
        ("YX-S01", dt.date(2026, 4, 1), 50),
    ]
