"""Every filing of a declaration is kept (SPEC §3, issue 8 item 4).

Creates `DeclarationVersion` (1 = the first filing, then each correction) and
`Declaration.latest_version`, and writes version 1 of every stored declaration from its row
(recorded on the date the row was created, in the institute's time zone). One INSERT … SELECT, so
millions of declarations migrate in seconds. A declaration replaced by a correction before this
migration has only its current amounts left: they become its version 1.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import TruncDate


def first_versions(apps, schema_editor):
    declaration = apps.get_model("ledger", "Declaration")
    version = apps.get_model("ledger", "DeclarationVersion")
    connection = schema_editor.connection
    values = {
        "declaration_id": F("id"),
        "number": Value(1),
        "workers": F("workers"),
        "salary_base": F("salary_base"),
        "employer_contribution": F("employer_contribution"),
        "worker_contribution": F("worker_contribution"),
        "filed_on": F("filed_on"),
        "origin": F("origin"),
        "recorded_on": TruncDate("created_at"),
        "import_batch_id": F("import_batch_id"),
        "created_at": F("created_at"),
    }
    column_of = {f.attname: f.column for f in version._meta.concrete_fields}
    aliases = {f"insert_col_{i}": expression for i, expression in enumerate(values.values())}
    select = declaration.objects.using(schema_editor.connection.alias).order_by().annotate(**aliases)
    sql, params = select.values_list(*aliases).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column_of[name]) for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(version._meta.db_table)} ({columns}) {sql}", params)  # noqa: S608


def no_versions(apps, schema_editor):
    version = apps.get_model("ledger", "DeclarationVersion")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {schema_editor.connection.ops.quote_name(version._meta.db_table)}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0003_importbatch_corrected"),
        ("ledger", "0005_amnesty_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="declaration",
            name="latest_version",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="1: la primera presentación, sin correcciones.",
                verbose_name="última versión",
            ),
        ),
        migrations.CreateModel(
            name="DeclarationVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(
                        help_text="1: la primera presentación.", verbose_name="versión"
                    ),
                ),
                ("workers", models.PositiveIntegerField(verbose_name="trabajadores")),
                (
                    "salary_base",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="salario afecto"),
                ),
                (
                    "employer_contribution",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="cotización patronal"),
                ),
                (
                    "worker_contribution",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="cotización laboral"),
                ),
                ("filed_on", models.DateField(blank=True, null=True, verbose_name="fecha de presentación")),
                (
                    "origin",
                    models.CharField(
                        choices=[("employer", "Presentada por el patrono"), ("de_oficio", "De oficio")],
                        max_length=10,
                        verbose_name="origen",
                    ),
                ),
                (
                    "recorded_on",
                    models.DateField(
                        help_text="Fecha en que el instituto la registró.", verbose_name="fecha de registro"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="creada")),
                (
                    "declaration",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="ledger.declaration",
                        verbose_name="planilla",
                    ),
                ),
                (
                    "import_batch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="employers.importbatch",
                        verbose_name="importación",
                    ),
                ),
            ],
            options={
                "verbose_name": "versión de planilla",
                "verbose_name_plural": "versiones de planillas",
                "ordering": ["declaration", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("declaration", "number"), name="declaration_version_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 1)), name="declaration_version_number_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("salary_base__gte", 0),
                            ("employer_contribution__gte", 0),
                            ("worker_contribution__gte", 0),
                        ),
                        name="declaration_version_amounts_not_negative",
                    ),
                ],
            },
        ),
        migrations.RunPython(first_versions, no_versions),
    ]
