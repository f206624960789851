"""The JSON API (SPEC §11). Every router filters through the same selectors as the pages."""

from django.http import HttpRequest
from ninja import Schema

from cobranza.api import agreements, cases, desk, employers, hygiene, ledger, legal, publications
from cobranza.api.auth import BearerToken, api_token_issue, api_tokens_revoke, authenticate_for_token
from cobranza.api.errors import CobranzaAPI, ErrorOut, install_error_handlers
from cobranza.api.models import ApiToken
from cobranza.security.services import must_change_password

api = CobranzaAPI(
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


class LogoutOut(Schema):
    detail: str
    revoked: int


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    tags=["autenticación"],
    summary="Obtener un token",
    description=(
        "El token se muestra solo en esta respuesta (se guarda únicamente su huella SHA-256), vence "
        "a las COBRANZA_API_TOKEN_TTL_HOURS horas (8) y deja de servir al cerrar sesión o cambiar la "
        "contraseña; cada usuario tiene a lo sumo COBRANZA_API_TOKEN_MAX_ACTIVE tokens activos (5): "
        "uno nuevo revoca el más antiguo. 401: credenciales incorrectas; 403: el usuario debe cambiar "
        "su contraseña en /cuenta/contrasena/; 429: cuenta bloqueada por intentos fallidos."
    ),
)
def create_token(request: HttpRequest, credentials: TokenIn):  # type: ignore[no-untyped-def]
    user = authenticate_for_token(request, credentials.username, credentials.password)
    if user is None:
        return 401, {"detail": "Usuario o contraseña incorrectos."}
    if must_change_password(user):
        return 403, {
            "detail": "Debe cambiar la contraseña asignada por el administrador en /cuenta/contrasena/ "
            "antes de usar la API."
        }
    return 200, {"token": api_token_issue(user=user)}


@api.post(
    "/auth/logout",
    response={200: LogoutOut, 401: ErrorOut},
    tags=["autenticación"],
    summary="Cerrar sesión (revocar el token)",
    description="Revoca el token de la petición; con `todos=true`, todos los tokens del usuario.",
)
def logout(request: HttpRequest, todos: bool = False):  # type: ignore[no-untyped-def]
    token = getattr(request, "auth_token", None)
    revoked = api_tokens_revoke(
        user=request.user, because=ApiToken.RevokedBecause.LOGOUT, token=None if todos else token
    )
    return 200, {"detail": "Sesión de API cerrada: el token ya no sirve.", "revoked": revoked}


api.add_router("/", employers.router)
api.add_router("/", cases.router)
api.add_router("/", ledger.router)
api.add_router("/", agreements.router)
api.add_router("/", hygiene.router)
api.add_router("/", desk.router)
api.add_router("/", legal.router)  # judicial referrals (issue 11)
api.add_router("/", publications.router)


# The error contract (typed Spanish `ErrorOut` for every status) lives in cobranza.api.errors.
install_error_handlers(api)
