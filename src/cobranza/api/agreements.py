"""Payment agreements in the JSON API: options, simulations, agreements and their installments.

The same visibility as the pages: an employer (or agreement) the user may not see is a 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from cobranza.agreements import selectors
from cobranza.agreements.models import Agreement
from cobranza.agreements.services import to_money_cents
from cobranza.api.employers import get_visible_employer
from cobranza.common.errors import ApplicationError
from cobranza.engine.agreements import AgreementOptionError, build_schedule
from cobranza.engine.calendar import add_months
from cobranza.engine.money import fmt_cents

router = Router(tags=["convenios"])


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


class AgreementDetailOut(AgreementOut):
    installments: list[InstallmentOut]


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
    today = timezone.localdate()
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
    request: HttpRequest, employer_number: str, as_of: date | None = None, start: date | None = None
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
    installments: int,
    as_of: date | None = None,
    start: date | None = None,
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
def agreement_list(request: HttpRequest, state: str = "") -> list[dict[str, Any]]:
    qs = selectors.visible_agreements(user=request.user).order_by("-created_at", "-id")
    if state:
        qs = qs.filter(state=state)
    return [_agreement_dict(a) for a in qs[:500]]


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut, summary="Un convenio con sus cuotas")
def agreement_detail(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    return _agreement_dict(_visible_agreement(request, agreement_id), with_installments=True)


@router.get(
    "/agreements/{agreement_id}/installments", response=list[InstallmentOut], summary="Cuotas de un convenio"
)
def agreement_installments(request: HttpRequest, agreement_id: int) -> list[dict[str, Any]]:
    return [_installment_dict(i) for i in _visible_agreement(request, agreement_id).installments.all()]
