"""At login, remember in the session whether the user must change their password first
(so the middleware asks the session, not the database, on every request)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from cobranza.security.services import SESSION_MUST_CHANGE, must_change_password


@receiver(user_logged_in, dispatch_uid="cobranza_security_must_change_password")
def _remember_pending_change(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    if must_change_password(user):
        session[SESSION_MUST_CHANGE] = True
    else:
        session.pop(SESSION_MUST_CHANGE, None)
