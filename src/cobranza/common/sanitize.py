"""The one input layer (issue 10, items 1 and 2): no NUL byte and no out-of-range number reaches a
view, a query or the database.

- `InputSanitizingMiddleware` refuses a request with a NUL character (U+0000) anywhere a view could
  read it: the path, the query string (names and values), a form or multipart body (field names,
  values and file names; file contents are data and are not inspected), a JSON body (any key or
  string, at any depth; an escaped ``\\u0000`` counts) and the cookies. PostgreSQL cannot store a NUL
  in text and psycopg raises on it, so such a request used to be a 500. The answer is a 400 in
  Spanish that names where the character was: JSON ``{"detail", "errors": [{"campo", "motivo"}]}``
  under ``/api/`` (the API's error shape), the "Solicitud inválida" page elsewhere. It runs before
  the session and authentication middleware, so even `POST /api/auth/token` with
  ``"\\u0000admin"`` and a cookie carrying ``\\000`` never reach a query.
- Forms already refuse NUL (Django's `ProhibitNullCharactersValidator` on every `CharField`); the
  middleware covers what views read directly (`request.GET`, path converters, JSON).
- Command-line arguments cannot carry a NUL (the operating system ends them there), and the import
  files of every command and page are refused when they hold NUL bytes
  (`cobranza.employers.imports.reading`); an Excel cell cannot hold one.
- Numbers: `MAX_PAGE` and `MAX_ID` bound page numbers and ids (the API declares them in its schema:
  422 beyond them); `bounded_page` turns any ``pagina`` of a page into 1 … `MAX_PAGE` and `paginate`
  is the paginator every list page uses, so a huge page number shows the last page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

NUL = "\x00"

#: The largest page number anybody may ask for (50 million rows at 50 a page): beyond it the API
#: answers 422 and the pages show their last page. It keeps OFFSET far inside a bigint.
MAX_PAGE = 1_000_000
#: The largest id a path may carry: PostgreSQL's bigint (the primary keys are BigAutoField).
MAX_ID = 2**63 - 1

NUL_REASON = "contiene un carácter nulo (\\0), que no se admite"

#: Where a problem was found, for the person who reads the message.
_PLACES = {
    "ruta": "en la dirección de la página",
    "consulta": "en el parámetro «{name}» de la dirección",
    "formulario": "en el campo «{name}» del formulario",
    "json": "en el campo «{name}» de los datos enviados",
    "archivo": "en el nombre del archivo enviado en «{name}»",
    "cookie": "en la cookie «{name}»",
    "cuerpo": "en los datos enviados",
}


def nul_message(kind: str, name: str = "") -> str:
    where = _PLACES[kind].format(name=name)
    return (
        f"La solicitud contiene un carácter nulo (\\0) {where}; ese carácter no se admite. "
        "Corrija el dato y vuelva a intentarlo."
    )


def _json_nul(value: Any, path: str = "") -> str | None:
    """The dotted path of the first key or string holding a NUL in a parsed JSON value, or None."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return where or "cuerpo"
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                if NUL in str(key):
                    return child_path
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(item))
    return None


def _pairs(query: Any) -> Iterator[tuple[str, str]]:
    for key, values in query.lists():
        yield key, key
        for value in values:
            yield key, value


def find_nul(request: HttpRequest) -> tuple[str, str] | None:
    """(kind, name) of the first place where the request carries a NUL, or None."""
    if NUL in request.path_info or NUL in request.path:
        return "ruta", "ruta"
    for key, value in _pairs(request.GET):
        if NUL in value:
            return "consulta", key.replace(NUL, "\\0")
    for key, value in request.COOKIES.items():
        if NUL in key or NUL in value:
            return "cookie", key.replace(NUL, "\\0")
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in _pairs(request.POST):
            if NUL in value:
                return "formulario", key.replace(NUL, "\\0")
        for key, uploads in request.FILES.lists():
            if NUL in key or any(NUL in (getattr(upload, "name", "") or "") for upload in uploads):
                return "archivo", key.replace(NUL, "\\0")
        return None
    if content_type.startswith("multipart/"):
        return None  # file contents are data; only form fields are text
    body = request.body
    if not body:
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        # Not JSON: a view that parses it will refuse it; a raw NUL is refused here all the same.
        return ("cuerpo", "cuerpo") if b"\x00" in body else None
    where = _json_nul(parsed)
    return None if where is None else ("json", where)


METHOD_NAMES = {
    "GET": "consultar",
    "POST": "enviar datos",
    "PUT": "reemplazar",
    "PATCH": "modificar",
    "DELETE": "eliminar",
    "HEAD": "consultar",
    "OPTIONS": "consultar opciones",
}


def method_not_allowed_message(request: HttpRequest, allowed: str) -> str:
    verbs = [m.strip() for m in allowed.split(",") if m.strip()]
    if verbs == ["POST"] or verbs == ["POST", "OPTIONS"]:
        return (
            "Esta dirección solo recibe formularios enviados desde la aplicación (POST); no se puede "
            "abrir directamente."
        )
    return f"La dirección no admite el método {request.method}; admite: {', '.join(verbs) or 'ninguno'}."


class InputSanitizingMiddleware:
    """The request's edge (see module): refuses, with a Spanish 400, any request with a NUL in what a
    view could read; on the way out, a 405 becomes the Spanish "Operación no permitida" page (JSON
    under /api/), and any other error under /api/ that is not JSON (Django's 404 for an address
    outside the API's routes) becomes the API's JSON error, so the API answers JSON whatever happens.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = find_nul(request)
        if found is not None:
            return self.refuse(request, *found)
        return self.finish(request, self.get_response(request))

    @staticmethod
    def is_api(request: HttpRequest) -> bool:
        return request.path_info.startswith("/api/")

    def refuse(self, request: HttpRequest, kind: str, name: str) -> HttpResponse:
        message = nul_message(kind, name)
        if self.is_api(request):
            return JsonResponse(
                {"detail": message, "errors": [{"campo": name, "motivo": NUL_REASON}]}, status=400
            )
        self.identify(request, cookies_are_clean=kind != "cookie")
        return render(request, "errors/400.html", {"message": message}, status=400)

    @staticmethod
    def identify(request: HttpRequest, *, cookies_are_clean: bool) -> None:
        """The user for the page's menu: this runs before the session middleware, so read the
        session here when its cookie is clean; anonymous when a cookie was the culprit."""
        if cookies_are_clean:
            from django.contrib.auth.middleware import AuthenticationMiddleware
            from django.contrib.sessions.middleware import SessionMiddleware

            SessionMiddleware(lambda r: HttpResponse()).process_request(request)
            AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
        else:
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()

    def finish(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        if status < 400 or getattr(response, "streaming", False):
            return response
        is_json = "json" in response.get("Content-Type", "")
        if status == 405 and not is_json:
            allowed = response.get("Allow", "")
            message = method_not_allowed_message(request, allowed)
            if self.is_api(request):
                new: HttpResponse = JsonResponse({"detail": message}, status=405)
            else:
                new = render(request, "errors/405.html", {"message": message}, status=405)
            if allowed:
                new["Allow"] = allowed
            return new
        if self.is_api(request) and not is_json and status in (400, 403, 404):
            detail = {
                400: "Solicitud inválida.",
                403: "No tiene permiso para esta operación.",
                404: "La dirección no existe en la API (vea /api/docs).",
            }[status]
            return JsonResponse({"detail": detail}, status=status)
        return response


def bounded_page(raw: Any, *, max_page: int = MAX_PAGE) -> int:
    """A page number from user input: 1 when missing or not a whole number, at most `max_page`."""
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    if len(text) > len(str(max_page)):
        return max_page
    return min(max(int(text), 1), max_page)


def paginate(request: HttpRequest, object_list: Any, per_page: int, *, param: str = "pagina") -> Page[Any]:
    """The requested page of `object_list` (the last one when the number is past the end)."""
    return Paginator(object_list, per_page).get_page(bounded_page(request.GET.get(param)))
