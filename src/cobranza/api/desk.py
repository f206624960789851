"""Service desk through the API (SPEC §11): `POST /api/employers/{n}/solvency`."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from cobranza.api.employers import get_visible_employer
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import has_role
from cobranza.desk.services import SOLVENCY_ROLES, solvency_issue

router = Router(tags=["atención a usuarios"])


class ErrorOut(Schema):
    detail: str


class OverduePeriodOut(Schema):
    period: str
    outstanding: str
    note: str


class SolvencyOut(Schema):
    number: str
    standing: str
    employer_number: str
    legal_name: str
    issued_on: date
    valid_from: date
    valid_until: date
    verification_code: str
    verification_url: str
    document_url: str


class SolvencyRefusedOut(Schema):
    detail: str
    overdue_periods: list[OverduePeriodOut]


@router.post(
    "/employers/{employer_number}/solvency",
    response={201: SolvencyOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: SolvencyRefusedOut},
    summary="Emitir la constancia de solvencia de un patrono",
    description=(
        "Emite hoy la constancia de solvencia (SPEC §4: «solvente» o «solvente con convenio»), "
        "numerada, con código de verificación, vigente 30 días desde el día siguiente. 422 con el motivo y "
        "los períodos vencidos cuando no procede (la solicitud denegada queda registrada); 403 para un rol "
        "que no emite constancias; 404 si el patrono no existe o no es visible."
    ),
)
def employer_solvency(request: HttpRequest, employer_number: str):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.urls import reverse

    from cobranza.documents.services import verification_url

    employer = get_visible_employer(request, employer_number)
    if not has_role(request.user, *SOLVENCY_ROLES):
        raise HttpError(403, "Su rol no permite emitir constancias de solvencia.")
    try:
        result = solvency_issue(actor=request.user, employer=employer)
    except ApplicationError as error:
        raise HttpError(422, error.message) from None
    if not result.issued:
        return 422, {"detail": result.reason, "overdue_periods": result.overdue_periods}
    document = result.document
    assert document is not None and document.valid_until is not None
    return 201, {
        "number": document.number,
        "standing": result.standing,
        "employer_number": employer.employer_number,
        "legal_name": employer.legal_name,
        "issued_on": document.issued_on,
        "valid_from": document.issued_on + timedelta(days=1),
        "valid_until": document.valid_until,
        "verification_code": document.code_display,
        "verification_url": verification_url(document.verification_code),
        "document_url": reverse("documents:download", args=[document.number]),
    }
