"""Files larger inside than outside: every import measures a file before reading it.

The case found: a 3.9 MB "XLSX" whose sheet unpacks to about 1 GB (7,000,000 rows), uploaded to the
items import page, kept a worker busy 170 s. Now its declared sizes and rows are read first, from the
zip's directory and the sheet's dimension, and it is refused in one sentence naming the limit.
"""

import io
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from wenyun.catalog import imports
from wenyun.catalog.models import Item, Record
from wenyun.circulation.models import Reader
from wenyun.core.errors import DomainError

HEADER = ["条码号", "记录号", "馆藏单位"]


def _workbook(rows: int, record_id: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append([f"L{n:04d}", record_id, "YX-LIB"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewritten(data: bytes, change) -> bytes:
    """The workbook with its parts passed through change(name, bytes) -> bytes, and more parts added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def _bomb() -> bytes:
    """A workbook of a few kilobytes whose sheet part holds 12 MB of rows (240,000 of them); the
    tests lower the limit to 10 MB, so that making the file does not take longer than the test."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_workbook(1))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                chunk = row * 20_000
                for _ in range(12):
                    part.write(chunk)
                part.write(b"</sheetData></worksheet>")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb_bytes():
    return _bomb()


@pytest.fixture
def bomb(bomb_bytes, settings):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    return bomb_bytes


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_any_part_is_read(shelf, bomb):
    assert len(bomb) < 4 * 1024 * 1024
    with (
        mock.patch.object(openpyxl, "load_workbook", side_effect=AssertionError("read")),
        pytest.raises(DomainError) as refused,
    ):
        imports.items_import(path="items.xlsx", content=bomb)
    assert refused.value.code == "file_too_large"
    assert refused.value.message == (
        "items.xlsx 解压后有 11.2 MB；导入的工作簿最多 10.0 MB（WENYUN_IMPORT_MAX_BYTES），请拆成较小的文件。"
    )
    assert Item.objects.count() == 4


def test_a_sheet_whose_dimension_declares_seven_million_rows_is_refused_before_its_rows_are_read(shelf):
    def declare(name, part):
        if name == "xl/worksheets/sheet1.xml":
            return part.replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:C7000000"/>')
        return part

    data = _rewritten(_workbook(2, shelf["huozhe"].pk), declare)
    with pytest.raises(DomainError) as refused:
        imports.items_import(path="items.xlsx", content=data)
    assert refused.value.message == (
        "items.xlsx 有 7,000,000 行；导入最多 200,000 行（WENYUN_IMPORT_MAX_ROWS），请拆成较小的文件。"
    )
    assert Item.objects.count() == 4


def test_a_sheet_with_more_rows_than_it_declares_stops_at_the_limit(shelf, settings):
    settings.IMPORT_MAX_ROWS = 10

    def hide(name, part):
        return part.replace(b'<dimension ref="A1:C31"/>', b"") if name == "xl/worksheets/sheet1.xml" else part

    data = _rewritten(_workbook(30, shelf["huozhe"].pk), hide)
    with pytest.raises(DomainError) as refused:
        imports.items_import(path="items.xlsx", content=data)
    assert refused.value.message == (
        "items.xlsx 超过 10 行，这是一次导入的上限（WENYUN_IMPORT_MAX_ROWS），请拆成较小的文件。"
    )
    assert Item.objects.count() == 4


def test_a_csv_with_more_lines_than_the_limit_is_refused_before_parsing(shelf, settings):
    settings.IMPORT_MAX_ROWS = 10
    data = (
        "条码号,记录号,馆藏单位\n" + "".join(f"L{n},{shelf['huozhe'].pk},YX-LIB\n" for n in range(10))
    ).encode()
    with pytest.raises(DomainError) as refused:
        imports.items_import(path="items.csv", content=data)
    assert refused.value.message == (
        "items.csv 有 11 行；导入最多 10 行（WENYUN_IMPORT_MAX_ROWS），请拆成较小的文件。"
    )
    assert Item.objects.count() == 4


def test_the_items_import_page_refuses_the_bomb_with_the_sentence(library_staff, shelf, bomb):
    client = Client()
    client.force_login(library_staff)
    upload = io.BytesIO(bomb)
    upload.name = "items.xlsx"
    response = client.post("/staff/catalog/import/items/", {"file": upload})
    assert response.status_code == 200
    assert "items.xlsx 解压后有 11.2 MB" in response.content.decode()
    assert Item.objects.count() == 4


def test_an_upload_larger_than_the_limit_is_refused_by_its_size_before_it_is_read(
    library_staff, shelf, settings
):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    client = Client()
    client.force_login(library_staff)
    upload = io.BytesIO(b"\x1d" * (2 * 1024 * 1024))
    upload.name = "big.mrc"
    response = client.post(
        "/staff/catalog/import/", {"file": upload, "owner": "YX-LIB", "flavour": "auto", "encoding": "auto"}
    )
    assert "big.mrc 有 2.0 MB；导入的文件最多 1.0 MB（WENYUN_IMPORT_MAX_BYTES），请拆成较小的文件。" in (
        response.content.decode()
    )
    assert Record.objects.count() == 3


def test_an_uploaded_marc_file_with_more_records_than_the_limit_is_refused(
    library_staff, shelf, settings, data_file
):
    settings.IMPORT_MAX_ROWS = 2
    client = Client()
    client.force_login(library_staff)
    with open(data_file("bad_records.mrc"), "rb") as fh:
        response = client.post(
            "/staff/catalog/import/", {"file": fh, "owner": "YX-LIB", "flavour": "auto", "encoding": "auto"}
        )
    assert "bad_records.mrc 有 " in response.content.decode()
    assert "导入最多 2 行（WENYUN_IMPORT_MAX_ROWS）" in response.content.decode()
    assert Record.objects.count() == 3


def test_import_patrons_refuses_the_bomb_and_saves_no_reader(shelf, bomb, tmp_path):
    path = tmp_path / "readers.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(CommandError) as refused:
        call_command("import_patrons", str(path))
    assert str(refused.value).startswith("readers.xlsx 解压后有 11.2 MB")
    assert Reader.objects.count() == 0
