"""The JSON API (SPEC §11). Every router filters through the same selectors as the pages."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cobranza.api import agreements, cases, employers, ledger
from cobranza.api.auth import BearerToken, issue_token
from cobranza.api.dates import DATE_ERROR
from cobranza.common.errors import ApplicationError

api = NinjaAPI(
    title="Cobranza API",
    version="1.0",
    description="API de Cobranza: patronos, estados de cuenta y gestión de cobro.",
    auth=BearerToken(),
    urls_namespace="api",
)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    detail: str


@api.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut}, tags=["autenticación"])
def create_token(request: HttpRequest, credentials: TokenIn):  # type: ignore[no-untyped-def]
    key = issue_token(request, credentials.username, credentials.password)
    if key is None:
        return 401, {"detail": "Usuario o contraseña incorrectos."}
    return 200, {"token": key}


api.add_router("/", employers.router)
api.add_router("/", cases.router)
api.add_router("/", ledger.router)
api.add_router("/", agreements.router)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Se requiere un token válido (Authorization: Bearer …)."}, status=401
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "errors": exc.details}, status=400)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        where = ".".join(str(p) for p in err.get("loc", []))
        problems.append({"campo": where, "motivo": err.get("msg", "valor inválido")})
    # A refused date says which and why (SPEC §5), in the same words as the pages and commands.
    dates = [err["msg"] for err in exc.errors if err.get("type") == DATE_ERROR]
    detail = dates[0] if dates else "Datos de la solicitud inválidos."
    return api.create_response(request, {"detail": detail, "errors": problems}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
