"""Who is acting, for audit events recorded from model signals (see ``common.user_audit``)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cobranza.common import audit


class AuditActorMiddleware:
    """Makes the request's user the actor of signal-recorded audit events during the request.
    Goes after ``AuthenticationMiddleware``; the user is read lazily (only when an event is written)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.acting_as(_LazyRequestUser(request)):
            return self.get_response(request)


class _LazyRequestUser:
    """The request's user, resolved when first asked."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def resolve(self) -> object:
        return getattr(self._request, "user", None)
