"""API tokens: `POST /api/auth/token` issues one; `Authorization: Bearer <token>` uses it."""

import secrets

from django.conf import settings
from django.db import models


def new_token_key() -> str:
    return secrets.token_urlsafe(32)


class ApiToken(models.Model):
    key = models.CharField(max_length=64, unique=True, default=new_token_key)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="api_tokens", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "token de API"
        verbose_name_plural = "tokens de API"

    def __str__(self) -> str:
        return f"token de {self.user.username}"
