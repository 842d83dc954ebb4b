"""`import-marc`: what is read, what is skipped and why, re-importing, holdings, batches, export."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from wenyun.catalog import imports
from wenyun.catalog.models import CatalogEvent, Item, Record


@pytest.fixture(autouse=True)
def english():
    """The reasons are checked in English here; the views' tests check them in Chinese."""
    with translation.override("en"):
        yield


def _import(data_file, name, unit, **kwargs):
    with open(data_file(name), "rb") as fh:
        return imports.marc_import(stream=fh, owner=unit("YX-LIB"), name=name, **kwargs)


def test_a_chinese_marc21_file_imports_its_records_and_the_copies_in_952(item_types, data_file, unit):
    report = _import(data_file, "chinese-marc21-utf8.mrc", unit)
    assert (report.read, report.added, report.skipped, report.invalid_isbns) == (4, 4, 0, 1)
    assert (report.items_added, report.items_skipped) == (6, 1)
    santi = Record.objects.get(source="TESTLIB", control_number="CN0001")
    assert (santi.title, santi.responsibility, santi.publisher, santi.year, santi.isbn, santi.clc) == (
        "三體",
        "劉慈欣著",
        "重庆出版社",
        2008,
        "9787536692930",
        "I247.55",
    )
    assert sorted(santi.items.values_list("barcode", "home_unit__code")) == [
        ("T0000001", "YX-LIB"),
        ("T0000002", "YX-LIB"),
        ("T0000003", "YX-S01"),
    ]
    flagged = Record.objects.get(control_number="CN0003")
    assert (flagged.isbn, flagged.isbn_raw, flagged.isbn_valid) == ("", "9787536692931", False)
    # The copy with an unknown unit code stays at the importing unit and the report says so.
    assert Item.objects.get(barcode="T0000006").home_unit.code == "YX-LIB"
    assert [p["reason"] for p in report.item_problems] == [
        "unknown unit NOWHERE: the copy is at YX-LIB",
        "the holding has no barcode",
    ]


def test_importing_the_same_file_again_changes_nothing(item_types, data_file, unit):
    _import(data_file, "chinese-marc21-utf8.mrc", unit)
    before = (Record.objects.count(), Item.objects.count())
    report = _import(data_file, "chinese-marc21-utf8.mrc", unit)
    assert (report.added, report.updated, report.unchanged, report.items_added, report.items_unchanged) == (
        0,
        0,
        4,
        0,
        6,
    )
    assert (Record.objects.count(), Item.objects.count()) == before


def _retitled(data: bytes, title: str) -> bytes:
    """The file's first record with another title in 245$a."""
    from wenyun.catalog.marc import parse_iso2709, split_iso2709, to_iso2709

    _pos, chunk = next(iter(split_iso2709(data)))
    record = parse_iso2709(chunk, encoding="utf-8")
    record.raw = b""
    f245 = record.first("245")
    f245.subfields = [("a", title) if code == "a" else (code, value) for code, value in f245.subfields]
    return to_iso2709(record)


def test_a_record_read_twice_in_one_batch_is_stored_once_as_last_read(item_types, data_file, unit):
    from wenyun.catalog.selectors import catalog_search

    data = data_file("chinese-marc21-utf8.mrc").read_bytes()
    changed = _retitled(data, "球状闪电")
    report = imports.marc_import(stream=data + changed, owner=unit("YX-LIB"), name="twice")
    assert (report.read, report.added, report.updated, report.unchanged) == (5, 4, 1, 0)
    stored = Record.objects.get(source="TESTLIB", control_number="CN0001")
    assert (stored.title, bytes(stored.marc)) == ("球状闪电", changed)
    assert [hit.record.pk for hit in catalog_search(q="球状闪电").hits] == [stored.pk]
    assert catalog_search(q="三體").count == 0


def test_a_changed_record_updates_the_earlier_import_and_its_search_row(item_types, data_file, unit):
    from wenyun.catalog.selectors import catalog_search

    data = data_file("chinese-marc21-utf8.mrc").read_bytes()
    imports.marc_import(stream=data, owner=unit("YX-LIB"), name="first")
    before = Record.objects.get(source="TESTLIB", control_number="CN0001")
    changed = _retitled(data, "球状闪电")
    report = imports.marc_import(stream=changed, owner=unit("YX-LIB"), name="again")
    assert (report.read, report.added, report.updated, report.unchanged) == (1, 0, 1, 0)
    after = Record.objects.get(pk=before.pk)
    assert (after.title, after.isbn, bytes(after.marc)) == ("球状闪电", before.isbn, changed)
    assert Record.objects.count() == 4
    assert [hit.record.pk for hit in catalog_search(q="球状闪电").hits] == [before.pk]


def test_a_record_from_another_source_with_the_same_isbn_is_matched_not_added(
    item_types, data_file, unit, shelf
):
    report = _import(data_file, "chinese-marc21-utf8.mrc", unit)
    assert (report.added, report.matched_by_isbn) == (3, 1)
    assert set(Item.objects.filter(barcode__startswith="T000000").values_list("record", flat=True)) >= {
        shelf["santi"].pk
    }


def test_broken_records_are_skipped_with_position_and_reason_and_the_rest_import(item_types, data_file, unit):
    report = _import(data_file, "bad_records.mrc", unit)
    assert (report.read, report.added, report.unchanged, report.skipped) == (9, 1, 1, 7)
    assert report.problems[0] == {
        "record": 2,
        "offset": 127,
        "reason": "the base address of data (99937) is outside the record",
    }


def test_cnmarc_in_gb18030_imports_with_its_905_holdings(item_types, data_file, unit):
    report = _import(data_file, "chinese-cnmarc-gb18030.iso", unit)
    assert (report.added, report.items_added, report.encodings) == (2, 2, {"gb18030": 2})
    record = Record.objects.get(control_number="012000002")
    assert (record.title, record.marc_format, record.clc) == ("骆驼祥子", "unimarc", "I246.5")
    item = Item.objects.get(barcode="G0000002")
    assert (item.home_unit.code, item.call_number, str(item.price)) == ("YX-S02", "I246.5/12", "35.00")


def test_a_failure_in_a_later_batch_leaves_the_earlier_batches_whole(
    item_types, data_file, unit, monkeypatch
):
    from wenyun.catalog import imports

    real = imports._store_items
    calls = {"n": 0}

    def failing(targets, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(targets, **kwargs)

    monkeypatch.setattr(imports, "_store_items", failing)
    with pytest.raises(KeyboardInterrupt):
        _import(data_file, "chinese-marc21-utf8.mrc", unit, batch_size=1)
    assert sorted(Record.objects.values_list("control_number", flat=True)) == ["CN0001", "CN0002"]
    assert Item.objects.count() == 4


def test_worker_processes_import_exactly_what_one_process_does(item_types, data_file, unit, monkeypatch):
    """Large files are prepared in worker processes: the same records, bytes, copies and report."""
    from django.db import transaction

    from wenyun.catalog import imports

    names = [
        "chinese-marc21-utf8.mrc",
        "chinese-cnmarc-gb18030.iso",
        "marc8.dat",
        "test.dat",
        "bad_records.mrc",
    ]
    data = b"".join(data_file(name).read_bytes() for name in names)

    def run(workers):
        report = imports.marc_import(stream=data, owner=unit("YX-LIB"), name="mixed", workers=workers)
        summary = {k: v for k, v in report.as_dict().items() if k != "seconds"}
        stored = list(
            Record.objects.order_by("pk").values_list("source", "control_number", "title", "isbn", "marc")
        )
        copies = sorted(Item.objects.values_list("barcode", "record__control_number", "home_unit__code"))
        return summary, [(*r[:4], bytes(r[4])) for r in stored], copies

    with transaction.atomic():
        alone = run(1)
        transaction.set_rollback(True)
    monkeypatch.setattr(imports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(imports, "WORKER_CHUNK", 3)
    together = run(2)
    summary = alone[0]
    assert (summary["read"], summary["added"], summary["skipped"], summary["items_added"]) == (26, 18, 7, 8)
    assert summary["encodings"] == {"utf-8": 16, "gb18030": 2, "marc8": 1}
    assert together[0] == alone[0]
    assert together[1] == alone[1]
    assert together[2] == alone[2]


def test_the_command_writes_a_json_report_and_problems_on_stderr(
    item_types, data_file, unit, tmp_path, capsys
):
    report_path = tmp_path / "report.json"
    call_command(
        "import_marc", str(data_file("bad_records.mrc")), "--owner", "YX-LIB", "--report", str(report_path)
    )
    captured = capsys.readouterr()
    assert (
        "bad_records.mrc: skipped record 2 (byte 127): the base address of data (99937) is outside the record"
        in captured.err
    )
    summary = json.loads(report_path.read_text())
    assert (summary["read"], summary["skipped"], len(summary["problems"])) == (9, 7, 7)
    assert CatalogEvent.objects.filter(type="marc_imported").count() == 1


def test_the_command_speaks_chinese_by_default(item_types, data_file, unit, capsys):
    with translation.override("zh-hans"):
        call_command("import_marc", str(data_file("bad_records.mrc")), "--owner", "YX-LIB")
    captured = capsys.readouterr()
    assert "bad_records.mrc：读取 9 条记录，新增 1，更新 0，未变 1" in captured.out
    assert (
        "bad_records.mrc：跳过第 2 条记录（第 127 字节）：数据基地址（99937）超出了记录范围" in captured.err
    )


def test_the_command_refuses_an_unknown_owner_and_imports_nothing(county, data_file):
    with pytest.raises(CommandError, match="There is no unit with the code NOPE"):
        call_command("import_marc", str(data_file("test.dat")), "--owner", "NOPE")
    assert Record.objects.count() == 0


def test_export_writes_back_every_field_as_imported(item_types, data_file, unit):
    original = data_file("chinese-marc21-utf8.mrc").read_bytes()
    _import(data_file, "chinese-marc21-utf8.mrc", unit)
    out = io.BytesIO()
    assert imports.marc_export(out=out).records == 4
    assert out.getvalue() == original


def test_export_as_marcxml_reads_back_the_same_records(item_types, data_file, unit):
    from wenyun.catalog.marc import read_marcxml

    _import(data_file, "test.dat", unit)
    out = io.BytesIO()
    count = imports.marc_export(out=out, format="marcxml").records
    again = [r for _p, r in read_marcxml(out.getvalue())]
    assert len(again) == count == Record.objects.count()
    first = Record.objects.order_by("pk").first()
    from wenyun.catalog.marc import parse_iso2709

    kept = parse_iso2709(bytes(first.marc), encoding="utf-8")
    assert [(f.tag, f.value, f.subfields) for f in again[0].fields] == [
        (f.tag, f.value, f.subfields) for f in kept.fields
    ]


def test_export_marc_command_writes_the_file(item_types, data_file, unit, tmp_path):
    _import(data_file, "chinese-marc21-utf8.mrc", unit)
    out = tmp_path / "out.xml"
    call_command("export_marc", "--out", str(out), "--format", "marcxml")
    assert out.read_text(encoding="utf-8").count("<record>") == 4


def test_a_holdings_map_can_name_another_field(item_types, data_file, unit, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"905": {"home_unit": "a", "barcode": "b", "class_part": "d", "book_part": "e"}})
    )
    call_command(
        "import_marc",
        str(data_file("chinese-cnmarc-gb18030.iso")),
        "--owner",
        "YX-LIB",
        "--holdings-map",
        str(mapping),
    )
    assert sorted(Item.objects.values_list("barcode", "call_number")) == [
        ("G0000001", "I242.47/12"),
        ("G0000002", "I246.5/12"),
    ]


def test_a_holdings_map_may_name_a_field_the_import_does_not_otherwise_read(item_types, data_file, unit):
    from wenyun.catalog.marc import parse_iso2709, split_iso2709, to_iso2709

    chunks = [c for _p, c in split_iso2709(data_file("chinese-marc21-utf8.mrc").read_bytes())]
    records = [parse_iso2709(c) for c in chunks]
    for record in records:  # the copies move from Koha's 952 to a local 949
        for f in record.get_fields("952"):
            f.tag = "949"
        record.raw = b""
    data = b"".join(to_iso2709(r) for r in records)
    report = imports.marc_import(
        stream=data,
        owner=unit("YX-LIB"),
        holdings_map={"949": {"home_unit": "a", "barcode": "p", "call_number": "o"}},
    )
    assert (report.added, report.items_added) == (4, 6)
    assert Item.objects.get(barcode="T0000003").home_unit.code == "YX-S01"


def test_import_items_command_reports_bad_rows_on_stderr(shelf, tmp_path, capsys):
    path = tmp_path / "items.csv"
    path.write_text(
        f"barcode,record_id,unit\nK1,{shelf['santi'].pk},YX-LIB\nK2,999999,YX-LIB\n", encoding="utf-8"
    )
    call_command("import_items", str(path))
    assert "items.csv, line 3: there is no record number 999999" in capsys.readouterr().err
    assert Item.objects.filter(barcode__in=["K1", "K2"]).count() == 1


def test_a_record_with_no_control_number_or_isbn_is_matched_by_its_bytes(item_types, unit):
    """Twice in one file it is one record; imported again it is unchanged; a record that differs
    only by a letter is another record."""
    from wenyun.catalog.marc import Field, MarcRecord, to_iso2709

    def record(title: str) -> bytes:
        fields = [
            Field("008", "260101s2020    ch            000 0 chi d"),
            Field("245", indicators="10", subfields=[("a", title)]),
        ]
        return to_iso2709(MarcRecord(leader="00000nam a2200000 a 4500", fields=fields))

    data = record("乡村图书室手册") + record("乡村图书室手册") + record("乡村图书室手则")
    first = imports.marc_import(stream=data, owner=unit("YX-LIB"), source="NOIDS")
    assert (first.read, first.added, first.unchanged) == (3, 2, 1)
    again = imports.marc_import(stream=data, owner=unit("YX-LIB"), source="NOIDS")
    assert (again.read, again.added, again.unchanged) == (3, 0, 3)
    assert sorted(Record.objects.filter(source="NOIDS").values_list("title", flat=True)) == sorted(
        ["乡村图书室手册", "乡村图书室手则"]
    )
