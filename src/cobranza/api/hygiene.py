"""Account hygiene in the JSON API (SPEC §11): `GET /findings?type=&employer=`,
`GET /cleanup-requests?status=&area=`, `POST /cleanup-requests/{id}/resolve` (area users).

The same selectors as the pages: a role without access to hygiene gets 403; a request the user may
not see is 404; an answer by someone outside the request's area is 403; a request already answered
or an empty answer is 422. Every status code is in the OpenAPI document.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import ImportBatch
from cobranza.hygiene import selectors, services
from cobranza.hygiene.models import CleanupRequest, Finding, FindingType, RequestStatus

router = Router(tags=["depuración"])


class ErrorOut(Schema):
    detail: str


class FindingOut(Schema):
    key: str
    type: str
    type_label: str
    employer_number: str
    legal_name: str
    status: str
    periods: list[str]
    payment_ids: list[str]
    amount: str
    is_estimate: bool
    reference_amount: str | None
    declared_amount: str | None
    first_seen_on: date
    last_seen_on: date


class RequestOut(Schema):
    id: int
    code: str
    employer_number: str
    legal_name: str
    area: str
    status: str
    finding: FindingOut | None
    note: str
    created_on: date
    due_on: date
    overdue: bool
    resolution: str
    answer: str
    import_batch: str | None
    answered_on: date | None


class ResolveIn(Schema):
    outcome: Literal["resolved", "rejected"] = "resolved"
    answer: str
    import_batch_id: int | None = None


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "key": f.key,
        "type": f.finding_type,
        "type_label": f.get_finding_type_display(),
        "employer_number": f.employer.employer_number,
        "legal_name": f.employer.legal_name,
        "status": f.status,
        "periods": f.periods,
        "payment_ids": f.payment_ids,
        "amount": _money(f.amount),
        "is_estimate": f.is_estimate,
        "reference_amount": _money(f.base_amount),
        "declared_amount": _money(f.declared_amount),
        "first_seen_on": f.first_seen_on,
        "last_seen_on": f.last_seen_on,
    }


def _request(r: CleanupRequest, today: date) -> dict[str, Any]:
    return {
        "id": r.pk,
        "code": r.code,
        "employer_number": r.employer.employer_number,
        "legal_name": r.employer.legal_name,
        "area": r.area,
        "status": r.status,
        "finding": _finding(r.finding) if r.finding else None,
        "note": r.note,
        "created_on": r.created_on,
        "due_on": r.due_on,
        "overdue": r.status == RequestStatus.PENDING and r.due_on < today,
        "resolution": r.resolution,
        "answer": r.answer,
        "import_batch": r.import_batch.filename if r.import_batch else None,
        "answered_on": r.answered_on,
    }


def _require(request: HttpRequest) -> None:
    if not selectors.can_use_hygiene(request.user):
        raise HttpError(403, "No tiene acceso a la depuración de cuentas.")


@router.get(
    "/findings",
    response={200: list[FindingOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Hallazgos abiertos visibles (filtros: tipo, número patronal)",
)
def finding_list(request: HttpRequest, type: str = "", employer: str = "", limit: int = 500) -> Any:  # noqa: A002
    _require(request)
    if type and type not in dict(FindingType.choices):
        raise HttpError(
            422, f"Tipo de hallazgo desconocido: «{type}». Use uno de: {', '.join(FindingType.values)}."
        )
    limit = max(1, min(limit, 5000))
    rows = selectors.finding_list(user=request.user, finding_type=type, employer_number=employer)[:limit]
    return 200, [_finding(f) for f in rows]


@router.get(
    "/cleanup-requests",
    response={200: list[RequestOut], 401: ErrorOut, 403: ErrorOut},
    summary="Solicitudes de depuración visibles (las de su área para otras áreas)",
)
def request_list(request: HttpRequest, status: str = "", area: str = "", limit: int = 500) -> Any:
    _require(request)
    rows = selectors.request_list(
        user=request.user, status=status if status in RequestStatus.values else "", area=area
    )
    today = business_date()
    return 200, [_request(r, today) for r in rows[: max(1, min(limit, 5000))]]


@router.post(
    "/cleanup-requests/{request_id}/resolve",
    response={200: RequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Responder una solicitud: resuelta (con nota o importación corregida) o rechazada con motivo",
)
def request_resolve(request: HttpRequest, request_id: int, body: ResolveIn) -> Any:
    _require(request)
    try:
        req = selectors.request_detail(user=request.user, pk=request_id)
    except CleanupRequest.DoesNotExist:
        raise HttpError(404, "Solicitud no encontrada.") from None
    if not services.can_answer(request.user, req):
        raise HttpError(403, f"Solo el área de {req.get_area_display()} responde la solicitud {req.code}.")
    batch = None
    if body.import_batch_id is not None:
        batch = ImportBatch.objects.filter(pk=body.import_batch_id).first()
        if batch is None:
            raise HttpError(422, f"No existe la importación {body.import_batch_id}.")
    try:
        if body.outcome == "rejected":
            services.cleanup_request_reject(actor=request.user, request=req, reason=body.answer)
        else:
            services.cleanup_request_resolve(
                actor=request.user, request=req, answer=body.answer, import_batch=batch
            )
    except ApplicationError as error:
        raise HttpError(422, error.message) from None
    req.refresh_from_db()
    return 200, _request(req, business_date())
