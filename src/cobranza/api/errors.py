"""The API's error contract (issue 10, item 11): one typed, Spanish error body for every status.

Every error the API answers is ``{"detail": "<sentence in Spanish>", "errors": [{"campo", "motivo"}]}``
(`ErrorOut`; ``errors`` lists the fields at fault and is left out when there are none):

- 400: the request cannot be read (a NUL character, refused by `cobranza.common.sanitize` before
  any view; a body that is not JSON) or a rule refused it (`ApplicationError`);
- 401: no valid token; 403: the role may not do it; 404: it does not exist or the user may not see
  it (the same answer, so existence is not revealed);
- 422: a parameter or a field does not validate (type, bounds, enum, date), each reason in Spanish.

`CobranzaAPI` writes that contract into the OpenAPI document for every operation (400 always; 401
when it needs a token; 404 when it has path parameters; 422 when it takes any input), so an
endpoint added later is documented the same way without repeating it; codes an operation declares
itself (403, 429, …) get the same schema. `install_error_handlers` makes the answers match.
Bounded parameter types (`PageNumber`, `RecordId`) live here too: the schema shows the bounds and
the validation refuses what is outside (422), so no number can overflow a query.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from cobranza.api.dates import DATE_ERROR
from cobranza.common.errors import ApplicationError
from cobranza.common.sanitize import MAX_ID, MAX_PAGE


class ErrorItem(Schema):
    campo: str = Field(..., description="Dónde está el problema (p. ej. `query.page`, `body.installments`).")
    motivo: str = Field(..., description="Por qué se rechazó, en español.")


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str = Field(..., description="El motivo, en español.")
    errors: list[ErrorItem] = Field(
        default_factory=list, description="Los campos con problemas, cuando los hay (si no, se omite)."
    )


ERROR_DESCRIPTIONS = {
    400: "Solicitud ilegible (carácter nulo, cuerpo que no es JSON) o rechazada por una regla.",
    401: "Falta el token o no es válido (Authorization: Bearer …).",
    403: "El rol del usuario no permite esta operación.",
    404: "No existe o no está al alcance del usuario.",
    422: "Un parámetro o campo no es válido (tipo, límites, valores permitidos, fecha).",
    429: "Demasiados intentos fallidos: cuenta bloqueada temporalmente.",
}

# -------------------------------------------------------------------------------- bounded parameters


def page_query() -> Any:
    """`page` of a paginated list: 1 … `MAX_PAGE` (beyond the last page the list is empty)."""
    return Query(1, ge=1, le=MAX_PAGE, description=f"Número de página, de 1 a {MAX_PAGE:,}.")  # type: ignore[type-arg]


def id_path(description: str) -> Any:
    """An id in the path: 1 … the largest bigint."""
    return Path(..., ge=1, le=MAX_ID, description=description)  # type: ignore[type-arg]


# -------------------------------------------------------------------------------- Spanish reasons


def _expected(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " o ")


#: pydantic's error types, in the words of the pages. Unknown types fall back to "valor inválido".
_REASONS: dict[str, Any] = {
    "missing": lambda c: "es obligatorio",
    "int_parsing": lambda c: "debe ser un número entero",
    "int_type": lambda c: "debe ser un número entero",
    "int_from_float": lambda c: "debe ser un número entero",
    "float_parsing": lambda c: "debe ser un número",
    "decimal_parsing": lambda c: "debe ser un número decimal",
    "decimal_type": lambda c: "debe ser un número decimal",
    "bool_parsing": lambda c: "debe ser verdadero o falso (true/false)",
    "bool_type": lambda c: "debe ser verdadero o falso (true/false)",
    "string_type": lambda c: "debe ser texto",
    "string_too_long": lambda c: f"admite a lo sumo {c.get('max_length')} caracteres",
    "greater_than_equal": lambda c: f"debe ser mayor o igual que {c.get('ge')}",
    "greater_than": lambda c: f"debe ser mayor que {c.get('gt')}",
    "less_than_equal": lambda c: f"debe ser menor o igual que {c.get('le')}",
    "less_than": lambda c: f"debe ser menor que {c.get('lt')}",
    "enum": lambda c: f"debe ser uno de: {_expected(c)}",
    "literal_error": lambda c: f"debe ser uno de: {_expected(c)}",
    "date_parsing": lambda c: "debe ser una fecha AAAA-MM-DD",
    "date_from_datetime_parsing": lambda c: "debe ser una fecha AAAA-MM-DD",
    "date_type": lambda c: "debe ser una fecha AAAA-MM-DD",
    "model_type": lambda c: "debe ser un objeto JSON",
    "model_attributes_type": lambda c: "debe ser un objeto JSON",
    "dict_type": lambda c: "debe ser un objeto JSON",
    "list_type": lambda c: "debe ser una lista",
    "json_invalid": lambda c: "no es JSON válido",
}

#: ninja's own English messages, in Spanish.
_NINJA_MESSAGES = {
    "Cannot parse request body": "El cuerpo de la solicitud no es JSON válido.",
    "Not Found": "No encontrado.",
    "Unauthorized": "Se requiere un token válido (Authorization: Bearer …).",
    "Forbidden": "No tiene permiso para esta operación.",
}


def reason(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == DATE_ERROR:
        return str(err.get("msg", "fecha inválida"))
    describe = _REASONS.get(kind)
    return describe(err.get("ctx") or {}) if describe else "valor inválido"


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error of `api` answered as `ErrorOut`, in Spanish."""

    def respond(
        request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]] | None = None
    ) -> HttpResponse:
        body: dict[str, Any] = {"detail": detail}
        if errors:
            body["errors"] = errors
        return api.create_response(request, body, status=status)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 401, _NINJA_MESSAGES["Unauthorized"])

    @api.exception_handler(ApplicationError)
    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        errors = [
            {
                "campo": str(d.get("campo") or d.get("columna") or d.get("field") or ""),
                "motivo": str(d.get("motivo") or d.get("reason") or ""),
            }
            for d in exc.details
            if isinstance(d, dict)
        ]
        return respond(request, 400, exc.message, errors)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        problems = [
            {"campo": ".".join(str(p) for p in err.get("loc", [])), "motivo": reason(err)}
            for err in exc.errors
        ]
        # A refused date says which and why (SPEC §5), in the same words as the pages and commands.
        dates = [err["msg"] for err in exc.errors if err.get("type") == DATE_ERROR]
        detail = dates[0] if dates else "Datos de la solicitud inválidos."
        return respond(request, 422, detail, problems)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        return respond(request, exc.status_code, _NINJA_MESSAGES.get(message, message))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 404, "No encontrado o fuera de su alcance.")

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 403, str(exc) or _NINJA_MESSAGES["Forbidden"])


# -------------------------------------------------------------------------------- OpenAPI


def _component_schemas() -> dict[str, Any]:
    schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {**defs, "ErrorOut": schema}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error contract to every operation of an OpenAPI document (in place; returned)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(_component_schemas())
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = operation.get("parameters", [])
            responses = {str(code): value for code, value in operation.get("responses", {}).items()}
            codes = {400} | {int(code) for code in responses if code.startswith("4")}
            if operation.get("security"):
                codes.add(401)
            if any(p.get("in") == "path" for p in params):
                codes.add(404)
            if params or "requestBody" in operation:
                codes.add(422)
            for code in codes:
                responses[str(code)] = {
                    "description": ERROR_DESCRIPTIONS.get(code, "Error."),
                    "content": content,
                }
            operation["responses"] = dict(sorted(responses.items()))
    return schema


class CobranzaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document states the error contract of every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(*args, **kwargs))
