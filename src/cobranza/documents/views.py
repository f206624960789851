"""The public verification page (no login) and the re-download of an issued document.

`/verificar/` takes a code typed in a form or carried by the QR (`?codigo=`): it shows only the
document's kind and number, the employer's name and number, the issue date, the validity and
whether it is still valid. A wrong code says so and nothing else. Each address may make
`VERIFY_MAX_FAILURES` wrong attempts per `VERIFY_WINDOW_SECONDS` (Django's cache); then every
attempt from it is answered 429 until the window passes, so codes cannot be tried in bulk.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cobranza.common.errors import ApplicationError
from cobranza.documents import selectors
from cobranza.documents.codes import normalize
from cobranza.documents.models import IssuedDocument
from cobranza.documents.services import document_content


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "VERIFY_MAX_FAILURES", 10)),
        int(getattr(settings, "VERIFY_WINDOW_SECONDS", 15 * 60)),
    )


def _client_address(request: HttpRequest) -> str:
    # Behind the institute's reverse proxy, set it to pass the client's address as REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "desconocida"


def _failures_key(request: HttpRequest) -> str:
    return f"verificar:fallos:{_client_address(request)}"


def _throttled(request: HttpRequest) -> bool:
    limit, _ = _limits()
    return int(cache.get(_failures_key(request), 0)) >= limit


def _count_failure(request: HttpRequest) -> None:
    _, window = _limits()
    key = _failures_key(request)
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    typed = (request.POST.get("codigo") if request.method == "POST" else request.GET.get("codigo")) or ""
    typed = typed.strip()[:40]
    context: dict = {"typed": typed}
    if not typed:
        return render(request, "documents/verify.html", context)
    if _throttled(request):
        _, window = _limits()
        context["throttled"] = True
        context["minutes"] = max(1, window // 60)
        return render(request, "documents/verify.html", context, status=429)
    code = normalize(typed)
    if code is None:
        _count_failure(request)
        context["error"] = (
            "Código no válido: el código de verificación tiene 12 caracteres (letras y números, "
            "p. ej. K7QM-4XHT-9BWE)."
        )
        return render(request, "documents/verify.html", context, status=400)
    found = selectors.verify_code(code)
    if found is None:
        _count_failure(request)
        context["error"] = "No se encontró ningún documento con ese código. Revise que lo haya escrito bien."
        return render(request, "documents/verify.html", context, status=404)
    context["found"] = found
    return render(request, "documents/verify.html", context)


@login_required
def document_download(request: HttpRequest, number: str) -> HttpResponse:
    """The file exactly as it was issued (whatever changed since), to anyone who sees the employer."""
    try:
        document = selectors.document_detail(user=request.user, number=number)
    except IssuedDocument.DoesNotExist:
        raise Http404("Documento no encontrado") from None
    try:
        content = document_content(document)
    except ApplicationError as error:
        return render(request, "errors/400.html", {"message": error.message}, status=409)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["X-Document-SHA256"] = document.sha256
    return response
