"""Writes of the judicial referral (ARCHITECTURE.md convention 1): keyword-only, atomic, an audit
event in the same transaction, and every state change through `referral_transition`.

- `referral_request`: the collector of the portfolio (or a head) asks; the criteria are checked
  (`criteria.referral_check`) and a refusal names every missing item.
- `referral_approve` / `referral_return`: a head who sees the employer and did not request it
  (four eyes). Approving moves the case to «Remitido a cobro judicial» (`case_follow_referral`, the
  only way into that state), issues the debt certificate and builds the referral package.
- `referral_accept` / `referral_legal_return`: the legal unit. Returning puts the case back in
  «En gestión de cobro».
- `referral_step_record`: the legal unit's progress (lawsuit filed, hearing, judgment, payment,
  closed), with an optional file stored in the case; a lawsuit restarts the limitation clock of the
  periods referred (`ledger.services.limitation_restart_record`).
- `referral_package_build`: the ZIP again, with the case's documents as they are now.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cobranza.cases.models import CaseFile, CaseState, DocumentType
from cobranza.common import audit, roles
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import Role
from cobranza.employers.selectors import visible_employers
from cobranza.legal import criteria
from cobranza.legal.models import (
    REFERRAL_TRANSITIONS,
    STEP_STATES,
    STEPS_ALLOWED,
    ClosingOutcome,
    Referral,
    ReferralKind,
    ReferralState,
    ReferralStep,
    StepKind,
)

STATE_LABELS = dict(ReferralState.choices)
STEP_LABELS = dict(StepKind.choices)
REQUESTERS = (Role.COLLECTOR, Role.DEPARTMENT_HEAD, Role.BRANCH_HEAD, Role.ADMIN)
APPROVERS = (Role.DEPARTMENT_HEAD, Role.BRANCH_HEAD, Role.ADMIN)
LEGAL_UNIT = (Role.LEGAL, Role.ADMIN)


def _d(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _name(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "el sistema"
    return user.get_full_name() or user.get_username()


def _sees(actor: User, employer_id: int) -> bool:
    return visible_employers(user=actor).filter(pk=employer_id).exists()


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise ApplicationError("Datos no válidos: " + " ".join(error.messages)) from error


def can_request(user: Any) -> bool:
    return user is not None and roles.has_role(user, *REQUESTERS)


def can_approve(user: Any) -> bool:
    return user is not None and roles.has_role(user, *APPROVERS)


def is_legal(user: Any) -> bool:
    return user is not None and roles.has_role(user, *LEGAL_UNIT)


# ----------------------------------------------------------------------------------- state machine
def referral_transition(
    *, actor: Any, referral: Referral, to_state: str, reason: str = "", extra: dict[str, Any] | None = None
) -> Referral:
    """Move a locked referral along `REFERRAL_TRANSITIONS` and record it; refuse any other move."""
    current = referral.state
    if to_state not in REFERRAL_TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(
            f"«{STATE_LABELS[s]}»" for s in ReferralState.values if s in REFERRAL_TRANSITIONS[current]
        )
        tail = f" Puede pasar a: {allowed}." if allowed else " Es un estado final."
        raise ApplicationError(
            f"La remisión {referral.code} está «{STATE_LABELS[current]}» y no puede pasar a "
            f"«{STATE_LABELS.get(to_state, to_state)}».{tail}"
        )
    referral.state = to_state
    _full_clean(referral)
    referral.save()
    audit.record(
        actor=actor,
        action="legal.referral_transition",
        obj=referral,
        employer_number=referral.employer.employer_number,
        before={"state": current},
        after={"state": to_state, **(extra or {})},
        reason=reason or f"Remisión {referral.code}",
    )
    return referral


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("employer", "case", "case__employer", "requested_by")
        .get(pk=referral.pk)
    )


# ------------------------------------------------------------------------------------------ request
@transaction.atomic
def referral_request(
    *,
    actor: User,
    case: CaseFile,
    kind: str = ReferralKind.ORDINARY,
    note: str = "",
    as_of: date | None = None,
) -> Referral:
    """Request the judicial referral of `case` (see the module docstring). Refused, with every
    missing criterion named, when the case does not meet them; nothing is written then."""
    case = CaseFile.objects.select_related("employer").get(pk=case.pk)
    if not _sees(actor, case.employer_id):
        raise ApplicationError(f"No tiene acceso al patrono {case.employer.employer_number}.")
    if not can_request(actor):
        raise ApplicationError(
            "Solo el gestor de cobros del patrono o una jefatura pueden solicitar una remisión a cobro judicial."
        )
    if kind not in ReferralKind.values:
        raise ApplicationError(f"Tipo de remisión desconocido: «{kind}».")
    today = business_date()
    as_of = as_of or today
    check = criteria.referral_check(case=case, as_of=as_of, kind=kind)
    if not check.ok:
        raise ApplicationError(criteria.refusal_message(check))
    figures = check.figures
    assert figures is not None
    referral = Referral(
        case=case,
        employer=case.employer,
        kind=kind,
        state=ReferralState.REQUESTED,
        route=check.route[:300],
        requested_by=actor,
        requested_on=as_of,
        request_note=(note or "").strip()[:4000],
        criteria={**check.criteria_json(), "figures": figures.to_json()},
        periods=figures.periods,
        amount=Decimal(figures.total_cents) / 100,
        worker_share_amount=Decimal(figures.worker_share_cents) / 100,
    )
    _full_clean(referral)
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        raise ApplicationError(
            f"El patrono {case.employer.employer_number} ya tiene una remisión a cobro judicial en curso."
        ) from None
    audit.record(
        actor=actor,
        action="legal.referral_requested",
        obj=referral,
        employer_number=case.employer.employer_number,
        after={
            "referral": referral.code,
            "kind": kind,
            "amount": referral.amount,
            "periods": referral.periods,
            "state": referral.state,
        },
        reason=f"Solicitud de remisión {referral.code} ({check.route})",
    )
    return referral


# ------------------------------------------------------------------------------- head's decision
def _require_head_for(actor: User, referral: Referral) -> None:
    if not can_approve(actor):
        raise ApplicationError("Solo una jefatura puede aprobar o devolver una remisión a cobro judicial.")
    if not _sees(actor, referral.employer_id):
        raise ApplicationError(f"No tiene acceso al patrono {referral.employer.employer_number}.")


@transaction.atomic
def referral_approve(*, actor: User, referral: Referral) -> Referral:
    """A head approves (four eyes): the criteria are checked again today (a payment or a claim may
    have come in since), the case becomes «Remitido a cobro judicial», the debt certificate is
    issued with today's figures and the referral package is built."""
    from cobranza.cases.services import case_follow_referral

    locked = _locked(referral)
    _require_head_for(actor, locked)
    if locked.requested_by_id == actor.pk:
        raise ApplicationError(
            f"Usted solicitó la remisión {locked.code}: debe aprobarla otra jefatura (cuatro ojos)."
        )
    if locked.state != ReferralState.REQUESTED:
        raise ApplicationError(
            f"La remisión {locked.code} está «{locked.get_state_display()}»: solo se aprueba una solicitud pendiente."
        )
    today = business_date()
    # Its own referral is the one in course: the rest is checked as for a new request.
    check = criteria.referral_check(case=locked.case, as_of=today, kind=locked.kind, exclude=locked)
    if not check.ok:
        raise ApplicationError(criteria.refusal_message(check) + " Devuelva la solicitud con el motivo.")
    figures = check.figures
    assert figures is not None
    case_follow_referral(
        actor=actor,
        case=locked.case,
        to_state=CaseState.REFERRED_TO_LEGAL,
        referral=locked.code,
        reason=f"Remisión a cobro judicial {locked.code} aprobada por {_name(actor)}",
    )
    locked.decided_by = actor
    locked.decided_on = today
    locked.periods = figures.periods
    locked.amount = Decimal(figures.total_cents) / 100
    locked.worker_share_amount = Decimal(figures.worker_share_cents) / 100
    locked.criteria = {**locked.criteria, "approval": check.criteria_json(), "figures": figures.to_json()}
    from cobranza.legal.documents import certificate_issue

    locked.certificate = certificate_issue(actor=actor, referral=locked, figures=figures)
    referral_transition(
        actor=actor,
        referral=locked,
        to_state=ReferralState.APPROVED,
        reason=f"Aprobada por {_name(actor)}; certificación {locked.certificate.number}",
        extra={"amount": locked.amount, "certificate": locked.certificate.number},
    )
    _package(actor=actor, referral=locked)
    return locked


@transaction.atomic
def referral_return(*, actor: User, referral: Referral, reason: str) -> Referral:
    """A head returns a pending request to the collector, with the reason."""
    locked = _locked(referral)
    _require_head_for(actor, locked)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique el motivo de la devolución.")
    if locked.state != ReferralState.REQUESTED:
        raise ApplicationError(
            f"La remisión {locked.code} está «{locked.get_state_display()}»: solo se devuelve una solicitud pendiente."
        )
    locked.decided_by = actor
    locked.decided_on = business_date()
    locked.return_reason = reason[:4000]
    return referral_transition(
        actor=actor, referral=locked, to_state=ReferralState.RETURNED, reason=f"Devuelta: {reason}"
    )


# ------------------------------------------------------------------------------------ legal unit
def _require_legal(actor: User) -> None:
    if not is_legal(actor):
        raise ApplicationError("Solo la unidad jurídica recibe las remisiones y registra su avance.")


@transaction.atomic
def referral_accept(*, actor: User, referral: Referral, note: str = "") -> Referral:
    locked = _locked(referral)
    _require_legal(actor)
    locked.legal_by = actor
    locked.legal_on = business_date()
    locked.next_step = "Presentar la demanda"
    return referral_transition(
        actor=actor,
        referral=locked,
        to_state=ReferralState.ACCEPTED,
        reason=f"Recibida por la unidad jurídica{': ' + note.strip() if note and note.strip() else ''}",
    )


@transaction.atomic
def referral_legal_return(*, actor: User, referral: Referral, reason: str) -> Referral:
    """The legal unit returns an approved referral (with the reasons); the case goes back to
    «En gestión de cobro» so the collector can complete it."""
    from cobranza.cases.services import case_follow_referral

    locked = _locked(referral)
    _require_legal(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique los motivos de la devolución.")
    if locked.state != ReferralState.APPROVED:
        raise ApplicationError(
            f"La remisión {locked.code} está «{locked.get_state_display()}»: solo se devuelve una remisión recién recibida."
        )
    locked.legal_by = actor
    locked.legal_on = business_date()
    locked.legal_return_reason = reason[:4000]
    referral_transition(
        actor=actor,
        referral=locked,
        to_state=ReferralState.RETURNED_BY_LEGAL,
        reason=f"Devuelta por la unidad jurídica: {reason}",
    )
    case = CaseFile.objects.get(pk=locked.case_id)
    if case.state == CaseState.REFERRED_TO_LEGAL:
        case_follow_referral(
            actor=actor,
            case=case,
            to_state=CaseState.IN_COLLECTION,
            referral=locked.code,
            reason=f"Remisión {locked.code} devuelta por la unidad jurídica: {reason}",
        )
    return locked


def _restart_limitation(*, actor: User, referral: Referral, step: ReferralStep) -> bool:
    """A lawsuit restarts the limitation clock of the periods referred (SPEC §8)."""
    from cobranza.ledger import services as ledger_services

    if not referral.periods:
        return False
    ledger_services.limitation_restart_record(
        actor=actor,
        employer=referral.employer,
        on=step.on,
        cause="lawsuit",
        reference=f"{referral.code} · juicio {step.court_case_number}"[:60],
        periods=list(referral.periods),
    )
    return True


@transaction.atomic
def referral_step_record(
    *,
    actor: User,
    referral: Referral,
    kind: str,
    on: date,
    notes: str = "",
    court: str = "",
    court_case_number: str = "",
    amount: Decimal | None = None,
    outcome: str = "",
    next_step: str = "",
    next_step_on: date | None = None,
    file_content: bytes | None = None,
    file_name: str = "",
) -> ReferralStep:
    """Record a step of the lawsuit (see the module docstring). Refused with the reason: a step the
    referral's state does not allow, a date in the future or before the referral was received, a
    lawsuit without court and case number, a payment without amount, a closing without outcome, a
    next step dated before the step."""
    from cobranza.cases.services import document_store

    locked = _locked(referral)
    _require_legal(actor)
    if kind not in STEP_LABELS:
        raise ApplicationError(f"Paso desconocido: «{kind}».")
    allowed = STEPS_ALLOWED.get(locked.state, frozenset())
    if kind not in allowed:
        if not allowed:
            raise ApplicationError(
                f"La remisión {locked.code} está «{locked.get_state_display()}»: no admite pasos"
                + (
                    " hasta que la unidad jurídica la acepte."
                    if locked.state == ReferralState.APPROVED
                    else "."
                )
            )
        names = ", ".join(f"«{STEP_LABELS[k]}»" for k in StepKind.values if k in allowed)
        raise ApplicationError(
            f"La remisión {locked.code} está «{locked.get_state_display()}»: el paso «{STEP_LABELS[kind]}» "
            f"no corresponde. Puede registrar: {names}."
        )
    today = business_date()
    if on is None:
        raise ApplicationError("Indique la fecha del paso.")
    if on > today:
        raise ApplicationError(f"La fecha del paso ({_d(on)}) no puede ser posterior a hoy ({_d(today)}).")
    start = locked.legal_on or locked.decided_on or locked.requested_on
    if on < start:
        raise ApplicationError(
            f"La fecha del paso ({_d(on)}) es anterior a la recepción de la remisión ({_d(start)})."
        )
    court, court_case_number = (court or "").strip(), (court_case_number or "").strip()
    if kind == StepKind.LAWSUIT_FILED and (not court or not court_case_number):
        raise ApplicationError(
            "Para la demanda presentada indique el tribunal y el número de expediente judicial."
        )
    if kind == StepKind.PAYMENT and (amount is None or amount <= 0):
        raise ApplicationError("Para un pago indique el monto (mayor que cero).")
    if kind != StepKind.PAYMENT and amount is not None and kind != StepKind.JUDGMENT:
        amount = None
    if kind == StepKind.CLOSED and outcome not in ClosingOutcome.values:
        raise ApplicationError("Para cerrar la remisión indique el resultado.")
    if kind != StepKind.CLOSED:
        outcome = ""
    if next_step_on is not None and next_step_on < on:
        raise ApplicationError(
            f"La fecha del próximo paso ({_d(next_step_on)}) no puede ser anterior a la del paso ({_d(on)})."
        )
    document = None
    if file_content:
        document = document_store(
            actor=actor,
            case=locked.case,
            content=file_content,
            filename=file_name or "documento.pdf",
            doc_type=DocumentType.RESOLUTION,
            title=f"{STEP_LABELS[kind]} · remisión {locked.code}",
            document_date=on,
        )
    step = ReferralStep(
        referral=locked,
        kind=kind,
        on=on,
        notes=(notes or "").strip()[:4000],
        court=court[:200],
        court_case_number=court_case_number[:100],
        amount=amount,
        outcome=outcome,
        document=document,
        next_step=(next_step or "").strip()[:200],
        next_step_on=next_step_on if kind != StepKind.CLOSED else None,
        recorded_by=actor,
    )
    _full_clean(step)
    step.save()
    if court:
        locked.court = court[:200]
    if court_case_number:
        locked.court_case_number = court_case_number[:100]
    locked.next_step = step.next_step if kind != StepKind.CLOSED else ""
    locked.next_step_on = step.next_step_on
    if kind == StepKind.CLOSED:
        locked.closed_on = on
        locked.outcome = outcome
    restarted = False
    if kind == StepKind.LAWSUIT_FILED:
        restarted = _restart_limitation(actor=actor, referral=locked, step=step)
    audit.record(
        actor=actor,
        action="legal.step_recorded",
        obj=locked,
        employer_number=locked.employer.employer_number,
        after={
            "referral": locked.code,
            "step": kind,
            "on": on,
            **({"court": court, "court_case_number": court_case_number} if court else {}),
            **({"amount": amount} if amount is not None else {}),
            **({"outcome": outcome} if outcome else {}),
            **({"next_step_on": next_step_on} if step.next_step_on else {}),
            **({"limitation_restarted": True} if restarted else {}),
        },
        reason=(notes or "").strip()[:500] or f"{STEP_LABELS[kind]} · remisión {locked.code}",
    )
    to_state = STEP_STATES[kind]
    if to_state is not None and to_state != locked.state:
        referral_transition(
            actor=actor, referral=locked, to_state=to_state, reason=f"{STEP_LABELS[kind]} el {_d(on)}"
        )
    else:
        _full_clean(locked)
        locked.save()
    return step


# --------------------------------------------------------------------------------------- package
def _package(*, actor: User, referral: Referral) -> Referral:
    from cobranza.legal.documents import package_issue

    referral.package = package_issue(actor=actor, referral=referral)
    referral.save(update_fields=["package", "updated_at"])
    audit.record(
        actor=actor,
        action="legal.package_built",
        obj=referral,
        employer_number=referral.employer.employer_number,
        after={"referral": referral.code, "package": referral.package.number},
        reason=f"Paquete de remisión {referral.package.number}",
    )
    return referral


@transaction.atomic
def referral_package_build(*, actor: User, referral: Referral) -> Referral:
    """Build the referral package again (the case's documents as they are now)."""
    locked = _locked(referral)
    if not (is_legal(actor) or can_approve(actor)):
        raise ApplicationError(
            "Solo la unidad jurídica o una jefatura pueden generar el paquete de remisión."
        )
    if not _sees(actor, locked.employer_id):
        raise ApplicationError(f"No tiene acceso al patrono {locked.employer.employer_number}.")
    if locked.certificate_id is None:
        raise ApplicationError(
            f"La remisión {locked.code} todavía no tiene certificación de mora: se genera al aprobarla."
        )
    return _package(actor=actor, referral=locked)
