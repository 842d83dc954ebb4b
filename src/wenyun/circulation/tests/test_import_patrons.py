"""`wenyun import-patrons`: good rows import, each bad row is named with its line and reason."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wenyun.circulation import services
from wenyun.circulation.imports import patrons_import
from wenyun.circulation.models import Reader
from wenyun.core.errors import DomainError

from . import factories as f

pytestmark = pytest.mark.django_db

CSV = (
    "读者证号,姓名,密码,读者类型,所属单位,手机,身份证号,有效期\n"
    "M0001,赵一,2468,adult,YX-LIB,13800000001,11010519491231002X,2029-12-31\n"
    "M0002,钱二,,少儿,城关镇综合文化站,,,2028/06/30\n"
    "M0003,孙三,,adult,YX-LIB,,110105194912310021,\n"
    "M0004,李四,,学生,YX-LIB,,,\n"
    "M0005,周五,,adult,YX-NOPE,,,\n"
    "M0001,吴六,,adult,YX-LIB,,,\n"
    "M0007,,,adult,YX-LIB,,,\n"
    "M0008,郑八,,adult,YX-LIB,,,2029-02-30\n"
)


@pytest.fixture
def categories(county):
    f.category("adult", "成人")
    f.category("minor", "少儿")


def test_a_csv_from_another_system_imports_its_good_rows_and_names_each_bad_one(categories, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_bytes(CSV.encode("gb18030"))

    report = patrons_import(path=path)

    assert (report.rows, report.added) == (8, 2)
    assert report.problems == [
        {"line": 4, "card": "M0003", "reason": "The identity number's check digit is wrong: it should be X."},
        {"line": 5, "card": "M0004", "reason": "There is no reader category 学生."},
        {"line": 6, "card": "M0005", "reason": "There is no unit YX-NOPE."},
        {"line": 7, "card": "M0001", "reason": "The card number M0001 is already someone's card."},
        {"line": 8, "card": "M0007", "reason": "A reader needs a name of at most 60 characters."},
        {"line": 9, "card": "M0008", "reason": "The expiry date 2029-02-30 is not a date (YYYY-MM-DD)."},
    ]
    first = Reader.objects.get(card="M0001")
    assert (
        first.name,
        first.category.code,
        first.home_unit.code,
        first.expires_on,
        first.id_number_last4,
    ) == (
        "赵一",
        "adult",
        "YX-LIB",
        dt.date(2029, 12, 31),
        "002X",
    )
    assert services.reader_pin_check(reader=first, pin="2468") is True
    second = Reader.objects.get(card="M0002")
    assert (second.category.code, second.home_unit.code, second.expires_on) == (
        "minor",
        "YX-S01",
        dt.date(2028, 6, 30),
    )
    assert Reader.objects.filter(card__startswith="M").count() == 2


def test_an_xlsx_with_english_headers_imports(categories, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["card", "name", "category", "unit", "expires"])
    sheet.append(["X0001", "王小明", "adult", "YX-S01-V01", dt.datetime(2030, 1, 15)])
    path = tmp_path / "readers.xlsx"
    book.save(path)

    report = patrons_import(path=path)

    assert (report.rows, report.added, report.problems) == (1, 1, [])
    assert Reader.objects.get(card="X0001").expires_on == dt.date(2030, 1, 15)


def test_a_file_without_the_needed_columns_is_refused_whole(categories, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_text("card,name\nZ1,张\n", encoding="utf-8")

    with pytest.raises(DomainError) as refused:
        patrons_import(path=path)

    assert refused.value.message == "readers.csv has no category, unit column in its header row."
    assert not Reader.objects.filter(card="Z1").exists()


def test_the_command_reports_rejected_rows_and_writes_a_report(categories, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_patrons", str(path), "--report", str(tmp_path / "r.json"), stdout=out, stderr=err)

    assert out.getvalue().strip() == "readers.csv: 8 rows, 2 readers added, 6 rows refused."
    assert json.loads((tmp_path / "r.json").read_text())["problems"][0]["line"] == 4


def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("import_patrons", str(tmp_path / "nope.csv"))

    assert refused.value.returncode == 2


WRITTEN_BY_HAND = (
    "card,name,category,unit,phone,expires\n"
    "H0001,陈一,adult,YX-LIB,(519) 555 1234,2029/1/5\n"
    "H0002,陈二,adult,YX-LIB,+86 138-0000-0002,2029年1月5日\n"
    "H0003,陈三,adult,YX-LIB,１３８００００００03,２０２９-０１-０５\n"
    "Ｈ0004,陈四,,YX-LIB,,\n"
    "H0005,陈五, ,YX-LIB,call me,\n"
)


def test_phones_dates_and_full_width_digits_are_read_as_people_write_them(categories, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_text(WRITTEN_BY_HAND, encoding="utf-8")

    report = patrons_import(path=path, default_category="minor")

    assert (report.rows, report.added, report.defaulted) == (5, 4, 1)
    assert report.problems == [
        {
            "line": 6,
            "card": "H0005",
            "reason": "call me is not a phone number: give 5 to 15 digits (spaces, dashes and brackets may stay).",
        }
    ]
    readers = {r.card: r for r in Reader.objects.filter(card__startswith="H")}
    assert {card: (r.phone, r.expires_on, r.category.code) for card, r in readers.items()} == {
        "H0001": ("5195551234", dt.date(2029, 1, 5), "adult"),
        "H0002": ("13800000002", dt.date(2029, 1, 5), "adult"),
        "H0003": ("13800000003", dt.date(2029, 1, 5), "adult"),
        "H0004": ("", None, "minor"),
    }


def test_an_empty_category_takes_the_default_of_the_setting(categories, tmp_path, settings):
    settings.WENYUN_DEFAULT_READER_CATEGORY = "成人"
    path = tmp_path / "readers.csv"
    path.write_text("card,name,category,unit\nD0001,林一,,YX-LIB\nD0002,林二,少儿,YX-LIB\n", encoding="utf-8")

    report = patrons_import(path=path)

    assert (report.rows, report.added, report.defaulted, report.problems) == (2, 2, 1, [])
    assert Reader.objects.get(card="D0001").category.code == "adult"
    assert Reader.objects.get(card="D0002").category.code == "minor"


def test_an_empty_category_without_a_default_is_refused_with_a_sentence_saying_so(categories, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_text("card,name,category,unit\nD0001,林一,,YX-LIB\n", encoding="utf-8")

    report = patrons_import(path=path)

    assert (report.rows, report.added, report.defaulted) == (1, 0, 0)
    assert report.problems == [
        {
            "line": 2,
            "card": "D0001",
            "reason": "The row gives no reader category and there is no default category "
            "(--default-category or the setting WENYUN_DEFAULT_READER_CATEGORY).",
        }
    ]
    assert not Reader.objects.filter(card="D0001").exists()


def test_an_unknown_default_category_refuses_the_whole_file(categories, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_text("card,name,category,unit\nD0001,林一,,YX-LIB\n", encoding="utf-8")

    with pytest.raises(DomainError) as refused:
        patrons_import(path=path, default_category="retired")

    assert refused.value.message == (
        "There is no reader category retired (the default category for rows without one)."
    )
    assert not Reader.objects.filter(card="D0001").exists()


def test_the_command_takes_a_default_category_and_counts_the_rows_that_took_it(categories, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_text(
        "card,name,category,unit\nD0001,林一,,YX-LIB\nD0002,林二,adult,YX-LIB\n", encoding="utf-8"
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("import_patrons", str(path), "--default-category", "minor", stdout=out, stderr=err)

    assert out.getvalue().strip() == (
        "readers.csv: 2 rows, 2 readers added (1 with the default category), 0 rows refused."
    )
    assert Reader.objects.get(card="D0001").category.code == "minor"
