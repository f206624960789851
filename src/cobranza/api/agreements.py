"""Payment agreements in the JSON API: options, simulations, agreements and their installments,
and the writes of issue 9: draft (`POST /employers/{n}/agreements`), approve
(`POST /agreements/{id}/approve`) and restructure (`POST /agreements/{id}/restructure`).

The same visibility as the pages: an employer (or agreement) the user may not see is a 404. A role
that may not do the write, or the author approving its own draft (four eyes), is a 403; a refusal
of the rules (an option outside the policy, a back-dated draft, a state that does not allow it) is
a 422; every one with a Spanish `detail`, and every status code is in the OpenAPI document.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator

from cobranza.agreements import selectors, services
from cobranza.agreements.models import Agreement, AgreementState
from cobranza.agreements.services import to_money_cents
from cobranza.api.dates import ApiDate
from cobranza.api.employers import get_visible_employer
from cobranza.api.errors import ErrorOut, id_path
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.engine.agreements import AgreementOptionError, build_schedule
from cobranza.engine.calendar import add_months
from cobranza.engine.money import fmt_cents

router = Router(tags=["convenios"])

#: Bounds the number of installments any request may name (the policy's maximum is far lower and
#: refuses the rest with its reason): no number reaches the database or the schedule unbounded.
MAX_INSTALLMENTS = 600


def _agreement_id() -> Any:
    return id_path("Número interno del convenio.")


class OptionOut(Schema):
    installments: int
    down_payment: str
    installment: str
    monthly_rate: str
    total_interest: str
    total: str


class OptionsOut(Schema):
    employer_number: str
    as_of: date
    start: date
    policy_version: str
    debt: str
    periods: list[str]
    min_down_payment: str
    max_installments: int
    options: list[OptionOut]


class ScheduleLineOut(Schema):
    number: int
    due_date: date
    installment: str
    interest: str
    principal: str
    balance: str


class SimulationOut(Schema):
    employer_number: str
    as_of: date
    debt: str
    down_payment: str
    financed: str
    installments: int
    monthly_rate: str
    installment: str
    total_interest: str
    total: str
    schedule: list[ScheduleLineOut]


class InstallmentOut(Schema):
    number: int
    due_date: date
    amount: str
    interest: str
    principal: str
    balance: str
    paid_amount: str
    paid_off_on: date | None
    status: str


class AgreementOut(Schema):
    id: int
    number: str
    employer_number: str
    state: str
    state_label: str
    as_of: date
    periods: list[str]
    debt: str
    down_payment: str
    financed: str
    installments_count: int
    monthly_rate: str
    installment_amount: str
    total_interest: str
    total: str
    start: date
    policy_version: str
    drafted_by: str
    approved_by: str | None
    signed_on: date | None
    lapsed_on: date | None
    fulfilled_on: date | None
    valid_until: date | None = Field(
        None, description="Último día para pagar la prima; después el borrador vence."
    )
    expired_on: date | None = None
    restructured_on: date | None = None
    restructured_from: str | None = Field(None, description="Número del convenio que este reestructura.")


class AgreementDetailOut(AgreementOut):
    installments: list[InstallmentOut]


def _amount_text(value: Any) -> Any:
    """A JSON number (286.98) or text ("286.98") for an amount: kept as text, cents checked later."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value


AmountText = Annotated[str, BeforeValidator(_amount_text)]


class DraftIn(Schema):
    down_payment: AmountText = Field(..., description='Prima, p. ej. "286.98".')
    installments: int = Field(..., ge=1, le=MAX_INSTALLMENTS, description="Número de cuotas.")
    start: ApiDate | None = Field(
        None, description="Vencimiento de la primera cuota (por omisión, en un mes)."
    )
    as_of: ApiDate | None = Field(
        None,
        description="Solo la fecha de hoy: un convenio se elabora con la fecha de negocio, nunca antedatado.",
    )


#: The status codes of a write, each with a Spanish `detail` (OpenAPI).
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _agreement_dict(a: Agreement, *, with_installments: bool = False) -> dict[str, Any]:
    data = {
        "id": a.pk,
        "number": a.number,
        "employer_number": a.employer.employer_number,
        "state": a.state,
        "state_label": a.get_state_display(),
        "as_of": a.as_of,
        "periods": list(a.periods),
        "debt": _money(a.debt),
        "down_payment": _money(a.down_payment),
        "financed": _money(a.financed),
        "installments_count": a.installments_count,
        "monthly_rate": format(a.monthly_rate.normalize(), "f"),
        "installment_amount": _money(a.installment_amount),
        "total_interest": _money(a.total_interest),
        "total": _money(a.total),
        "start": a.start,
        "policy_version": a.policy_version,
        "drafted_by": a.drafted_by.username,
        "approved_by": a.approved_by.username if a.approved_by_id else None,
        "signed_on": a.signed_on,
        "lapsed_on": a.lapsed_on,
        "fulfilled_on": a.fulfilled_on,
        "valid_until": a.valid_until,
        "expired_on": a.expired_on,
        "restructured_on": a.restructured_on,
        "restructured_from": a.restructured_from.number if a.restructured_from_id else None,
    }
    if with_installments:
        data["installments"] = [_installment_dict(i) for i in a.installments.all()]
    return data


def _installment_dict(i: Any) -> dict[str, Any]:
    return {
        "number": i.number,
        "due_date": i.due_date,
        "amount": _money(i.amount),
        "interest": _money(i.interest),
        "principal": _money(i.principal),
        "balance": _money(i.balance),
        "paid_amount": _money(i.paid_amount),
        "paid_off_on": i.paid_off_on,
        "status": i.status,
    }


def _dates(as_of: date | None, start: date | None) -> tuple[date, date]:
    today = business_date()
    as_of = as_of or today
    if as_of > today:
        raise HttpError(400, f"La fecha de cálculo {as_of:%d/%m/%Y} es futura.")
    start = start or add_months(as_of, 1)
    if start <= as_of:
        raise HttpError(400, "La primera cuota debe vencer después de la fecha de cálculo.")
    return as_of, start


def _visible_agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    try:
        return selectors.agreement_detail(user=request.user, pk=agreement_id)
    except Agreement.DoesNotExist:
        raise HttpError(404, "Convenio no encontrado.") from None


@router.get(
    "/employers/{employer_number}/agreement-options",
    response=OptionsOut,
    summary="Opciones de pago de un patrono (contado y cada plazo permitido)",
)
def agreement_options(
    request: HttpRequest, employer_number: str, as_of: ApiDate | None = None, start: ApiDate | None = None
) -> dict[str, Any]:
    employer = get_visible_employer(request, employer_number)
    as_of, start = _dates(as_of, start)
    opts = selectors.employer_options(employer=employer, as_of=as_of, start=start)
    return {
        "employer_number": employer.employer_number,
        "as_of": as_of,
        "start": start,
        "policy_version": opts.policy.version,
        "debt": fmt_cents(opts.debt_cents),
        "periods": opts.periods,
        "min_down_payment": fmt_cents(opts.min_down_payment_cents),
        "max_installments": opts.max_installments,
        "options": [o.to_json_dict() for o in opts.options],
    }


@router.get(
    "/employers/{employer_number}/agreement-simulation",
    response=SimulationOut,
    summary="Calendario de una prima y un plazo (400 con el motivo y los límites si la política no lo permite)",
)
def agreement_simulation(
    request: HttpRequest,
    employer_number: str,
    down_payment: str,
    installments: int = Query(..., ge=1, le=MAX_INSTALLMENTS, description="Número de cuotas."),
    as_of: ApiDate | None = None,
    start: ApiDate | None = None,
) -> dict[str, Any]:
    employer = get_visible_employer(request, employer_number)
    as_of, start = _dates(as_of, start)
    opts = selectors.employer_options(employer=employer, as_of=as_of, start=start)
    try:
        sim = build_schedule(
            debt_cents=opts.debt_cents,
            down_payment_cents=to_money_cents(down_payment, field="prima"),
            installments=installments,
            start=start,
            policy=opts.policy,
            worker_share_cents=opts.worker_share_cents,
        )
    except AgreementOptionError as exc:
        raise ApplicationError(str(exc)) from None
    return sim.to_json_dict(employer.employer_number, as_of)


@router.get(
    "/employers/{employer_number}/agreements", response=list[AgreementOut], summary="Convenios de un patrono"
)
def employer_agreements(request: HttpRequest, employer_number: str) -> list[dict[str, Any]]:
    employer = get_visible_employer(request, employer_number)
    return [_agreement_dict(a) for a in selectors.employer_agreements(user=request.user, employer=employer)]


@router.get(
    "/agreements", response=list[AgreementOut], summary="Convenios visibles (filtro opcional por estado)"
)
def agreement_list(
    request: HttpRequest,
    state: AgreementState | None = Query(None, description="Solo los convenios en este estado."),
) -> list[dict[str, Any]]:
    qs = selectors.visible_agreements(user=request.user).order_by("-created_at", "-id")
    if state:
        qs = qs.filter(state=state)
    return [_agreement_dict(a) for a in qs[:500]]


@router.post(
    "/employers/{employer_number}/agreements",
    response={201: AgreementDetailOut, **WRITE_ERRORS},
    summary="Elaborar un convenio (borrador con su calendario), con la deuda vencida de hoy",
    description=(
        "201: el borrador con su calendario. 401: sin token. 403: el rol no elabora convenios. "
        "404: patrono inexistente o fuera de su cartera. 422: opción fuera de la política, fecha "
        "distinta de hoy (no se antedata), sin deuda vencida o períodos ya en otro convenio."
    ),
)
def agreement_draft(request: HttpRequest, employer_number: str, payload: DraftIn):  # type: ignore[no-untyped-def]
    employer = get_visible_employer(request, employer_number)
    if not services.can_draft(request.user):
        return 403, {"detail": "Solo un gestor de cobros o una jefatura pueden elaborar convenios de pago."}
    try:
        agreement = services.agreement_draft(
            actor=request.user,
            employer=employer,
            down_payment=payload.down_payment,
            installments=payload.installments,
            start=payload.start,
            as_of=payload.as_of,
        )
    except ApplicationError as exc:
        return 422, {"detail": exc.message}
    return 201, _agreement_dict(_visible_agreement(request, agreement.pk), with_installments=True)


@router.post(
    "/agreements/{agreement_id}/approve",
    response={200: AgreementDetailOut, **WRITE_ERRORS},
    summary="Aprobar un borrador (una jefatura distinta de quien lo elaboró)",
    description=(
        "200: el convenio aprobado. 401: sin token. 403: no es jefatura, o es quien lo elaboró "
        "(cuatro ojos). 404: convenio inexistente o de un patrono fuera de su cartera. 422: el "
        "convenio no está en borrador."
    ),
)
def agreement_approve(request: HttpRequest, agreement_id: int = _agreement_id()):  # type: ignore[no-untyped-def]
    agreement = _visible_agreement(request, agreement_id)
    if not services.can_approve(request.user):
        return 403, {
            "detail": "Solo una jefatura (de departamento o de sucursal) puede aprobar convenios de pago."
        }
    if agreement.drafted_by_id == request.user.pk:
        return 403, {
            "detail": f"Usted elaboró el convenio {agreement.number}: no puede aprobarlo; debe aprobarlo otra jefatura."
        }
    try:
        services.agreement_approve(actor=request.user, agreement=agreement)
    except ApplicationError as exc:
        return 422, {"detail": exc.message}
    return 200, _agreement_dict(_visible_agreement(request, agreement_id), with_installments=True)


class RestructureIn(Schema):
    down_payment: AmountText = Field(..., description='Prima del convenio nuevo, p. ej. "50.00".')
    installments: int = Field(
        ..., ge=1, le=MAX_INSTALLMENTS, description="Número de cuotas del convenio nuevo."
    )
    start: ApiDate | None = Field(
        None, description="Vencimiento de su primera cuota (por omisión, en un mes)."
    )


@router.post(
    "/agreements/{agreement_id}/restructure",
    response={201: AgreementDetailOut, **WRITE_ERRORS},
    summary="Reestructurar un convenio vigente o incumplido (jefaturas): su saldo pasa a un borrador nuevo",
    description=(
        "201: el borrador nuevo, con su calendario, enlazado al convenio reestructurado (que queda "
        "«Reestructurado»); otra jefatura debe aprobarlo. 401: sin token. 403: no es jefatura. 404: "
        "convenio inexistente o de un patrono fuera de su alcance. 422: el convenio no está vigente ni "
        "incumplido, ya viene de una reestructuración (la política permite una), o la opción no cabe."
    ),
)
def agreement_restructure(request: HttpRequest, payload: RestructureIn, agreement_id: int = _agreement_id()):  # type: ignore[no-untyped-def]
    agreement = _visible_agreement(request, agreement_id)
    if not services.can_approve(request.user):
        return 403, {"detail": "Solo una jefatura puede reestructurar un convenio de pago."}
    try:
        new = services.agreement_restructure(
            actor=request.user,
            agreement=agreement,
            down_payment=payload.down_payment,
            installments=payload.installments,
            start=payload.start,
        )
    except ApplicationError as exc:
        return 422, {"detail": exc.message}
    return 201, _agreement_dict(_visible_agreement(request, new.pk), with_installments=True)


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut, summary="Un convenio con sus cuotas")
def agreement_detail(request: HttpRequest, agreement_id: int = _agreement_id()) -> dict[str, Any]:
    return _agreement_dict(_visible_agreement(request, agreement_id), with_installments=True)


@router.get(
    "/agreements/{agreement_id}/installments", response=list[InstallmentOut], summary="Cuotas de un convenio"
)
def agreement_installments(request: HttpRequest, agreement_id: int = _agreement_id()) -> list[dict[str, Any]]:
    return [_installment_dict(i) for i in _visible_agreement(request, agreement_id).installments.all()]
