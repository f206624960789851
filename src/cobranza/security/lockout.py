"""django-axes' answer to a locked-out account (AXES_LOCKOUT_CALLABLE).

The JSON API gets JSON (`{"detail": …}`, status 429, `Retry-After` in seconds); pages get the
Spanish lockout page. Both say how long the lock lasts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_STATUS = 429


def lockout_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))


def lockout_message() -> str:
    return (
        f"Acceso bloqueado temporalmente por demasiados intentos fallidos de ingreso. "
        f"Espere {lockout_minutes()} minutos o pida al administrador que desbloquee la cuenta."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": lockout_message()}, status=LOCKED_STATUS)
    else:
        response = render(
            request,
            "registration/lockout.html",
            {"minutes": lockout_minutes(), "message": lockout_message()},
            status=LOCKED_STATUS,
        )
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response
