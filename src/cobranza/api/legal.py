"""Judicial referrals in the JSON API (SPEC §11): `GET /referrals?state=&kind=&employer=`.

The same selector as the pages: department heads and administrators see every referral, a branch
head those of its branch, the legal unit every referral a head approved, a collector those of its
portfolio; any other role gets 403. Unknown filters are 422 in Spanish.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from cobranza.api.errors import ErrorOut
from cobranza.common import roles
from cobranza.common.roles import Role
from cobranza.legal import selectors
from cobranza.legal.models import Referral, ReferralKind, ReferralState

router = Router(tags=["cobro judicial"])


class StepOut(Schema):
    kind: str
    kind_label: str
    on: date
    court: str
    court_case_number: str
    amount: str | None
    outcome: str
    notes: str


class ReferralOut(Schema):
    id: int
    code: str
    employer_number: str
    legal_name: str
    case: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    amount: str
    worker_share_amount: str
    periods: list[str]
    requested_on: date
    requested_by: str
    decided_on: date | None
    return_reason: str
    legal_on: date | None
    legal_return_reason: str
    certificate_number: str | None
    certificate_code: str | None
    court: str
    court_case_number: str
    next_step: str
    next_step_on: date | None
    closed_on: date | None
    outcome: str
    steps: list[StepOut]


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _referral(r: Referral) -> dict[str, Any]:
    return {
        "id": r.pk,
        "code": r.code,
        "employer_number": r.employer.employer_number,
        "legal_name": r.employer.legal_name,
        "case": r.case.code,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "state": r.state,
        "state_label": r.get_state_display(),
        "amount": f"{r.amount:.2f}",
        "worker_share_amount": f"{r.worker_share_amount:.2f}",
        "periods": list(r.periods or []),
        "requested_on": r.requested_on,
        "requested_by": _name(r.requested_by),
        "decided_on": r.decided_on,
        "return_reason": r.return_reason,
        "legal_on": r.legal_on,
        "legal_return_reason": r.legal_return_reason,
        "certificate_number": r.certificate.number if r.certificate else None,
        "certificate_code": r.certificate.code_display if r.certificate else None,
        "court": r.court,
        "court_case_number": r.court_case_number,
        "next_step": r.next_step,
        "next_step_on": r.next_step_on,
        "closed_on": r.closed_on,
        "outcome": r.outcome,
        "steps": [
            {
                "kind": s.kind,
                "kind_label": s.get_kind_display(),
                "on": s.on,
                "court": s.court,
                "court_case_number": s.court_case_number,
                "amount": None if s.amount is None else f"{s.amount:.2f}",
                "outcome": s.outcome,
                "notes": s.notes,
            }
            for s in r.steps.all()
        ],
    }


@router.get(
    "/referrals",
    response={200: list[ReferralOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Remisiones a cobro judicial visibles (filtros: estado, tipo, número patronal)",
)
def referral_list(
    request: HttpRequest, state: str = "", kind: str = "", employer: str = "", limit: int = 500
) -> Any:
    if not roles.has_role(
        request.user, Role.ADMIN, Role.DEPARTMENT_HEAD, Role.BRANCH_HEAD, Role.LEGAL, Role.COLLECTOR
    ):
        raise HttpError(403, "Su rol no consulta remisiones a cobro judicial.")
    if state and state not in ReferralState.values:
        raise HttpError(422, f"Estado desconocido: «{state}». Use uno de: {', '.join(ReferralState.values)}.")
    if kind and kind not in ReferralKind.values:
        raise HttpError(422, f"Tipo desconocido: «{kind}». Use uno de: {', '.join(ReferralKind.values)}.")
    rows = (
        selectors.visible_referrals(user=request.user)
        .select_related("certificate")
        .prefetch_related("steps")
        .order_by("-requested_on", "-id")
    )
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if employer:
        rows = rows.filter(employer__employer_number=employer.strip()[:20])
    return 200, [_referral(r) for r in rows[: max(1, min(limit, 5000))]]
