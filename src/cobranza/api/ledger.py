"""Statements through the API (SPEC §11): exactly the statement JSON of SPEC §5."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from cobranza.api.employers import get_visible_employer
from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.ledger.selectors import statement_for_employer

router = Router(tags=["estados de cuenta"])


@router.get(
    "/employers/{employer_number}/statement",
    response=dict,
    summary="Estado de cuenta de un patrono a una fecha",
    description=(
        "El estado de cuenta (SPEC §5) calculado con la versión de la política vigente a la fecha "
        "`as_of` (AAAA-MM-DD o DD/MM/AAAA, entre 1954-01-01 y 2100-12-31; por defecto, la fecha de "
        "negocio: hoy). 404 si el patrono no existe o el usuario no puede verlo; 422 si la fecha no es "
        "válida, está fuera de rango o no hay política vigente a esa fecha."
    ),
)
def employer_statement(request: HttpRequest, employer_number: str, as_of: str = "") -> dict[str, Any]:
    employer = get_visible_employer(request, employer_number)
    if as_of.strip():
        try:
            day = parse_user_date(as_of, field="fecha")
        except ApplicationError as error:
            raise HttpError(422, error.message) from None
    else:
        day = business_date()
    try:
        statement = statement_for_employer(employer, day)
    except ApplicationError as error:
        raise HttpError(422, error.message) from None
    return statement.to_json_dict()
