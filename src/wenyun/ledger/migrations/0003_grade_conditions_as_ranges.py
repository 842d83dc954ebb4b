"""Grade conditions written as "grade >= 3" judged a grade-2 institution failing "grade 3 or above";
grade 1 is the highest, so such a condition is the range 1 to 3. Stored indicators are rewritten and
the snapshot values computed with the wrong condition are dropped (the next snapshot takes them again:
which units had which grade on those days is not kept, so they cannot be recomputed honestly).

The shipped standard's 4.2 (subsidies paid in the year, ">= 0 yuan") was met with nothing paid; it is
"> 0" now, and its old snapshot values are judged again when read, so they stay."""

from django.db import migrations

RANKED = {"grade"}


def grade_conditions_as_ranges(apps, schema_editor):
    Indicator = apps.get_model("ledger", "Indicator")
    SnapshotValue = apps.get_model("ledger", "SnapshotValue")
    for indicator in Indicator.objects.all():
        formula = dict(indicator.formula or {})
        if formula.get("kind") != "share" or formula.get("metric") not in RANKED or formula.get("comparison") not in (">=", "<="):
            continue
        formula.update(comparison="between", value="1", to=str(formula["value"]))
        indicator.formula = formula
        indicator.save(update_fields=["formula"])
        SnapshotValue.objects.filter(indicator=indicator).delete()
    Indicator.objects.filter(
        standard__code="demo-zone-west-3", code="4.2", comparison=">=", threshold=0
    ).update(comparison=">")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_label_wording")]

    operations = [migrations.RunPython(grade_conditions_as_ranges, migrations.RunPython.noop)]
