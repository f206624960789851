"""API tokens: `POST /api/auth/token` issues one; `Authorization: Bearer <token>` uses it.

Like a bank's (issue 10): only the SHA-256 digest of a token is stored (the token itself is shown
once, in the answer that issues it); a token expires (`COBRANZA_API_TOKEN_TTL_HOURS`, 8 h by
default), is revoked on logout (web or `POST /api/auth/logout`), stops working when its owner's
password changes (it carries a fingerprint of the password hash, as Django's sessions do), and a
user holds at most `COBRANZA_API_TOKEN_MAX_ACTIVE` active tokens (5; a new login revokes the oldest).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_token_key() -> str:
    return secrets.token_urlsafe(32)


def token_digest(key: str) -> str:
    """The SHA-256 of a token, the only form in which a token is stored."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def password_fingerprint(user: Any) -> str:
    """Changes whenever the user's password changes (Django's session auth hash: an HMAC of it)."""
    return str(user.get_session_auth_hash())


def default_expiry() -> Any:
    return timezone.now() + timedelta(hours=settings.COBRANZA_API_TOKEN_TTL_HOURS)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    class RevokedBecause(models.TextChoices):
        LOGOUT = "salida", "Cierre de sesión"
        PASSWORD = "contrasena", "Cambio de contraseña"
        LIMIT = "limite", "Límite de tokens activos"
        MIGRATION = "migracion", "Token anterior guardado en claro"

    digest = models.CharField("huella SHA-256", max_length=64, unique=True, editable=False)
    prefix = models.CharField("inicio del token", max_length=8, editable=False, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="usuario", related_name="api_tokens", on_delete=models.CASCADE
    )
    password_fingerprint = models.CharField(max_length=128, editable=False, blank=True)
    created_at = models.DateTimeField("emitido", auto_now_add=True)
    expires_at = models.DateTimeField("vence", default=default_expiry)
    last_used_at = models.DateTimeField("último uso", null=True, blank=True)
    revoked_at = models.DateTimeField("revocado", null=True, blank=True)
    revoked_because = models.CharField(
        "motivo de revocación", max_length=20, choices=RevokedBecause.choices, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    # The token itself exists only in memory, right after it is issued (`ApiToken.objects.create(user=…).key`).
    key: str | None = None

    class Meta:
        verbose_name = "token de API"
        verbose_name_plural = "tokens de API"
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"], name="api_token_active_idx")]

    def __str__(self) -> str:
        return f"token {self.prefix}… de {self.user.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.digest:
            self.key = new_token_key()
            self.digest = token_digest(self.key)
            self.prefix = self.key[:8]
        if not self.password_fingerprint:
            self.password_fingerprint = password_fingerprint(self.user)
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
