"""API tokens hashed at rest, expiring and revocable (issue 10).

Existing tokens were stored in plaintext: each is replaced by its SHA-256 digest and revoked
(whoever could read the table could use them); their owners ask for a new one.
"""

import hashlib
from datetime import timedelta

import cobranza.api.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def hash_and_revoke_plaintext_tokens(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    now = timezone.now()
    for token in ApiToken.objects.all().iterator():
        token.digest = hashlib.sha256(token.key.encode("utf-8")).hexdigest()
        token.prefix = token.key[:8]
        token.expires_at = token.created_at + timedelta(hours=8)
        token.revoked_at = now
        token.revoked_because = "migracion"
        token.key = ""
        token.save(update_fields=["digest", "prefix", "expires_at", "revoked_at", "revoked_because", "key"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="digest",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="huella SHA-256"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="prefix",
            field=models.CharField(blank=True, editable=False, max_length=8, verbose_name="inicio del token"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=128),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="vence"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="revocado"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_because",
            field=models.CharField(
                blank=True,
                choices=[
                    ("salida", "Cierre de sesión"),
                    ("contrasena", "Cambio de contraseña"),
                    ("limite", "Límite de tokens activos"),
                    ("migracion", "Token anterior guardado en claro"),
                ],
                max_length=20,
                verbose_name="motivo de revocación",
            ),
        ),
        migrations.RunPython(hash_and_revoke_plaintext_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="apitoken", name="key"),
        migrations.AlterField(
            model_name="apitoken",
            name="digest",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="huella SHA-256"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=cobranza.api.models.default_expiry, verbose_name="vence"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="emitido"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="último uso"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_tokens",
                to=settings.AUTH_USER_MODEL,
                verbose_name="usuario",
            ),
        ),
        migrations.AddIndex(
            model_name="apitoken",
            index=models.Index(fields=["user", "revoked_at", "expires_at"], name="api_token_active_idx"),
        ),
    ]
