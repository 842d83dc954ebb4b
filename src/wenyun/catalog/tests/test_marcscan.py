"""The compiled field loop (_marcscan.c) reads every record as the Python loop in marc.py does.

Each record is read twice, once with the compiled loop and once without, and the two outcomes (the
record, or the sentence saying what is wrong with it) must be the same: for the real and broken files
of the test folder, and for records with bytes changed at random.
"""

from pathlib import Path
from unittest import mock

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenyun.catalog import marc
from wenyun.catalog.extract import NEEDED_TAGS
from wenyun.catalog.marc import Field, MarcError, MarcRecord, parse_iso2709, split_iso2709, to_iso2709

pytestmark = pytest.mark.skipif(marc._scan is None, reason="the C extension was not built")

DATA = Path(__file__).parent / "data"
ISO_FILES = sorted(p for p in DATA.iterdir() if p.suffix in (".mrc", ".dat", ".iso"))


def _outcome(chunk: bytes, **kwargs):
    try:
        return parse_iso2709(chunk, **kwargs)
    except MarcError as exc:
        return ("refused", str(exc))


def _both(chunk: bytes, **kwargs):
    compiled = _outcome(chunk, **kwargs)
    with mock.patch.object(marc, "_scan", None):
        python = _outcome(chunk, **kwargs)
    return compiled, python


def _chunks() -> list[bytes]:
    chunks = []
    for path in ISO_FILES:
        chunks += [c for _pos, c in split_iso2709(path.read_bytes()) if isinstance(c, bytes)]
    return chunks


SAMPLE = _chunks()


def test_the_test_files_hold_what_this_test_needs():
    # Records read by the compiled loop, and records it hands back to Python as unusual.
    assert len(ISO_FILES) >= 8 and len(SAMPLE) >= 25
    with translation.override("en"):
        outcomes = [_both(c)[0] for c in SAMPLE]
    assert sum(isinstance(o, MarcRecord) for o in outcomes) >= 20
    assert sum(isinstance(o, tuple) for o in outcomes) >= 2


@pytest.mark.parametrize("path", ISO_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("encoding", ["auto", "utf-8", "marc8", "gb18030"])
def test_every_record_of_the_test_files_reads_the_same(path, encoding):
    chunks = [c for _pos, c in split_iso2709(path.read_bytes()) if isinstance(c, bytes)]
    assert chunks
    with translation.override("en"):
        for chunk in chunks:
            for tags in (None, NEEDED_TAGS, frozenset({"245", "FMT", "9XX"})):
                compiled, python = _both(chunk, encoding=encoding, tags=tags)
                assert compiled == python


def test_a_field_past_the_end_and_a_bad_subfield_code_are_named_as_before():
    record = MarcRecord(
        "00000nam a2200000 a 4500",
        [Field("001", value="1"), Field("245", "", "10", [("a", "三体"), ("c", "刘慈欣")])],
    )
    good = to_iso2709(record)
    compiled, python = _both(good)
    assert compiled == python and compiled.fields == record.fields
    entry = good.index(b"245", 24)  # the field's directory entry: tag, length (4 digits), start
    cases = {
        good.replace(b"\x1fc", b"\x1f "): "field 245 has a subfield code ' ' that is not a letter or digit",
        good.replace(
            b"\x1fc", b"\x1f\x1f"
        ): "field 245 has a subfield code '\\x1f' that is not a letter or digit",
        good.replace("三".encode(), b"\xff\xfe\xfd"): "field 245 is not valid utf-8",
        good[: entry + 3] + b"0999" + good[entry + 7 :]: "field 245 runs past the end of the record",
        good[: entry + 3] + b"0x99" + good[entry + 7 :]: "directory entry 2 ('2450x9900002') is not numeric",
    }
    with translation.override("en"):
        for chunk, reason in cases.items():
            assert _both(chunk, encoding="utf-8") == (("refused", reason),) * 2


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0),
    changes=st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from([0x1F, 0x1E, 0x1D, 0x20, 0x30, 0x39, 0x61, 0x80, 0xC3, 0xE4, 0xFF, 0x00]),
        ),
        min_size=1,
        max_size=4,
    ),
    encoding=st.sampled_from(["auto", "utf-8", "marc8"]),
    needed=st.booleans(),
)
def test_records_with_bytes_changed_at_random_read_the_same(index, changes, encoding, needed):
    chunk = bytearray(SAMPLE[index % len(SAMPLE)])
    for at, byte in changes:
        chunk[at % len(chunk)] = byte
    with translation.override("en"):
        compiled, python = _both(bytes(chunk), encoding=encoding, tags=NEEDED_TAGS if needed else None)
    assert compiled == python


def test_bytes_in_a_bytearray_or_memoryview_read_as_bytes_do():
    for chunk in SAMPLE:
        assert _outcome(bytearray(chunk)) == _outcome(memoryview(chunk)) == _outcome(chunk)
