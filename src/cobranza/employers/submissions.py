"""Double submits create one record (issue 14): every create form carries a hidden one-time token
(`{% load submissions %}{% submission_token %}`) and its view is wrapped in `@once_per_submission`.

The token is claimed (a `FormSubmission` row, unique) in the same transaction as the view's work:
- the view succeeds (answers a redirect): the claim stays, with where it led;
- the view refuses (answers the form again, 4xx): everything is rolled back, the token is free, so
  the corrected form can be sent;
- the same token again (double click, reload, browser back and resend, a second request racing the
  first): nothing runs, the user is sent where the first submit led, with a message saying so.
A POST without a token (API clients, scripts, older tests) runs as before. The disabled submit
button (`static/js/submit-once.js`) is only a courtesy on top of this.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from cobranza.employers.models import FormSubmission

FIELD = "submission_token"
TOKEN_RE = re.compile(r"[0-9a-f]{32}")
ALREADY_SENT = "Este formulario ya se había enviado: se guardó una sola vez."


def new_token() -> str:
    return uuid.uuid4().hex


class _Refused(Exception):
    """Carries a non-redirect answer out of the transaction so it rolls back."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _already_sent(request: HttpRequest, token: str) -> HttpResponse:
    previous = FormSubmission.objects.filter(token=token).only("redirect_to").first()
    messages.info(request, ALREADY_SENT)
    target = previous.redirect_to if previous and previous.redirect_to else request.path
    return redirect(target)


def once_per_submission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator for the POST view of a create form (see the module docstring)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not token or not TOKEN_RE.fullmatch(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if FormSubmission.objects.filter(token=token).exists():
            return _already_sent(request, token)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        submission = FormSubmission.objects.create(
                            token=token, user=request.user, path=request.path[:300]
                        )
                except IntegrityError:  # the same token committed by a concurrent request
                    return _already_sent(request, token)
                response = view(request, *args, **kwargs)
                if not 300 <= response.status_code < 400:
                    raise _Refused(response)
                submission.redirect_to = str(response.get("Location", ""))[:500]
                submission.save(update_fields=["redirect_to"])
                return response
        except _Refused as refused:
            return refused.response

    return wrapper
