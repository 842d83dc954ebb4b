"""The fields people search and sort on, copied out of a MARC 21 or UNIMARC/CNMARC record.

Holdings come from the fields exporting systems write: Koha's 952 for MARC 21 and, for CNMARC, the
local 905 field as CALIS and most Chinese systems write it. Which subfield means what is a small
table (`HOLDINGS_MAPS`) that an import may replace with its own (`--holdings-map FILE.json`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .isbn import Isbn, isbn_parse
from .marc import Field, MarcRecord

# Holdings field -> {our item attribute: subfield code}.
HOLDINGS_MAPS: dict[str, dict[str, dict[str, str]]] = {
    "marc21": {
        "952": {
            "home_unit": "a",
            "current_unit": "b",
            "location": "c",
            "acquired_on": "d",
            "price": "g",
            "call_number": "o",
            "barcode": "p",
            "item_type": "y",
            "withdrawn": "0",
            "lost": "1",
            "notes": "z",
        }
    },
    "unimarc": {
        "905": {
            "home_unit": "a",
            "barcode": "b",
            "location": "c",
            "class_part": "d",
            "book_part": "e",
            "price": "f",
            "item_type": "y",
            "notes": "z",
        }
    },
}

# The tags the import needs decoded (with those a holdings map names); the rest stay in the kept
# MARC untouched.
NEEDED_TAGS = frozenset(
    [
        "001",
        "003",
        "008",
        "010",
        "020",
        "041",
        "050",
        "084",
        "090",
        "093",
        "100",
        "101",
        "110",
        "111",
        "200",
        "210",
        "214",
        "245",
        "260",
        "264",
        "600",
        "601",
        "606",
        "607",
        "610",
        "650",
        "651",
        "690",
        "700",
        "701",
        "702",
        "710",
        "711",
        "712",
        "880",
        "905",
        "952",
    ]
)

_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")
_TRAILING_MARKS = "/:;,.="  # ISBD punctuation left at the end of a field


@dataclass
class Holding:
    barcode: str = ""
    home_unit: str = ""
    current_unit: str = ""
    location: str = ""
    call_number: str = ""
    item_type: str = ""
    price: str = ""
    acquired_on: str = ""
    status: str = "available"
    notes: str = ""


@dataclass
class Extracted:
    title: str
    # The title in its own script, from the 880 field linked to 245 (a record from a Western catalogue
    # keeps the Chinese or Japanese title there and a romanised one in 245).
    title_vernacular: str = ""
    responsibility: str = ""
    authors: list[str] = field(default_factory=list)
    publisher: str = ""
    year: int | None = None
    isbn: Isbn | None = None
    clc: str = ""
    call_number: str = ""
    language: str = ""
    subjects: list[str] = field(default_factory=list)
    control_number: str = ""
    control_source: str = ""
    holdings: list[Holding] = field(default_factory=list)


# MARC-8's non-sorting marks as they come through into Unicode (C1 controls); ASCII text has none.
_NON_SORTING = re.compile("[\x88\x89\x98\x9c]")


def _clean(text: str) -> str:
    # str.translate deletes characters one dict look-up at a time, a tenth of an import's extraction
    # time; nearly all text is ASCII and has nothing to delete.
    if not text.isascii():
        text = _NON_SORTING.sub("", text)
    text = text.strip()
    # Trailing punctuation and the spaces around it, as [\s/:;,.=]+$ would match it, without a regular
    # expression: most fields end in ISBD punctuation.
    while text and text[-1] in _TRAILING_MARKS:
        text = text.rstrip(_TRAILING_MARKS).rstrip()
    return text


def _year(text: str) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def extract(
    record: MarcRecord, *, flavour: str, holdings_map: dict[str, dict[str, str]] | None = None
) -> Extracted:
    result = _extract_unimarc(record) if flavour == "unimarc" else _extract_marc21(record)
    table = holdings_map if holdings_map is not None else HOLDINGS_MAPS.get(flavour, {})
    for tag, mapping in table.items():
        for f in record.get_fields(tag):
            result.holdings.append(_holding(f, mapping))
    result.title = result.title[:500]
    result.responsibility = result.responsibility[:500]
    result.publisher = result.publisher[:255]
    result.clc = result.clc[:40]
    result.call_number = result.call_number[:60]
    result.control_number = result.control_number[:60]
    return result


def _holding(f, mapping: dict[str, str]) -> Holding:
    values = {name: f.get(code).strip() for name, code in mapping.items()}
    h = Holding(
        barcode=values.get("barcode", "")[:32],
        home_unit=values.get("home_unit", ""),
        current_unit=values.get("current_unit", "") or values.get("home_unit", ""),
        location=values.get("location", "")[:60],
        item_type=values.get("item_type", ""),
        price=values.get("price", ""),
        acquired_on=values.get("acquired_on", ""),
        notes=values.get("notes", "")[:255],
    )
    if values.get("class_part") or values.get("book_part"):
        h.call_number = "/".join(p for p in (values.get("class_part"), values.get("book_part")) if p)[:60]
    else:
        h.call_number = values.get("call_number", "")[:60]
    if values.get("withdrawn") not in (None, "", "0"):
        h.status = "withdrawn"
    elif values.get("lost") not in (None, "", "0"):
        h.status = "lost"
    return h


def _first_isbn(values: list[str]) -> Isbn | None:
    """The first valid ISBN, else the first one read (kept, flagged invalid)."""
    first = None
    for value in values:
        parsed = isbn_parse(value)
        if parsed is None:
            continue
        if parsed.valid:
            return parsed
        first = first or parsed
    return first


_MARC21_MAIN = frozenset(("100", "110", "111"))
_MARC21_ADDED = frozenset(("700", "710", "711"))
_MARC21_SUBJECTS = frozenset(("600", "610", "650", "651"))
_MARC21_CLASSES = frozenset(("084", "093"))
_LANGUAGE_CODE = re.compile(r"[a-z]{3}")


def _extract_marc21(record: MarcRecord) -> Extracted:
    # One pass over the fields (an import does this a quarter of a million times): the first of each
    # tag, and the repeatable fields in record order.
    first: dict[str, Field] = {}
    main = None
    added: list[Field] = []
    subject_fields: list[Field] = []
    classes: list[Field] = []
    isbn_fields: list[Field] = []
    vernacular: list[Field] = []  # 880: another script of the field its $6 names (245-01, 100-02 ...)
    for f in record.fields:
        tag = f.tag
        if tag not in first:
            first[tag] = f
        if tag in _MARC21_ADDED:
            added.append(f)
        elif tag in _MARC21_SUBJECTS:
            subject_fields.append(f)
        elif tag == "020":
            isbn_fields.append(f)
        elif tag in _MARC21_CLASSES:
            classes.append(f)
        elif tag == "880":
            vernacular.append(f)
        elif main is None and tag in _MARC21_MAIN:
            main = f
    f245 = first.get("245")
    title = _clean(f245.text("abnp")) if f245 else ""
    statement = _clean(f245.get("c")) if f245 else ""
    authors = [_clean(main.text("abcdq"))] if main else []
    authors += [_clean(f.text("abcdq")) for f in added]
    f264 = first.get("264") or first.get("260")
    publisher = _clean(f264.get("b")) if f264 else ""
    f008 = first["008"].value if "008" in first else ""
    year = _year(f008[7:11]) if len(f008) >= 11 and f008[7:11].isdigit() else None
    if year is None and f264:
        year = _year(f264.get("c"))
    language = f008[35:38].strip() if len(f008) >= 38 else ""
    if not _LANGUAGE_CODE.fullmatch(language):
        f041 = first.get("041")
        language = f041.get("a")[:3] if f041 else ""
    clc = ""
    for f in classes:
        if f.tag == "093" or f.get("2").lower() in ("clc", "cclc", ""):
            clc = f.get("a").strip()
            if clc:
                break
    call_number = ""
    f090 = first.get("090")
    f050 = first.get("050")
    if f090:
        call_number = "/".join(p for p in (f090.get("a").strip(), f090.get("b").strip()) if p)
    elif f050:
        call_number = " ".join(p for p in (f050.get("a").strip(), f050.get("b").strip()) if p)
    subjects = [_clean(f.text("abcdvxyz")) for f in subject_fields if f.get("a")]
    title_vernacular = ""
    for f in vernacular:
        linked = f.get("6")[:3]
        if linked == "245" and not title_vernacular:
            title_vernacular = _clean(f.text("abnp"))
        elif linked in _MARC21_MAIN or linked in _MARC21_ADDED:
            authors.append(_clean(f.text("abcdq")))
        elif linked in _MARC21_SUBJECTS and f.get("a"):
            subjects.append(_clean(f.text("abcdvxyz")))
    return Extracted(
        title=title,
        title_vernacular=title_vernacular[:500],
        responsibility=statement or (authors[0] if authors else ""),
        authors=[a for a in authors if a],
        publisher=publisher,
        year=year,
        isbn=_first_isbn([f.get("a") for f in isbn_fields]) if isbn_fields else None,
        clc=clc,
        call_number=call_number or clc,
        language=language,
        subjects=[s for s in subjects if s],
        control_number=first["001"].value.strip() if "001" in first else "",
        control_source=first["003"].value.strip() if "003" in first else "",
    )


def _extract_unimarc(record: MarcRecord) -> Extracted:
    f200 = record.first("200")
    title = ""
    statement = ""
    if f200:
        title = _clean(" ".join(p for p in [f200.get("a"), *f200.get_all("e")] if p.strip()))
        if f200.get_all("e"):
            title = _clean(f200.get("a")) + " : " + " : ".join(_clean(e) for e in f200.get_all("e"))
        statement = _clean("; ".join(v for v in f200.get_all("f") + f200.get_all("g") if v.strip()))
    authors = [
        _clean(f.text("ab").replace(" ", "")) if _has_cjk(f.get("a")) else _clean(f.text("ab"))
        for f in record.get_fields("700", "701", "702", "710", "711", "712")
    ]
    f210 = record.first("210") or record.first("214")
    publisher = _clean(f210.get("c")) if f210 else ""
    year = _year(f210.get("d")) if f210 else None
    f100 = record.first("100")
    if year is None and f100 and len(f100.get("a")) >= 13:
        year = _year(f100.get("a")[9:13])
    f101 = record.first("101")
    clc = ""
    f690 = record.first("690")
    if f690:
        clc = f690.get("a").strip()
    call_number = ""
    f905 = record.first("905")
    if f905 and (f905.get("d") or f905.get("e")):
        call_number = "/".join(p.strip() for p in (f905.get("d"), f905.get("e")) if p.strip())
    subjects = [
        _clean(" -- ".join(v for c, v in f.subfields if c in "abjxyz" and v.strip()))
        for f in record.get_fields("600", "601", "606", "607")
    ]
    return Extracted(
        title=title,
        responsibility=statement or (authors[0] if authors else ""),
        authors=[a for a in authors if a],
        publisher=publisher,
        year=year,
        isbn=_first_isbn([f.get("a") for f in record.get_fields("010")]),
        clc=clc,
        call_number=call_number or clc,
        language=(f101.get("a")[:3] if f101 else ""),
        subjects=[s for s in subjects if s],
        control_number=record.control("001").strip(),
        control_source=record.control("003").strip(),
    )


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)
