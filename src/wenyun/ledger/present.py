"""How the ledger's numbers are written for people: values, thresholds, formulas and failing units."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from wenyun.network.models import UnitKind

from . import sources
from .evaluate import IndicatorResult
from .formulas import BETWEEN
from .models import Comparison, FormulaKind, Indicator

KIND_PLURALS = {
    "library": gettext_lazy("libraries"),
    "cultural_centre": gettext_lazy("cultural centres"),
    "station": gettext_lazy("township stations"),
    "village": gettext_lazy("village centres"),
    "institution": gettext_lazy("institutions"),
}


# Units of measure as the standards files write them (Chinese), shown in the page's language.
MEASURES = {
    "人": pgettext_lazy("unit of measure", "people"),
    "份": pgettext_lazy("unit of measure", "documents"),
    "元": pgettext_lazy("unit of measure", "yuan"),
    "元/人": pgettext_lazy("unit of measure", "yuan per resident"),
    "册": pgettext_lazy("unit of measure", "volumes"),
    "册/人": pgettext_lazy("unit of measure", "volumes per resident"),
    "册次": pgettext_lazy("unit of measure", "loans"),
    "场": pgettext_lazy("unit of measure", "events"),
    "小时": pgettext_lazy("unit of measure", "hours"),
    "次/人": pgettext_lazy("unit of measure", "visits per resident"),
    "次/册": pgettext_lazy("unit of measure", "loans per volume"),
}


def measure_label(measure: str) -> str:
    """The unit of measure in the page's language ("册" -> "volumes" in English); unknown ones as written."""
    return str(MEASURES.get(measure.strip(), measure)) if measure else ""


def number(value: Decimal | int | float | None) -> str:
    """A figure without trailing zeros, thousands grouped: 1500 -> "1,500", 0.6000 -> "0.6"."""
    if value is None:
        return "—"
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    text = f"{value.quantize(Decimal('0.01')):,.2f}" if abs(value) >= 1 else f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def threshold_text(indicator: Indicator) -> str:
    measure = measure_label(indicator.measure)
    return f"{indicator.comparison} {number(indicator.threshold)}{(' ' + measure) if measure else ''}"


def _kind_plural(kind: str) -> str:
    return str(KIND_PLURALS.get(kind) or UnitKind(kind).label)


def scope_plural(scope: str) -> str:
    """Whom a scope judges, in a sentence: "the county as a whole", "township stations"."""
    if scope == "county":
        return _("the county as a whole")
    return _kind_plural(scope)


def condition_range(formula: dict) -> str:
    """A share formula's per-unit condition without the figure's name: ">= 300", "1 to 3"."""
    if formula["comparison"] == BETWEEN:
        return _("%(low)s to %(high)s") % {
            "low": number(Decimal(formula["value"])),
            "high": number(Decimal(formula["to"])),
        }
    return f"{formula['comparison']} {number(Decimal(formula['value']))}"


def condition_text(formula: dict) -> str:
    """A share formula's per-unit condition: "building area >= 300", "national grade 1 to 3"."""
    return f"{sources.figure_name(formula['metric'])} {condition_range(formula)}"


def formula_text(indicator: Indicator) -> str:
    formula = indicator.formula
    kind = indicator.formula_kind
    if kind == FormulaKind.METRIC:
        return sources.figure_name(formula["metric"])
    if kind == FormulaKind.RATIO:
        factor = Decimal(formula.get("factor", "1"))
        text = f"{sources.figure_name(formula['numerator'])} ÷ {sources.figure_name(formula['denominator'])}"
        return text if factor == 1 else f"{text} × {number(factor)}"
    if kind == FormulaKind.SHARE:
        return _("share of %(kind)s with %(condition)s") % {
            "kind": _kind_plural(formula["of"]),
            "condition": condition_text(formula),
        }
    return _("documents attached")


def source_text(result: IndicatorResult) -> str:
    return ", ".join(result.sources)


def status(result: IndicatorResult) -> tuple[str, str]:
    """(css class, words) for the indicator as a whole."""
    if not result.computable:
        return "warn", _("not computable yet")
    if result.met is None:
        return "", _("no data yet")
    return ("ok", _("met")) if result.met else ("bad", _("not met"))


def failing_sentence(result: IndicatorResult) -> str:
    """ "9 of 83 village centres fall short: …" — the units that fail, named."""
    indicator = result.indicator
    if not result.computable:
        return _("Not computable yet: no source offers %(codes)s.") % {"codes": ", ".join(result.missing)}
    failing = sorted(result.failing, key=lambda row: row.unit.code)
    if indicator.formula_kind == FormulaKind.SHARE:
        total = sum(len(members) for members in result.members.values())
        formula = indicator.formula
        condition = condition_text(formula)
        if not total:
            return _("There are no %(kind)s to judge here.") % {"kind": _kind_plural(formula["of"])}
        if not failing:
            return _("All %(total)s %(kind)s meet %(condition)s.") % {
                "total": total,
                "kind": _kind_plural(formula["of"]),
                "condition": condition,
            }
        return _("%(failing)s of %(total)s %(kind)s do not meet %(condition)s: %(names)s") % {
            "failing": len(failing),
            "total": total,
            "kind": _kind_plural(formula["of"]),
            "condition": condition,
            "names": "、".join(f"{row.unit.display_name} ({number(row.value)})" for row in failing),
        }
    if not result.rows:
        return _("There is no unit to judge here.")
    if len(result.rows) == 1:
        row = result.rows[0]
        if row.met is False:
            return _("%(unit)s: %(value)s, short by %(gap)s.") % {
                "unit": row.unit.display_name,
                "value": number(row.value),
                "gap": number(row.gap),
            }
        return ""
    if not failing:
        return ngettext("The %(total)s unit meets it.", "All %(total)s units meet it.", len(result.rows)) % {
            "total": len(result.rows)
        }
    return _("%(failing)s of %(total)s fall short: %(names)s") % {
        "failing": len(failing),
        "total": len(result.rows),
        "names": "、".join(f"{row.unit.display_name} ({number(row.value)})" for row in failing),
    }


COMPARISON_WORDS = dict(Comparison.choices)
