"""Reading back the PDFs reportlab writes (version 1.3, every object in the open; page streams
uncompressed when asked), without a PDF library: the pages, the strings shown, the bars drawn."""

from __future__ import annotations

import itertools
import re


def page_count(pdf: bytes) -> int:
    """The pages of a reportlab PDF (1.3: every object in the open), by the page tree and by its leaves."""
    tree = re.search(rb"/Count (\d+) /Kids \[[^\]]*\] /Type /Pages", pdf)
    assert tree is not None
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == int(tree.group(1))
    return int(tree.group(1))


def _unescape(literal: bytes) -> bytes:
    octal = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), literal)
    return re.sub(rb"\\(.)", rb"\1", octal)


def texts(pdf: bytes) -> list[str]:
    """The strings shown on the pages of an uncompressed PDF: ASCII as it is, Chinese (the CID font's
    two bytes a character) decoded."""
    found = []
    for literal in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", pdf, re.S):
        raw = _unescape(literal)
        if all(32 <= byte < 127 for byte in raw):
            found.append(raw.decode("ascii"))
        if len(raw) % 2 == 0:
            found.append(raw.decode("utf-16-be", errors="replace"))
    return found


def barcodes(pdf: bytes) -> list[list[int]]:
    """Each barcode's bars and the spaces between them, in modules, from the rectangles it is drawn
    with (each barcode is drawn from its own origin: x starts again)."""
    rects = [(float(x), float(w)) for x, w in re.findall(rb"n ([\d.]+) 0 ([\d.]+) [\d.]+ re f", pdf)]
    groups: list[list[tuple[float, float]]] = []
    for x, w in rects:
        if not groups or x < groups[-1][-1][0]:
            groups.append([])
        groups[-1].append((x, w))
    found = []
    for group in groups:
        module = min(w for _x, w in group)
        widths: list[int] = []
        for (x, w), (next_x, _w) in itertools.pairwise(group):
            widths += [round(w / module), round((next_x - x - w) / module)]
        found.append([*widths, round(group[-1][1] / module)])
    return found
