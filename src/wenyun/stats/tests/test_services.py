"""Figures entered by hand and door counts: who may enter them, what is refused, what is kept."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from wenyun.core.errors import DomainError, Forbidden
from wenyun.stats import services
from wenyun.stats.models import DoorCount, ManualFigure, StatsEvent

LAST_YEAR = timezone.localdate().year - 1


def test_a_station_manager_enters_a_figure_and_who_and_when_are_kept(station_manager, unit):
    figure = services.manual_figure_set(
        actor=station_manager, unit=unit("YX-S01-V02"), code="terminals", year=LAST_YEAR, value="6"
    )
    assert figure.value == Decimal("6.00")
    assert figure.entered_by == station_manager
    assert figure.entered_at is not None
    event = StatsEvent.objects.get()
    assert event.type == "figure_entered"
    assert event.details == {"code": "terminals", "year": LAST_YEAR, "value": "6.00", "previous": None}


def test_correcting_a_figure_keeps_the_previous_value_in_the_log(station_manager, unit):
    village = unit("YX-S01-V02")
    services.manual_figure_set(
        actor=station_manager, unit=village, code="terminals", year=LAST_YEAR, value="6"
    )
    services.manual_figure_set(
        actor=station_manager, unit=village, code="terminals", year=LAST_YEAR, value="8"
    )
    assert ManualFigure.objects.get().value == Decimal("8.00")
    changed = StatsEvent.objects.get(type="figure_changed")
    assert changed.details["previous"] == "6.00"
    assert changed.details["value"] == "8.00"


def test_a_manager_cannot_enter_a_figure_for_another_township(other_station_manager, unit):
    with pytest.raises(Forbidden) as caught:
        services.manual_figure_set(
            actor=other_station_manager, unit=unit("YX-S01-V02"), code="terminals", year=LAST_YEAR, value="6"
        )
    assert caught.value.code == "unit_forbidden"
    assert ManualFigure.objects.count() == 0
    assert StatsEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "year", "raw", "error"),
    [
        ("terminals", LAST_YEAR, "-1", "The value cannot be negative."),
        ("terminals", LAST_YEAR, "abc", "The value must be a number, not abc."),
        (
            "terminals",
            LAST_YEAR,
            "2.5",
            "Computer terminals for the public is counted in whole numbers, not 2.5.",
        ),
        ("terminals", 1990, "3", f"The year must be between 2000 and {LAST_YEAR + 1}, not 1990."),
        ("books_eaten", LAST_YEAR, "3", "books_eaten is not a figure that is entered by hand."),
    ],
)
def test_a_wrong_figure_is_refused_in_one_sentence_and_nothing_is_saved(
    unit, code, year, raw, error, settings
):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.manual_figure_set(actor=None, unit=unit("YX-LIB"), code=code, year=year, value=raw)
    assert caught.value.message == error
    assert ManualFigure.objects.count() == 0
    assert StatsEvent.objects.count() == 0


def test_a_door_count_for_a_day_to_come_is_refused(unit):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        services.door_count_set(actor=None, unit=unit("YX-LIB"), day=tomorrow, visits=5)
    assert caught.value.code == "stats_day_future"
    assert DoorCount.objects.count() == 0


def test_entering_a_day_again_replaces_it(library_staff, unit):
    day = dt.date(LAST_YEAR, 4, 1)
    services.door_count_set(actor=library_staff, unit=unit("YX-LIB"), day=day, visits=310)
    services.door_count_set(actor=library_staff, unit=unit("YX-LIB"), day=day, visits=301)
    assert list(DoorCount.objects.values_list("visits", flat=True)) == [301]
    assert StatsEvent.objects.get(type="door_count_changed").details == {
        "day": day.isoformat(),
        "visits": 301,
        "previous": 310,
    }


CSV = (
    "单位,日期,人次\n"
    f"YX-S01,{LAST_YEAR}-03-01,120\n"
    f"YX-S01-V01,{LAST_YEAR}/03/01,15\n"
    f"YX-NOPE,{LAST_YEAR}-03-01,3\n"
    f"YX-S01-V02,{LAST_YEAR}-13-01,3\n"
    f"YX-S01-V02,{LAST_YEAR}-03-01,many\n"
    f"YX-S01-V02,{LAST_YEAR}-03-01,-4\n"
    f"YX-S01,{LAST_YEAR}-03-01,99\n"
    f"YX-S02,{LAST_YEAR}-03-01,10\n"
)


def test_an_import_saves_the_good_rows_and_names_each_bad_row_by_its_line(station_manager):
    from django.utils import translation

    with translation.override("en"):
        report = services.door_counts_import(
            actor=station_manager, content=CSV.encode("gb18030"), filename="march.csv"
        )
    assert report.imported == 2
    assert report.errors == [
        {"line": 4, "message": "There is no unit with the code YX-NOPE."},
        {"line": 5, "message": f"{LAST_YEAR}-13-01 is not a date (write it as 2025-03-01)."},
        {"line": 6, "message": "Visits must be a whole number, not many."},
        {"line": 7, "message": "Visits cannot be negative."},
        {"line": 8, "message": f"YX-S01 on {LAST_YEAR}-03-01 is already on line 2."},
        {"line": 9, "message": "You may not change 东坝镇综合文化站: it is outside your unit."},
    ]
    assert sorted(DoorCount.objects.values_list("unit__code", "visits")) == [
        ("YX-S01", 120),
        ("YX-S01-V01", 15),
    ]
    assert set(DoorCount.objects.values_list("source", flat=True)) == {"imported"}
    assert StatsEvent.objects.get(type="door_counts_imported").details == {
        "file": "march.csv",
        "imported": 2,
        "replaced": 0,
        "errors": 6,
    }


def test_an_xlsx_import_reads_dates_typed_as_dates(county_admin):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit", "day", "visits"])
    sheet.append(["YX-LIB", dt.datetime(LAST_YEAR, 5, 4), 812])
    sheet.append(["YX-CC", f"{LAST_YEAR}-05-04", "96"])
    out = io.BytesIO()
    book.save(out)
    report = services.door_counts_import(actor=county_admin, content=out.getvalue(), filename="may.xlsx")
    assert (report.imported, report.errors) == (2, [])
    assert sorted(DoorCount.objects.values_list("unit__code", "day", "visits")) == [
        ("YX-CC", dt.date(LAST_YEAR, 5, 4), 96),
        ("YX-LIB", dt.date(LAST_YEAR, 5, 4), 812),
    ]


def test_a_file_without_the_needed_columns_is_refused_whole(county_admin):
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.door_counts_import(
            actor=county_admin, content=b"unit,when\nYX-LIB,2025-01-01\n", filename="x.csv"
        )
    assert caught.value.message == (
        "x.csv has no column for day, visits: the header row needs unit/单位, day/日期 and visits/人次."
    )
    with pytest.raises(DomainError) as caught:
        services.door_counts_import(actor=county_admin, content=b"not a workbook", filename="x.xlsx")
    assert caught.value.code == "stats_import_unreadable"
    assert DoorCount.objects.count() == 0
    assert StatsEvent.objects.count() == 0
