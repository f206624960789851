"""Balance snapshots split their outstanding into overdue (exigible) and current (not yet due), and
carry the worker share withheld and not remitted (SPEC §5, issue 8 items 5–6).

Existing rows get the split their own columns allow: an employer without overdue periods owes only
current amounts; one with overdue periods keeps its whole outstanding as overdue (what the screens
meant until now) and no worker share, until the next recompute (nightly, or `cobranza recompute`)
writes the exact figures.
"""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Case, F, Q, Value, When


def split_existing_rows(apps, schema_editor):
    snapshot = apps.get_model("ledger", "BalanceSnapshot")
    zero = Value(Decimal("0.00"))
    snapshot.objects.update(
        overdue_outstanding=Case(When(overdue_periods__gt=0, then=F("outstanding")), default=zero),
        current_outstanding=Case(When(overdue_periods__gt=0, then=zero), default=F("outstanding")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_default_policy_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="balancesnapshot",
            name="overdue_outstanding",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                help_text="Lo pendiente de períodos cuyo vencimiento ya pasó: la mora (SPEC §5).",
                max_digits=14,
                verbose_name="saldo exigible",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="balancesnapshot",
            name="current_outstanding",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                help_text="Lo pendiente de períodos que aún no vencen; exigible + corriente = saldo pendiente.",
                max_digits=14,
                verbose_name="saldo corriente (no vencido)",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="balancesnapshot",
            name="worker_share_outstanding",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                help_text="Cotización laboral declarada (retenida a los trabajadores) aún sin pagar.",
                max_digits=14,
                verbose_name="cuota laboral retenida no enterada",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(split_existing_rows, migrations.RunPython.noop, elidable=True),
        migrations.AlterModelOptions(
            name="balancesnapshot",
            options={
                "ordering": ["-overdue_outstanding", "-outstanding"],
                "verbose_name": "saldo calculado",
                "verbose_name_plural": "saldos calculados",
            },
        ),
        migrations.AddIndex(
            model_name="balancesnapshot",
            index=models.Index(fields=["overdue_outstanding"], name="balance_overdue_idx"),
        ),
        migrations.AddConstraint(
            model_name="balancesnapshot",
            constraint=models.CheckConstraint(
                condition=Q(overdue_outstanding__gte=0)
                & Q(current_outstanding__gte=0)
                & Q(worker_share_outstanding__gte=0),
                name="balance_split_not_negative",
            ),
        ),
    ]
