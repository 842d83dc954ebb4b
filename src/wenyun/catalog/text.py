"""How catalogue text becomes search tokens, the same way for every search backend.

Chinese is indexed as the Lucene CJK analyzer does it: overlapping bigrams of each run of CJK
characters (plus the run's last character alone, so that any single character is a prefix of some
token), after folding Traditional to Simplified, so that 三體 and 三体 are the same tokens. Each run's
pinyin syllables and their initials go in columns of their own, so "santi" and "st" find 三体
without matching English words. Latin text is lower-cased with its accents removed. Backends store
these tokens verbatim (FTS5 and PostgreSQL both do no further analysis) and match the query plan
that `query_plan` makes from what the reader typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from .isbn import isbn_query

# Han ideographs (with extension A and the compatibility block), kana and hangul count as CJK.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_HAS_CJK = re.compile(f"[{_CJK}]")
_TOKEN = re.compile(f"[{_CJK}]+|[^\\W_]+", re.UNICODE)
_CALL_NUMBER = re.compile(r"^[A-Za-z]{1,2}\d[\d.\-/:=()]*$")

# Index columns, in the order both backends keep them.
COLUMNS = ("title", "author", "other", "ids", "py", "ini")
TEXT_COLUMNS = ("title", "author", "other")


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


# Traditional (and Taiwan or Hong Kong) forms that OpenCC's t2s leaves as they are, because each is
# also written in Simplified text: 著 (活著 is 活着 in Taiwan), 衞 (Hong Kong's 卫), and a few more.
# Folding them on both sides, index and query, makes 活著 find 活着 and still lets 著作 find 著作
# (both sides read 着作); pinyin is taken before this folding, so 著作 is still zhuzuo.
EXTRA_FOLDS = {
    "著": "着",
    "衞": "卫",
    "敍": "叙",
    "枱": "台",
    "粧": "妆",
    "糭": "粽",
    "痺": "痹",
    "簷": "檐",
}
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))


@functools.cache
def _character_folds() -> dict[int, str]:
    """Each CJK character as t2s converts it standing alone, plus EXTRA_FOLDS.

    t2s converts phrase by phrase, so a character it converts alone may stay as it is inside a
    phrase (乾 becomes 干, but 乾隆 stays): folding what t2s leaves character by character makes the
    index and a query read every character the same way, whatever its neighbours."""
    chars = [chr(c) for start, end in _CJK_RANGES for c in range(start, end)]
    # One conversion for all of them: a line break stops every phrase, so each is converted alone.
    converted = _converter().convert("\n".join(chars)).split("\n")
    table = {ord(c): s for c, s in zip(chars, converted, strict=True) if s != c and len(s) == 1}
    table.update({ord(c): s for c, s in EXTRA_FOLDS.items()})
    return table


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "pinyin_syllables.txt"
    return frozenset(path.read_text().split())


@functools.cache
def _syllable_prefixes() -> frozenset[str]:
    return frozenset(s[:i] for s in pinyin_syllables() for i in range(1, len(s) + 1))


def simplified(text: str) -> str:
    """Full-width forms narrowed and Traditional characters made Simplified as t2s reads them, phrase
    by phrase (what pinyin is read from)."""
    text = unicodedata.normalize("NFKC", text)
    if _HAS_CJK.search(text):
        text = _converter().convert(text)
    return text


def fold(text: str) -> str:
    """Lower case, no accents, full-width forms narrowed, Traditional characters made Simplified, and
    what t2s leaves folded character by character (see _character_folds): the form tokens are made of."""
    if not text or text.isascii():
        return text.lower() if text else ""
    text = simplified(text)
    if _HAS_CJK.search(text):
        text = text.translate(_character_folds())
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.lower()


def has_cjk(text: str) -> bool:
    return bool(_HAS_CJK.search(text or ""))


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


_ASCII_TOKEN = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The word tokens of a text: Latin words as they are, CJK runs as bigrams."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text.lower())
    tokens: list[str] = []
    for match in _TOKEN.finditer(fold(text)):
        token = match.group()
        if _HAS_CJK.match(token):
            tokens.extend(_bigrams(token))
        else:
            tokens.append(token)
    return tokens


def pinyin(text: str) -> tuple[list[str], list[str]]:
    """The pinyin syllables of the CJK runs in a text, and their initials."""
    syllables: list[str] = []
    for run in _CJK_RUN.findall(simplified(text)):
        syllables.extend(s for s in lazy_pinyin(run, style=Style.NORMAL, errors="ignore") if s.isalpha())
    return syllables, [s[0] for s in syllables]


_NOT_CODE = re.compile(r"[^0-9a-z]")


def compact_code(text: str) -> str:
    """A call number or class as one token of letters and digits: I247.55/12 -> i2475512."""
    return _NOT_CODE.sub("", fold(text)) if text else ""


def document(
    *,
    title: str,
    author: str = "",
    other: str = "",
    isbn: str = "",
    isbn_raw: str = "",
    codes: list[str] | None = None,
) -> dict[str, list[str]]:
    """The tokens of one record, column by column."""
    ids = []
    if isbn:
        ids.append(isbn)
    if isbn_raw:
        ids.append(isbn_raw.lower())
    for code in codes or ():
        compact = compact_code(code)
        if compact:
            ids.append(compact)
    py: list[str] = []
    ini: list[str] = []
    for text in (title, author):
        if not text.isascii() and has_cjk(text):
            syllables, initials = pinyin(text)
            py.extend(syllables)
            ini.extend(initials)
    return {
        "title": words(title),
        "author": words(author),
        "other": words(other),
        "ids": ids,
        "py": py,
        "ini": ini,
    }


@dataclass(frozen=True)
class Alternative:
    """One way to read a query term: these tokens, adjacent, in one of these columns."""

    columns: tuple[str, ...]
    tokens: tuple[str, ...]
    prefix: bool = False  # the last token may be the start of a longer one


Term = tuple[Alternative, ...]  # a term matches when any of its alternatives does


def segment_pinyin(word: str, *, allow_partial: bool) -> list[str] | None:
    """Split "heianshenlin" into syllables (fewest syllables wins); None if it is not pinyin."""
    syllables = pinyin_syllables()
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is None:
                continue
            piece = word[start:end]
            ok = piece in syllables or (allow_partial and end == n and piece in _syllable_prefixes())
            if ok and (best[end] is None or len(head) + 1 < len(best[end] or [])):
                best[end] = [*head, piece]
    return best[n]


def query_plan(q: str) -> list[Term]:
    """The terms a search must all match (AND), each with its alternative readings (OR)."""
    q = (q or "").strip()
    if not q:
        return []
    whole_isbn = isbn_query(q)
    if whole_isbn:
        return [(Alternative(("ids",), (whole_isbn,)),)]
    terms: list[Term] = []
    raw_parts = q.split()
    for index, part in enumerate(raw_parts):
        last = index == len(raw_parts) - 1
        alternatives: list[Alternative] = []
        isbn13 = isbn_query(part)
        if isbn13:
            terms.append((Alternative(("ids",), (isbn13,)),))
            continue
        if _CALL_NUMBER.match(part) and any(c.isdigit() for c in part):
            code_tokens = tuple(words(part))
            terms.append(
                (
                    Alternative(("ids",), (compact_code(part),), prefix=True),
                    Alternative(TEXT_COLUMNS, code_tokens, prefix=last and len(code_tokens[-1]) >= 3),
                )
            )
            continue
        if re.fullmatch(r"[\d\-]{10,17}[xX]?", part):
            alternatives.append(Alternative(("ids",), (re.sub(r"-", "", part).lower(),)))
        tokens: list[str] = []
        for match in _TOKEN.finditer(fold(part)):
            token = match.group()
            if _HAS_CJK.match(token):
                if len(token) == 1:
                    terms_cjk = (Alternative(TEXT_COLUMNS, (token,), prefix=True),)
                else:
                    terms_cjk = (Alternative(TEXT_COLUMNS, tuple(_bigrams(token)[:-1])),)
                terms.append(terms_cjk)
                continue
            tokens.append(token)
        for token in tokens:
            # As-you-type: the last word may be unfinished, once it is long enough to narrow things down.
            term = [*alternatives, Alternative(TEXT_COLUMNS, (token,), prefix=last and len(token) >= 3)]
            if token.isascii() and token.isalpha():
                syllables = segment_pinyin(token, allow_partial=last)
                if syllables:
                    term.append(Alternative(("py",), tuple(syllables), prefix=last))
                if 2 <= len(token) <= 10:
                    term.append(Alternative(("ini",), tuple(token)))
            terms.append(tuple(term))
            alternatives = []
        if alternatives:
            terms.append(tuple(alternatives))
    # A word typed twice asks nothing more (AND), and each copy would cost the search a pass.
    return list(dict.fromkeys(terms))
