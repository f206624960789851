"""API authentication: bearer tokens issued by `POST /api/auth/token`, revoked by `POST /api/auth/logout`.

The rules (hashed at rest, expiry, revocation on logout and password change, at most N active per
user) are in `cobranza.api.models`' docstring; this module is the only writer of tokens.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from cobranza.api.models import ApiToken, password_fingerprint, token_digest


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the request's user becomes the token's owner.

    A token counts only while it is not revoked, not expired, its owner is active and its owner's
    password is the one it was issued under.
    """

    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(digest=token_digest(token), user__is_active=True)
            .first()
        )
        if found is None or found.password_fingerprint != password_fingerprint(found.user):
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        request.auth_token = found  # type: ignore[attr-defined]
        return found.user


@transaction.atomic
def api_token_issue(*, user: Any) -> str:
    """A new token for `user` (returned once, never stored); revokes the oldest beyond the limit."""
    token = ApiToken.objects.create(user=user)
    keep = max(1, settings.COBRANZA_API_TOKEN_MAX_ACTIVE)
    surplus = list(
        ApiToken.objects.active()
        .filter(user=user)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[keep:]
    )
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).update(
            revoked_at=timezone.now(), revoked_because=ApiToken.RevokedBecause.LIMIT
        )
    assert token.key is not None
    return token.key


def api_tokens_revoke(*, user: Any, because: str, token: ApiToken | None = None) -> int:
    """Revoke `token`, or every active token of `user`; how many were revoked."""
    tokens = ApiToken.objects.active().filter(user=user)
    if token is not None:
        tokens = tokens.filter(pk=token.pk)
    return tokens.update(revoked_at=timezone.now(), revoked_because=because)


def authenticate_for_token(request: HttpRequest, username: str, password: str) -> Any:
    """The active user with these credentials, or None (django-axes counts the failures and, once
    the account is locked, answers 429 in JSON: cobranza.security.lockout)."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    return user


@receiver(user_logged_out, dispatch_uid="cobranza_api_revoke_tokens_on_logout")
def _revoke_on_web_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Leaving the web application signs the user out of the API too."""
    if user is not None and user.is_authenticated:
        api_tokens_revoke(user=user, because=ApiToken.RevokedBecause.LOGOUT)
