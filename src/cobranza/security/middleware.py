"""Security middleware (settings.MIDDLEWARE).

- `SecurityHeadersMiddleware`: a Content-Security-Policy on every answer (`COBRANZA_CSP`: self
  only, every asset is served from the project's own static files) and `Cache-Control: no-store`
  on every answer produced by a view — pages, JSON, statements, letters and documents — so no
  browser or proxy keeps a copy of a debtor's data. Static files (WhiteNoise answers them before
  this middleware runs) keep their long-lived caching.
- `PasswordChangeRequiredMiddleware`: a user whose password was set by someone else sees only the
  password-change page (and can log out) until they choose their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from cobranza.security.services import SESSION_MUST_CHANGE


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.COBRANZA_CSP
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class PasswordChangeRequiredMiddleware:
    """After AuthenticationMiddleware. The API is not redirected: a user who must change the
    password gets no token (`POST /api/auth/token` answers 403 saying so)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_MUST_CHANGE) and request.user.is_authenticated:
            allowed = (reverse("password_change"), reverse("logout"), settings.STATIC_URL, "/api/")
            if not request.path.startswith(allowed):
                return redirect("password_change")
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """Renews a signed-in user's session on activity, at most once a minute.

    The session (cookie and database row) expires SESSION_COOKIE_AGE seconds (30 minutes,
    COBRANZA_SESSION_IDLE_MINUTES) after it was last saved; marking it once a minute makes that
    "30 minutes after the last request" without a session write on every request (as
    SESSION_SAVE_EVERY_REQUEST would do).
    """

    KEY = "cobranza_seen_minute"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            minute = int(time.time() // 60)
            if session.get(self.KEY) != minute:
                session[self.KEY] = minute
        return self.get_response(request)
