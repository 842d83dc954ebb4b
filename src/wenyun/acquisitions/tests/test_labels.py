"""Spine and barcode labels: the papers' grids, what each label says, and the copies that cannot have one."""

from __future__ import annotations

import pytest

from wenyun.acquisitions import labels, selectors, services
from wenyun.acquisitions.labels import LabelCopy, Slot
from wenyun.core.errors import DomainError

from .helpers import isbn
from .pdfs import barcodes, page_count, texts


def copies(n: int, **given) -> list[LabelCopy]:
    return [
        LabelCopy(
            **{
                "barcode": f"A{k:07d}",
                "call_number": f"I247.57/{k}",
                "unit": "石桥村",
                "library": "云溪县图书馆",
                **given,
            }
        )
        for k in range(1, n + 1)
    ]


# -- the papers' grids ----------------------------------------------------------------------------------


def test_the_papers_are_data_with_their_counts():
    assert {paper.code: paper.per_sheet for paper in labels.label_papers()} == {
        "a4-3x8": 24,
        "a4-4x10": 40,
        "a4-5x13": 65,
        "roll-40x30": 1,
    }
    for paper in labels.label_papers():  # every grid lies on its page
        width = paper.margin[0] + (paper.columns - 1) * paper.pitch[0] + paper.label[0]
        height = paper.margin[1] + (paper.rows - 1) * paper.pitch[1] + paper.label[1]
        assert width <= paper.page[0] and height <= paper.page[1], paper.code


def test_slots_fill_rows_left_to_right_from_the_first_unused_label():
    paper = labels.label_paper("a4-3x8")
    slots = labels.label_slots(paper=paper, count=30, start_at=5)
    assert slots[0] == Slot(page=0, column=1, row=1)  # the 5th label: second row, middle
    assert slots[19] == Slot(page=0, column=2, row=7)  # the 24th, the sheet's last
    assert slots[20] == Slot(page=1, column=0, row=0)
    assert len({(s.page, s.row, s.column) for s in slots}) == 30


def test_a_paper_is_chosen_by_its_code_as_people_type_it():
    assert labels.label_paper(" A4-5X13 ").per_sheet == 65


@pytest.mark.parametrize("start_at", [0, 25, -1])
def test_a_first_label_off_the_sheet_is_refused(start_at):
    with pytest.raises(DomainError) as refused:
        labels.labels_pdf(copies=copies(1), paper="a4-3x8", kind="spine", start_at=start_at)
    assert refused.value.code == "label_start_invalid"
    assert str(refused.value) == f"The first label must be between 1 and 24 on this paper, not {start_at}."


def test_a_roll_starts_at_its_first_label():
    with pytest.raises(DomainError):
        labels.labels_pdf(copies=copies(1), paper="roll-40x30", kind="barcode", start_at=2)
    assert page_count(labels.labels_pdf(copies=copies(3), paper="roll-40x30", kind="both")) == 6


def test_an_unknown_paper_is_refused_with_the_papers_there_are():
    with pytest.raises(DomainError) as refused:
        labels.labels_pdf(copies=copies(1), paper="a5-2x4", kind="spine")
    assert refused.value.code == "label_paper_unknown"
    assert "a4-3x8, a4-4x10, a4-5x13, roll-40x30" in str(refused.value)


def test_an_unknown_kind_and_no_copies_are_refused():
    with pytest.raises(DomainError) as refused:
        labels.labels_pdf(copies=copies(1), paper="a4-3x8", kind="qr")
    assert refused.value.code == "label_kind_unknown"
    with pytest.raises(DomainError) as refused:
        labels.labels_pdf(copies=[], paper="a4-3x8", kind="spine")
    assert refused.value.code == "labels_empty"


# -- the PDF ---------------------------------------------------------------------------------------------


def test_thirty_labels_on_a_sheet_of_24_take_two_pages():
    pdf = labels.labels_pdf(copies=copies(30), paper="a4-3x8", kind="spine")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 2


def test_used_labels_push_the_rest_onto_the_next_sheet():
    assert page_count(labels.labels_pdf(copies=copies(24), paper="a4-3x8", kind="spine")) == 1
    assert page_count(labels.labels_pdf(copies=copies(24), paper="a4-3x8", kind="spine", start_at=2)) == 2


def test_both_kinds_print_two_labels_a_copy():
    assert page_count(labels.labels_pdf(copies=copies(12), paper="a4-3x8", kind="both")) == 1
    assert page_count(labels.labels_pdf(copies=copies(13), paper="a4-3x8", kind="both")) == 2
    assert page_count(labels.labels_pdf(copies=copies(33), paper="a4-5x13", kind="both")) == 2


def test_a_spine_label_has_the_class_over_the_number_and_the_unit():
    pdf = labels.labels_pdf(
        copies=copies(1, call_number="I247.57/12"), paper="a4-4x10", kind="spine", compress=False
    )
    shown = texts(pdf)
    assert [text for text in shown if text in ("I247.57", "12")] == ["I247.57", "12"]
    assert "石桥村" in shown
    assert "A0000001" not in shown
    assert b"/BaseFont /STSong-Light" in pdf  # the CID font: no font file on the server
    assert b"/FontFile" not in pdf


def test_a_barcode_label_has_the_barcode_under_its_bars_and_the_library_over_them():
    pdf = labels.labels_pdf(copies=copies(2), paper="a4-5x13", kind="barcode", compress=False)
    shown = texts(pdf)
    assert {"A0000001", "A0000002", "云溪县图书馆"} <= set(shown)
    assert "I247.57" not in shown
    symbols = barcodes(pdf)
    assert len(symbols) == 2
    for widths in symbols:  # bars and spaces in modules: Code 128's start B, symbols of 11, its stop
        assert widths[:6] == [2, 1, 1, 2, 1, 4]
        assert widths[-7:] == [2, 3, 3, 1, 1, 1, 2]
        assert (len(widths) - 7) % 6 == 0 and (sum(widths) - 13) % 11 == 0
    # A0000001: start, A, 0, code C, 00, 00, 01, the check symbol, stop
    assert len(symbols[0]) == 8 * 6 + 7


def test_a_name_too_long_for_the_label_is_cut_not_overprinted():
    long_name = "云溪县图书馆城关镇石桥村综合文化服务中心流动服务点第二分点"
    pdf = labels.labels_pdf(
        copies=copies(1, library=long_name), paper="a4-5x13", kind="barcode", compress=False
    )
    cut = [text for text in texts(pdf) if text.startswith("云溪县图书馆")]
    assert len(cut) == 1 and cut[0].endswith("…") and len(cut[0]) < len(long_name)


def test_a_copy_without_a_call_number_gets_no_spine_label_and_nothing_is_printed():
    batch = [*copies(2), LabelCopy(barcode="A0000009", call_number=" ", unit="石桥村", library="")]
    with pytest.raises(DomainError) as refused:
        labels.labels_pdf(copies=batch, paper="a4-3x8", kind="spine")
    assert refused.value.code == "label_call_number_missing"
    assert str(refused.value) == "A0000009 has no call number: give it one before printing its spine label."
    # Its barcode label is fine.
    assert page_count(labels.labels_pdf(copies=batch, paper="a4-3x8", kind="barcode")) == 1


@pytest.mark.parametrize("barcode", ["条码0001", "", "Ａ０００１"])
def test_a_barcode_code_128_cannot_carry_is_refused(barcode):
    with pytest.raises(DomainError) as refused:
        labels.labels_pdf(copies=[*copies(1), *copies(1, barcode=barcode)], paper="a4-3x8", kind="both")
    assert refused.value.code == "label_barcode_invalid"


# -- what the label says -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("石桥村综合文化服务中心", "石桥村"),
        ("城东社区文化活动中心", "城东社区"),
        ("城关镇综合文化站", "城关镇文化站"),
        ("云溪县图书馆", "云溪县图书馆"),
        ("综合文化站", "综合文化站"),  # nothing would be left
        ("  ", ""),
    ],
)
def test_a_units_name_shortened_for_the_spine(name, short):
    assert labels.unit_short_name(name) == short


@pytest.mark.parametrize(
    ("call_number", "lines"),
    [
        ("I247.57/12", ["I247.57", "12"]),
        (" I247.57 / MY ", ["I247.57", "MY"]),
        ("I247.57/12:2", ["I247.57", "12:2"]),
        ("K928.9", ["K928.9"]),
        ("", []),
    ],
)
def test_the_lines_of_a_call_number(call_number, lines):
    assert labels.call_number_lines(call_number) == lines


@pytest.mark.django_db
def test_labels_for_the_copies_received_on_an_order(county_admin, vendor, fund, unit, book):
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[
            services.LineIn(
                isbn=isbn(1),
                title="平凡的世界",
                price="50",
                quantity=2,
                clc="I247.57",
                destinations=[(fund.unit, 1), (unit("YX-S01"), 1)],
            )
        ],
    )
    services.order_send(actor=county_admin, order=order)
    services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000001")
    services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000002")

    found = labels.label_copies(receipts=selectors.receipts_of(order=order))
    assert found == [
        LabelCopy(barcode="A0000001", call_number="I247.57/1", unit="云溪县图书馆", library="云溪县图书馆"),
        LabelCopy(barcode="A0000002", call_number="I247.57/1", unit="城关镇文化站", library="云溪县图书馆"),
    ]
    pdf = labels.labels_pdf(copies=found, paper="a4-3x8", kind="both", compress=False)
    assert page_count(pdf) == 1
    assert {"A0000001", "A0000002", "城关镇文化站", "I247.57", "1"} <= set(texts(pdf))


@pytest.mark.django_db
def test_labels_for_copies_already_on_the_shelves(county_admin, vendor, fund, unit, book):
    from wenyun.catalog import selectors as catalog_selectors

    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[services.LineIn(isbn=isbn(2), title="人生", price="30", quantity=1, clc="I247.57")],
    )
    services.order_send(actor=county_admin, order=order)
    services.receipt_create(actor=county_admin, order=order, isbn=isbn(2), barcode="B0000001")
    item = catalog_selectors.item_get(barcode="B0000001")
    assert labels.label_copies_of_items(items=[item], library="云溪县图书馆") == [
        LabelCopy(barcode="B0000001", call_number="I247.57/1", unit="云溪县图书馆", library="云溪县图书馆")
    ]
