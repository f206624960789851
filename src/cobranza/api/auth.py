from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from cobranza.api.models import ApiToken


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the request's user becomes the token's owner."""

    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        found = ApiToken.objects.select_related("user").filter(key=token, user__is_active=True).first()
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


def issue_token(request: HttpRequest, username: str, password: str) -> str | None:
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    return ApiToken.objects.create(user=user).key
