"""The policy table's defaults (SPEC §8): which area owns each finding type and its deadline."""

from django.db import migrations

DEFAULTS = [
    # finding type, area, deadline (business days), automatic request, minimum age (months)
    ("rate_mismatch", "afiliacion", 10, False, 0),
    ("undeclared_payment", "contabilidad", 10, True, 0),
    ("out_of_life_payment", "afiliacion", 10, True, 0),
    ("duplicate_payment", "contabilidad", 5, True, 0),
    ("stale_credit", "contabilidad", 15, False, 6),
    ("stopped_filer", "inspeccion", 20, True, 0),
    ("closed_with_debt", "afiliacion", 10, False, 0),
]


def create(apps, schema_editor):
    rule = apps.get_model("hygiene", "HygieneRule")
    for kind, area, days, auto, months in DEFAULTS:
        rule.objects.get_or_create(
            finding_type=kind,
            defaults={"area": area, "deadline_business_days": days, "auto_request": auto, "min_age_months": months},
        )


class Migration(migrations.Migration):
    dependencies = [("hygiene", "0001_findings_requests_rules")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
