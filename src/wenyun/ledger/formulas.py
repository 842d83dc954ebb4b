"""A standard file and its indicators' formulas: reading, checking, judging.

A standard is a JSON document (one file per known standard under ledger/standards/):

    {"code": "...", "name": "...", "name_en": "...", "issuer": "...", "description": "...",
     "indicators": [{"code": "1.2", "name": "...", "part": "facilities", "scope": "county",
                     "measure": "册/人", "comparison": ">=", "threshold": 0.6, "weight": 10,
                     "formula": {...}, "note": "..."}]}

Formula kinds:
- {"kind": "metric", "metric": CODE, "sub_units": bool}: a metric's value for each unit in scope;
- {"kind": "ratio", "numerator": CODE, "denominator": CODE, "sub_units": bool, "factor": 1}:
  one metric over another (books per resident: holdings over the service population);
- {"kind": "share", "metric": CODE, "of": KIND, "comparison": ">=", "value": 1500, "sub_units": bool}:
  the percentage of units of a kind (under each unit in scope) whose metric meets the condition;
  the condition may be a range, {"comparison": "between", "value": 1, "to": 3}, both ends included.
  National grades run the other way from most figures (grade 1 is the highest, 0 is not graded),
  so "grade 3 or above" is the range 1 to 3, and a grade condition must be written as a range.
- {"kind": "evidence"}: judged on documents attached (the number of them), nothing computed.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError
from wenyun.network.models import UnitKind

from .models import Comparison, FormulaKind, Part, Scope

SHARE_KINDS = {*UnitKind.values, "institution"}
BETWEEN = "between"
CONDITION_COMPARISONS = [*Comparison.values, BETWEEN]
# Figures whose number 1 is the best (national grades): "N or above" means 1 <= value <= N.
RANKED_METRICS = frozenset({"grade"})


class StandardFileError(DomainError):
    code = "standard_invalid"


def compare(value: Decimal | None, comparison: str, threshold: Decimal | None) -> bool | None:
    """Whether the value meets the threshold; None where either is missing."""
    if value is None or threshold is None:
        return None
    return {
        ">=": value >= threshold,
        "<=": value <= threshold,
        ">": value > threshold,
        "<": value < threshold,
        "==": value == threshold,
    }[comparison]


def gap(value: Decimal | None, comparison: str, threshold: Decimal | None) -> Decimal | None:
    """How far the value is from meeting the threshold (positive: short by this much)."""
    if value is None or threshold is None or compare(value, comparison, threshold):
        return None
    if comparison in (">=", ">"):
        return threshold - value
    if comparison in ("<=", "<"):
        return value - threshold
    return abs(value - threshold)


def condition_met(value: Decimal | None, condition: dict) -> bool:
    """Whether one member unit meets a share formula's per-unit condition (no value counts as 0)."""
    value = Decimal(0) if value is None else value
    if condition["comparison"] == BETWEEN:
        return Decimal(condition["value"]) <= value <= Decimal(condition["to"])
    return bool(compare(value, condition["comparison"], Decimal(condition["value"])))


def condition_gap(value: Decimal | None, condition: dict) -> Decimal | None:
    """How far a member unit is from the share formula's condition (None where it meets it)."""
    if value is None or condition_met(value, condition):
        return None
    if condition["comparison"] == BETWEEN:
        low, high = Decimal(condition["value"]), Decimal(condition["to"])
        return low - value if value < low else value - high
    return gap(value, condition["comparison"], Decimal(condition["value"]))


def _number(value, *, where: str) -> Decimal:
    if isinstance(value, bool):
        value = "x"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise StandardFileError(
            _("%(where)s must be a number, not %(value)s.") % {"where": where, "value": value}
        ) from None
    if not number.is_finite():
        raise StandardFileError(
            _("%(where)s must be a number, not %(value)s.") % {"where": where, "value": value}
        )
    return number


def _text(item: dict, key: str, *, where: str, required: bool = True, limit: int = 300) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise StandardFileError(_("%(where)s: %(key)s must be text.") % {"where": where, "key": key})
    value = value.strip()
    if required and not value:
        raise StandardFileError(_("%(where)s has no %(key)s.") % {"where": where, "key": key})
    if len(value) > limit:
        raise StandardFileError(
            _("%(where)s: %(key)s is longer than %(limit)s characters.")
            % {"where": where, "key": key, "limit": limit}
        )
    return value


def _choice(value, choices, *, where: str, key: str) -> str:
    if value not in choices:
        raise StandardFileError(
            _("%(where)s: %(key)s must be one of %(choices)s, not %(value)s.")
            % {"where": where, "key": key, "choices": ", ".join(choices), "value": value}
        )
    return value


def formula_clean(formula, *, where: str) -> dict:
    """The formula checked and normalised, or StandardFileError naming what is wrong."""
    if formula is None or formula == "evidence":
        return {"kind": FormulaKind.EVIDENCE.value}
    if not isinstance(formula, dict):
        raise StandardFileError(_("%(where)s: the formula must be an object.") % {"where": where})
    kind = _choice(formula.get("kind"), FormulaKind.values, where=where, key="formula.kind")

    def metric_code(key: str) -> str:
        value = formula.get(key)
        if not isinstance(value, str) or not value.strip():
            raise StandardFileError(
                _("%(where)s: the formula needs a metric code in %(key)s.") % {"where": where, "key": key}
            )
        return value.strip()

    sub_units = formula.get("sub_units", True)
    if not isinstance(sub_units, bool):
        raise StandardFileError(_("%(where)s: formula.sub_units must be true or false.") % {"where": where})
    if kind == FormulaKind.EVIDENCE:
        return {"kind": kind}
    if kind == FormulaKind.METRIC:
        return {"kind": kind, "metric": metric_code("metric"), "sub_units": sub_units}
    if kind == FormulaKind.RATIO:
        factor = _number(formula.get("factor", 1), where=f"{where}: formula.factor")
        if factor <= 0:
            raise StandardFileError(_("%(where)s: formula.factor must be above zero.") % {"where": where})
        return {
            "kind": kind,
            "numerator": metric_code("numerator"),
            "denominator": metric_code("denominator"),
            "sub_units": sub_units,
            "factor": str(factor),
        }
    metric = metric_code("metric")
    comparison = _choice(
        formula.get("comparison", ">="), CONDITION_COMPARISONS, where=where, key="formula.comparison"
    )
    low = _number(formula.get("value"), where=f"{where}: formula.value")
    condition: dict[str, object] = {
        "kind": kind,
        "metric": metric,
        "of": _choice(formula.get("of"), sorted(SHARE_KINDS), where=where, key="formula.of"),
        "comparison": comparison,
        "value": str(low),
        "sub_units": formula.get("sub_units", False) is True,
    }
    if comparison == BETWEEN:
        to = _number(formula.get("to"), where=f"{where}: formula.to")
        if to < low:
            raise StandardFileError(
                _("%(where)s: the range's end (formula.to) is below its start (formula.value).")
                % {"where": where}
            )
        condition["to"] = str(to)
    if metric in RANKED_METRICS and comparison not in (BETWEEN, "=="):
        raise StandardFileError(
            _(
                "%(where)s: grade 1 is the highest national grade and 0 means not graded, so a grade "
                'condition is a range: "grade 3 or above" is "comparison": "between", "value": 1, "to": 3.'
            )
            % {"where": where}
        )
    return condition


def indicator_clean(item, *, where: str) -> dict:
    if not isinstance(item, dict):
        raise StandardFileError(_("%(where)s must be an object.") % {"where": where})
    code = _text(item, "code", where=where, limit=40)
    where = _("indicator %(code)s") % {"code": code}
    formula = formula_clean(item.get("formula"), where=where)
    if formula["kind"] == FormulaKind.METRIC and formula["metric"] in RANKED_METRICS:
        raise StandardFileError(
            _(
                "%(where)s: a grade cannot be judged with at least / at most, since grade 1 is the highest "
                'and 0 means not graded; use a share formula with "comparison": "between", "value": 1, "to": 3.'
            )
            % {"where": where}
        )
    threshold = item.get("threshold")
    if threshold is None and formula["kind"] == FormulaKind.EVIDENCE:
        threshold = 1  # at least one document
    if threshold is None:
        raise StandardFileError(_("%(where)s has no threshold.") % {"where": where})
    weight = _number(item.get("weight", 0), where=f"{where}: weight")
    if weight < 0:
        raise StandardFileError(_("%(where)s: weight cannot be negative.") % {"where": where})
    return {
        "code": code,
        "name": _text(item, "name", where=where),
        "name_en": _text(item, "name_en", where=where, required=False),
        "part": _choice(item.get("part"), Part.values, where=where, key="part"),
        "scope": _choice(item.get("scope"), Scope.values, where=where, key="scope"),
        "measure": _text(item, "measure", where=where, required=False, limit=40),
        "comparison": _choice(item.get("comparison", ">="), Comparison.values, where=where, key="comparison"),
        "threshold": _number(threshold, where=f"{where}: threshold"),
        "weight": weight,
        "formula": formula,
        "note": _text(item, "note", where=where, required=False, limit=2000),
    }


def standard_parse(raw: bytes | str, *, name: str) -> dict:
    """A standard file's content checked whole: every indicator valid, codes unique."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StandardFileError(
            _("%(file)s is not a JSON standard file: %(problem)s") % {"file": name, "problem": exc}
        ) from None
    if not isinstance(document, dict):
        raise StandardFileError(_("%(file)s must hold one JSON object.") % {"file": name})
    where = name
    code = _text(document, "code", where=where, limit=60)
    if not all(c.isalnum() or c in "-_" for c in code) or not code.isascii():
        raise StandardFileError(
            _("%(file)s: the code %(code)s may only hold letters, digits, - and _.")
            % {"file": name, "code": code}
        )
    indicators = document.get("indicators")
    if not isinstance(indicators, list) or not indicators:
        raise StandardFileError(_("%(file)s has no indicators.") % {"file": name})
    cleaned = [
        indicator_clean(item, where=_("indicator %(n)s") % {"n": n}) for n, item in enumerate(indicators, 1)
    ]
    seen: set[str] = set()
    for item in cleaned:
        if item["code"] in seen:
            raise StandardFileError(
                _("%(file)s has the indicator code %(code)s twice.") % {"file": name, "code": item["code"]}
            )
        seen.add(item["code"])
    return {
        "code": code,
        "name": _text(document, "name", where=where, limit=200),
        "name_en": _text(document, "name_en", where=where, required=False, limit=200),
        "issuer": _text(document, "issuer", where=where, required=False, limit=200),
        "description": _text(document, "description", where=where, required=False, limit=5000),
        "indicators": cleaned,
    }
