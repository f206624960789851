"""Assignments get the business dates between which the collector held the employer (SPEC §9:
recoveries are credited to the collector who held the employer on the payment's date). Existing rows
take the local dates of their timestamps."""

from django.db import migrations, models
from django.utils import timezone

import cobranza.common.dates


def fill_dates(apps, schema_editor):  # type: ignore[no-untyped-def]
    Assignment = apps.get_model("portfolio", "Assignment")
    for row in Assignment.objects.all().only("pk", "start", "end").iterator(chunk_size=2000):
        Assignment.objects.filter(pk=row.pk).update(
            start_on=timezone.localtime(row.start).date(),
            end_on=timezone.localtime(row.end).date() if row.end else None,
        )


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="start_on",
            field=models.DateField(null=True, verbose_name="a cargo desde"),
        ),
        migrations.AddField(
            model_name="assignment",
            name="end_on",
            field=models.DateField(blank=True, null=True, verbose_name="a cargo hasta"),
        ),
        migrations.RunPython(fill_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assignment",
            name="start_on",
            field=models.DateField(default=cobranza.common.dates.business_date, verbose_name="a cargo desde"),
        ),
    ]
