"""Import batches count declaration corrections on their own (SPEC §3, issue 8 item 4).

A re-imported declaration with other amounts used to replace the stored one and was counted as
`updated` ("reemplazadas"); it is now a correction (a new version of the declaration) counted as
`corrected`. The declaration batches already recorded move their count to the new column, so
`updated` means "employers updated" only.
"""

from django.db import migrations, models


def move_declaration_counts(apps, schema_editor):
    batch = apps.get_model("employers", "ImportBatch")
    batch.objects.filter(kind="declarations").update(corrected=models.F("updated"), updated=0)


def move_them_back(apps, schema_editor):
    batch = apps.get_model("employers", "ImportBatch")
    batch.objects.filter(kind="declarations").update(updated=models.F("corrected"), corrected=0)


class Migration(migrations.Migration):
    dependencies = [("employers", "0002_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="corrected",
            field=models.PositiveIntegerField(default=0, verbose_name="correcciones"),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="updated",
            field=models.PositiveIntegerField(default=0, verbose_name="actualizadas"),
        ),
        migrations.RunPython(move_declaration_counts, move_them_back, elidable=True),
    ]
