import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountSecurity",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "must_change_password",
                    models.BooleanField(default=False, verbose_name="debe cambiar su contraseña"),
                ),
                (
                    "password_changed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="último cambio de contraseña propio"),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="account_security",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="usuario",
                    ),
                ),
            ],
            options={
                "verbose_name": "seguridad de la cuenta",
                "verbose_name_plural": "seguridad de las cuentas",
            },
        ),
    ]
