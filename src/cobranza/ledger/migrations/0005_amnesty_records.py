"""Amnesties become records of their own (SPEC §4, issue 8 item 2).

Until now an amnesty was three parameters of a policy version (`amnesty_enabled`, `amnesty_start`,
`amnesty_end`), so the next version could erase it. This migration creates the `Amnesty` table,
strips those keys from every stored version (0003 wrote them), and turns each version that had
its amnesty enabled into an `Amnesty` record with that version's window and the old amnesty's
terms (periods paid in full inside the window; surcharge and fine waived).

Reverse: the keys are written back (the amnesty converted from a version turns it on again with
its window); amnesties created afterwards are lost with the table.
"""

from django.conf import settings
from django.db import migrations, models

import cobranza.ledger.models

LEGACY_KEYS = ("amnesty_enabled", "amnesty_start", "amnesty_end")


def converted_name(version: str) -> str:
    return f"Amnistía de la política {version}"


def amnesties_out_of_versions(apps, schema_editor):
    policy_version = apps.get_model("ledger", "PolicyVersion")
    amnesty = apps.get_model("ledger", "Amnesty")
    for row in policy_version.objects.order_by("effective_from"):
        parameters = row.parameters if isinstance(row.parameters, dict) else {}
        if not any(key in parameters for key in LEGACY_KEYS):
            continue
        if parameters.get("amnesty_enabled"):
            start, end = parameters.get("amnesty_start"), parameters.get("amnesty_end")
            if not start or not end:
                raise RuntimeError(
                    f"La versión {row.version} tiene la amnistía activada sin inicio o fin "
                    f"(amnesty_start={start!r}, amnesty_end={end!r}): corrija sus parámetros y migre de nuevo."
                )
            amnesty.objects.get_or_create(
                name=converted_name(row.version),
                defaults={
                    "start": start,
                    "end": end,
                    "paid_in_full": True,
                    "agreements": False,
                    "waives": ["surcharge", "fine"],
                    "note": (
                        f"Amnistía que era un parámetro de la versión {row.version} de la política; "
                        "convertida en registro propio para que ninguna versión posterior la borre."
                    ),
                    "created_by_id": row.created_by_id,
                },
            )
        row.parameters = {k: v for k, v in parameters.items() if k not in LEGACY_KEYS}
        row.save(update_fields=["parameters", "updated_at"])


def amnesties_back_into_versions(apps, schema_editor):
    policy_version = apps.get_model("ledger", "PolicyVersion")
    amnesty = apps.get_model("ledger", "Amnesty")
    for row in policy_version.objects.order_by("effective_from"):
        parameters = dict(row.parameters) if isinstance(row.parameters, dict) else {}
        converted = amnesty.objects.filter(name=converted_name(row.version)).first()
        parameters["amnesty_enabled"] = converted is not None
        parameters["amnesty_start"] = converted.start.isoformat() if converted else None
        parameters["amnesty_end"] = converted.end.isoformat() if converted else None
        row.parameters = parameters
        row.save(update_fields=["parameters", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_snapshot_overdue_current"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Amnesty",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="creado")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modificado")),
                (
                    "name",
                    models.CharField(
                        error_messages={"unique": "Ya existe una amnistía con ese nombre."},
                        max_length=120,
                        unique=True,
                        verbose_name="nombre",
                    ),
                ),
                ("start", models.DateField(help_text="Primer día de la ventana.", verbose_name="desde")),
                ("end", models.DateField(help_text="Último día de la ventana (inclusive).", verbose_name="hasta")),
                (
                    "paid_in_full",
                    models.BooleanField(
                        default=True,
                        help_text="Períodos cuya cotización queda pagada por completo con un pago dentro de la ventana.",
                        verbose_name="pago total en la ventana",
                    ),
                ),
                (
                    "agreements",
                    models.BooleanField(
                        default=False,
                        help_text="Períodos cubiertos por un convenio de pago firmado dentro de la ventana.",
                        verbose_name="convenios firmados en la ventana",
                    ),
                ),
                (
                    "waives",
                    models.JSONField(
                        default=cobranza.ledger.models.all_waivable,
                        help_text='Lista de componentes: "surcharge" (recargo), "fine" (multa), "interest" (interés).',
                        verbose_name="componentes condonados",
                    ),
                ),
                ("note", models.TextField(blank=True, help_text="Decreto, acuerdo o fuente.", verbose_name="nota")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="creada por",
                    ),
                ),
            ],
            options={
                "verbose_name": "amnistía",
                "verbose_name_plural": "amnistías",
                "ordering": ["start", "name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end__gte", models.F("start"))), name="amnesty_window_in_order"
                    )
                ],
            },
        ),
        migrations.AlterField(
            model_name="policyversion",
            name="version",
            field=models.CharField(
                error_messages={"unique": "Ya existe una versión de la política con ese nombre."},
                max_length=40,
                unique=True,
                verbose_name="versión",
            ),
        ),
        migrations.AlterField(
            model_name="policyversion",
            name="effective_from",
            field=models.DateField(
                error_messages={"unique": "Ya hay una versión de la política vigente desde esa fecha."},
                unique=True,
                verbose_name="vigente desde",
            ),
        ),
        migrations.AlterField(
            model_name="policyversion",
            name="parameters",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    "Parámetros de la política en JSON; al crear una versión, los que falten se heredan de la "
                    "versión vigente antes de su fecha."
                ),
                verbose_name="parámetros",
            ),
        ),
        migrations.RunPython(amnesties_out_of_versions, amnesties_back_into_versions),
    ]
