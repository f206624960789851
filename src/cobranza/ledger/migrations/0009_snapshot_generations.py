# Full recomputes stage their rows per generation and publish them in one transaction (issue 10, item 4).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('employers', '0003_importbatch_corrected'),
        ('ledger', '0008_restructuring'),
    ]

    operations = [
        migrations.CreateModel(
            name='SnapshotGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField(verbose_name='saldos al')),
                ('state', models.CharField(choices=[('building', 'En cálculo'), ('current', 'Vigente'), ('superseded', 'Reemplazada'), ('abandoned', 'Abandonada (corrida interrumpida)')], default='building', max_length=12, verbose_name='estado')),
                ('started_at', models.DateTimeField(verbose_name='iniciada el')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='publicada el')),
                ('employers', models.PositiveIntegerField(default=0, verbose_name='patronos')),
                ('chunks', models.PositiveIntegerField(default=0, verbose_name='lotes')),
                ('policy_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.policyversion', verbose_name='versión de la política')),
            ],
            options={
                'verbose_name': 'generación de saldos',
                'verbose_name_plural': 'generaciones de saldos',
                'ordering': ['-started_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='BalanceSnapshotDraft',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField(verbose_name='saldo al')),
                ('contribution_outstanding', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='cotización pendiente')),
                ('surcharge_outstanding', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='recargo pendiente')),
                ('fine_outstanding', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='multa pendiente')),
                ('interest_outstanding', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='interés pendiente')),
                ('outstanding', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='saldo pendiente')),
                ('overdue_outstanding', models.DecimalField(decimal_places=2, help_text='Lo pendiente de períodos cuyo vencimiento ya pasó: la mora (SPEC §5).', max_digits=14, verbose_name='saldo exigible')),
                ('current_outstanding', models.DecimalField(decimal_places=2, help_text='Lo pendiente de períodos que aún no vencen; exigible + corriente = saldo pendiente.', max_digits=14, verbose_name='saldo corriente (no vencido)')),
                ('worker_share_outstanding', models.DecimalField(decimal_places=2, help_text='Cotización laboral declarada (retenida a los trabajadores) aún sin pagar.', max_digits=14, verbose_name='cuota laboral retenida no enterada')),
                ('credit', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='saldo a favor')),
                ('overdue_periods', models.PositiveIntegerField(verbose_name='períodos en mora')),
                ('months_in_arrears', models.PositiveIntegerField(verbose_name='meses en mora')),
                ('oldest_unpaid_period', models.CharField(blank=True, max_length=7, verbose_name='período en mora más antiguo')),
                ('last_payment_date', models.DateField(blank=True, null=True, verbose_name='último pago')),
                ('computed_at', models.DateTimeField(verbose_name='calculado el')),
                ('employer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='employers.employer', verbose_name='patrono')),
                ('policy_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.policyversion', verbose_name='versión de la política')),
                ('generation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='drafts', to='ledger.snapshotgeneration', verbose_name='generación')),
            ],
            options={
                'verbose_name': 'saldo en cálculo',
                'verbose_name_plural': 'saldos en cálculo',
            },
        ),
        migrations.AddField(
            model_name='balancesnapshot',
            name='generation',
            field=models.ForeignKey(blank=True, help_text='La corrida completa vigente cuando se escribió o actualizó esta fila.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.snapshotgeneration', verbose_name='generación'),
        ),
        migrations.AddConstraint(
            model_name='snapshotgeneration',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'current')), fields=('state',), name='snapshot_generation_one_current'),
        ),
        migrations.AddConstraint(
            model_name='balancesnapshotdraft',
            constraint=models.UniqueConstraint(fields=('generation', 'employer'), name='balance_draft_one_per_employer'),
        ),
    ]
