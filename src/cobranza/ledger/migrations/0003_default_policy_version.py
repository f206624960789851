"""The first policy version: the SPEC §4 defaults (engine `default_policy()`, version 2024.1).

The parameters are written out here, frozen, so that this migration gives the same row forever
even if the engine's defaults change later; tests/ledger checks that they still equal
`default_policy().to_dict()` today.
"""

from django.db import migrations

DEFAULT_PARAMETERS = {
    "version": "2024.1",
    "effective_from": "2015-08-01",
    "employer_rate": "0.075",
    "worker_rate": "0.03",
    "salary_ceiling_cents": 100000,
    "due_business_day": 10,
    "extra_closed_days": [],
    "surcharge_monthly_rate": "0.01",
    "surcharge_max_months": 60,
    "fine_enabled": True,
    "fine_rate": "0.25",
    "interest_enabled": False,
    "interest_annual_rate": "0",
    "allocation_order": ["contribution", "surcharge", "fine", "interest"],
    "agreement_min_down_payment_rate": "0.20",
    "agreement_term_bands": [[100000, 6], [1000000, 12], [5000000, 24], [None, 48]],
    "agreement_rate_bands": [[12, "0.0126"], [24, "0.0153"], [None, "0.0182"]],
    "agreement_allowed_terms": [3, 6, 9, 12, 18, 24, 36, 48],
    "agreement_lapse_installments": 3,
    "agreement_grace_days": 5,
    "publication_min_months": 3,
    "publication_min_debt_cents": 50000,
    "publication_reply_business_days": 10,
    "publication_times_per_year": 2,
    "referral_min_notices": 2,
    "referral_days": 90,
    "limitation_years": 5,
    "limitation_alert_days": 180,
    "amnesty_enabled": False,
    "amnesty_start": None,
    "amnesty_end": None,
}

NOTE = (
    "Valores por defecto de la especificación (SPEC §4): cotización 7.5 % patronal y 3 % laboral, "
    "salario máximo US$1,000, vencimiento el 10.º día hábil del mes siguiente, recargo 1 % por mes o "
    "fracción (máximo 60 meses), multa 25 %, interés moratorio desactivado."
)


def create_default_version(apps, schema_editor):
    PolicyVersion = apps.get_model("ledger", "PolicyVersion")
    if PolicyVersion.objects.filter(version=DEFAULT_PARAMETERS["version"]).exists():
        return
    PolicyVersion.objects.create(
        version=DEFAULT_PARAMETERS["version"],
        effective_from=DEFAULT_PARAMETERS["effective_from"],
        parameters=DEFAULT_PARAMETERS,
        note=NOTE,
    )


def remove_default_version(apps, schema_editor):
    PolicyVersion = apps.get_model("ledger", "PolicyVersion")
    BalanceSnapshot = apps.get_model("ledger", "BalanceSnapshot")
    default = PolicyVersion.objects.filter(version=DEFAULT_PARAMETERS["version"], created_by__isnull=True)
    BalanceSnapshot.objects.filter(policy_version__in=default).delete()  # derived data, recomputable
    default.delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_policy_versions_balance_snapshots")]

    operations = [migrations.RunPython(create_default_version, remove_default_version)]
