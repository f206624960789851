"""Case files: opening (one active case per employer) and the state machine of SPEC §7.

Two ways change a case's state, and only two:
- `case_transition`: what a person decides (start collection, refer to legal, close), each move
  checked against the facts and the person's role; the collector of the employer's portfolio or a
  head, nobody else.
- `case_follow_agreement`: the states that follow the employer's payment agreement ("En convenio de
  pago", "Convenio cumplido", "Convenio incumplido"), set only from the agreement itself.
Recording the first collection action moves an open case to "En gestión de cobro"
(`case_collection_started`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from cobranza.cases.models import (
    AGREEMENT_STATES,
    CASE_TRANSITIONS,
    MANUAL_TRANSITIONS,
    REFERRAL_MOVES,
    CaseFile,
    CaseState,
    CloseReason,
)
from cobranza.cases.services._common import (
    CASE_OPENERS,
    CASE_WORKERS,
    HEADS_AND_ADMIN,
    full_clean,
    require_role,
    require_visible,
)
from cobranza.common import audit, roles
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import Role
from cobranza.employers.models import Employer
from cobranza.portfolio.models import Assignment

STATE_LABELS = dict(CaseState.choices)
CLOSE_LABELS = dict(CloseReason.choices)

# Who may change a case's state by hand: the collector of the employer's portfolio (visibility does
# the "of the portfolio" part) and the heads; not the call center, legal, the service desk or others.
STATE_CHANGERS = (Role.COLLECTOR, *HEADS_AND_ADMIN)
# Moves only a head or an administrator may make by hand.
RESTRICTED_TARGETS = {CaseState.CLOSED, CaseState.REFERRED_TO_LEGAL}
# How each agreement state shows in the case (agreement codes of `agreements.models.AgreementState`;
# the cases app does not import the agreements app).
AGREEMENT_CASE_STATES = {
    "active": CaseState.AGREEMENT,
    "fulfilled": CaseState.FULFILLED,
    "lapsed": CaseState.LAPSED,
}
# Why a person cannot choose each agreement state (Spanish, for the refusal).
_AGREEMENT_STATE_RULES = {
    CaseState.AGREEMENT: "cuando se recibe la prima de un convenio de pago aprobado",
    CaseState.FULFILLED: "cuando el convenio de pago tiene todas sus cuotas pagadas",
    CaseState.LAPSED: "cuando el convenio de pago se declara incumplido por cuotas vencidas",
}


def agreement_state_refusal(to_state: str) -> str:
    """Why a person cannot set one of the agreement's states (Spanish)."""
    return (
        f"«{STATE_LABELS[to_state]}» no se asigna a mano: el expediente pasa a ese estado "
        f"{_AGREEMENT_STATE_RULES[to_state]}."
    )


def referral_state_refusal(case: CaseFile, to_state: str) -> str:
    """Why a person cannot refer a case (or bring it back) by hand (Spanish)."""
    if to_state == CaseState.REFERRED_TO_LEGAL:
        return (
            f"«{STATE_LABELS[to_state]}» no se asigna a mano: solicite la remisión a cobro judicial desde "
            f"el expediente {case.code} (sección «Cobro judicial»); el sistema comprueba los criterios y "
            "el expediente pasa a ese estado cuando una jefatura la aprueba."
        )
    return (
        f"El expediente {case.code} vuelve a «{STATE_LABELS[to_state]}» solo cuando la unidad jurídica "
        "devuelve su remisión."
    )


def can_change_state(user: Any) -> bool:
    """Whether the user's role lets it change case states by hand (visibility is checked apart)."""
    return user is not None and roles.has_role(user, *STATE_CHANGERS)


def _current_debt(employer: Employer) -> Decimal | None:
    """The employer's debt in arrears today (saldo exigible: periods past their due date, SPEC §5):
    the balance snapshot when there is one, else the live statement."""
    from cobranza.ledger.models import BalanceSnapshot
    from cobranza.ledger.selectors import statement_for_employer

    snapshot = BalanceSnapshot.objects.filter(employer=employer).only("overdue_outstanding").first()
    if snapshot is not None:
        return snapshot.overdue_outstanding
    try:
        cents = statement_for_employer(employer, business_date()).totals.overdue_cents
    except ApplicationError:  # no policy in force: the debt stays unknown
        return None
    return Decimal(cents) / 100


def _active_case(employer: Employer, *, lock: bool = False) -> CaseFile | None:
    qs = CaseFile.objects.filter(employer=employer).exclude(state=CaseState.CLOSED)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


@transaction.atomic
def case_for_employer(
    *, employer: Employer, actor: User | None = None, create: bool = True, opening_debt: Decimal | None = None
) -> CaseFile | None:
    """The employer's active (not closed) case; opened now when there is none and `create` is true.

    Returns None only when `create` is false and there is no active case. `opening_debt` (dollars) is
    the debt in arrears (saldo exigible) when the case opens; passing it saves computing it when the
    caller already knows it (bulk openings).
    """
    require_visible(actor, employer)
    existing = _active_case(employer)
    if existing is not None or not create:
        return existing
    require_role(actor, *CASE_WORKERS, Role.LEGAL, message="Su rol no permite abrir expedientes.")
    # Serialize openings for the employer (PostgreSQL); the partial unique constraint is the backstop.
    Employer.objects.select_for_update().filter(pk=employer.pk).first()
    existing = _active_case(employer)
    if existing is not None:
        return existing
    assignment = Assignment.objects.filter(employer=employer, end__isnull=True).only("collector_id").first()
    now = timezone.now()
    case = CaseFile(
        employer=employer,
        state=CaseState.OPEN,
        opened_at=now,
        state_changed_at=now,
        opened_by=actor if actor is not None and actor.is_authenticated else None,
        collector_id=assignment.collector_id if assignment else None,
        opening_debt=opening_debt if opening_debt is not None else _current_debt(employer),
    )
    full_clean(case, validate_constraints=False)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # opened by someone else at the same moment
        found = _active_case(employer)
        if found is None:
            raise
        return found
    audit.record(
        actor=actor,
        action="case.opened",
        obj=case,
        employer_number=employer.employer_number,
        after={"state": case.state, "collector_id": case.collector_id, "opening_debt": case.opening_debt},
        reason="Apertura del expediente",
    )
    return case


@transaction.atomic
def case_open(*, actor: User, employer: Employer) -> CaseFile:
    """A person opens the employer's case by hand (the "Abrir expediente" button and the API).

    Only the collector of the portfolio, the heads, the administrator and legal open cases (not the
    call center, the service desk or other areas), and nobody opens one for an employer that owes
    nothing overdue (saldo exigible $0.00). An employer with an active case gets that case."""
    from cobranza.engine.money import fmt_usd

    require_visible(actor, employer)
    require_role(actor, *CASE_OPENERS, message="Su rol no permite abrir expedientes.")
    existing = _active_case(employer)
    if existing is not None:
        return existing
    from cobranza.ledger.selectors import statement_for_employer

    try:  # the live statement, not the last snapshot: a payment since then may have settled it
        debt: Decimal | None = (
            Decimal(statement_for_employer(employer, business_date()).totals.overdue_cents) / 100
        )
    except ApplicationError:
        debt = None
    if debt is None or debt <= 0:
        raise ApplicationError(
            f"El patrono {employer.employer_number} no tiene deuda vencida "
            f"({fmt_usd(0)} exigibles al {_d(business_date())}): no se abre un expediente de cobro."
        )
    case = case_for_employer(employer=employer, actor=actor, create=True, opening_debt=debt)
    assert case is not None
    return case


def _d(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _refuse_unless_paid(case: CaseFile) -> None:
    """Closing as paid needs the employer's debt in arrears (saldo exigible) to be 0.00 today."""
    from cobranza.engine.money import fmt_usd
    from cobranza.ledger.selectors import statement_for_employer

    today = business_date()
    try:
        overdue = statement_for_employer(case.employer, today).totals.overdue_cents
    except ApplicationError as error:
        raise ApplicationError(
            f"No se puede cerrar el expediente {case.code} como pagado: la deuda no puede calcularse "
            f"({error.message})"
        ) from None
    if overdue > 0:
        raise ApplicationError(
            f"No se puede cerrar el expediente {case.code} como pagado: el patrono adeuda "
            f"{fmt_usd(overdue)} exigibles al {_d(today)}."
        )


def _refuse_unless_prescribed(case: CaseFile) -> dict[str, Any]:
    """Closing as prescribed (SPEC §8) needs every overdue period of the employer marked prescribed
    today (`ledger.selectors.limitation_dates`); refused naming each period that is not, with its
    limitation date. Returns the periods and dates for the audit event."""
    from cobranza.ledger.selectors import limitation_dates, statement_for_employer

    today = business_date()
    try:
        statement = statement_for_employer(case.employer, today)
        clocks = limitation_dates(employer=case.employer, as_of=today)
    except ApplicationError as error:
        raise ApplicationError(
            f"No se puede cerrar el expediente {case.code} como prescrito: la deuda no puede calcularse "
            f"({error.message})"
        ) from None
    owed = [ln.period for ln in statement.periods if ln.overdue and ln.overdue_cents > 0]
    if not owed:
        raise ApplicationError(
            f"No se puede cerrar el expediente {case.code} como prescrito: el patrono no tiene "
            f"períodos con deuda exigible al {_d(today)} (ciérrelo como pagado)."
        )
    open_ = []
    for period in owed:
        clock = clocks.get(period)
        if clock is None or clock.prescribed:
            continue
        if clock.expired:
            open_.append(
                f"{period} (plazo vencido el {_d(clock.limitation_date)}, aún sin marcar: "
                "ejecute la revisión de prescripciones)"
            )
        else:
            open_.append(f"{period} (prescribe el {_d(clock.limitation_date)})")
    if open_:
        raise ApplicationError(
            f"No se puede cerrar el expediente {case.code} como prescrito: "
            f"{len(open_)} período(s) con deuda no están prescritos: {'; '.join(open_)}."
        )
    return {
        "prescribed_periods": owed,
        "limitation_dates": [clocks[p].limitation_date for p in owed],
    }


def _save_transition(
    *,
    actor: User | None,
    locked: CaseFile,
    to_state: str,
    reason: str,
    close_reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    current = locked.state
    now = timezone.now()
    locked.state = to_state
    locked.state_changed_at = now
    if to_state == CaseState.CLOSED:
        locked.close_reason = close_reason or ""
        locked.closed_at = now
        locked.next_action_on = None
    full_clean(locked, validate_constraints=False)
    locked.save(
        update_fields=[
            "state",
            "state_changed_at",
            "close_reason",
            "closed_at",
            "next_action_on",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        action="case.transition",
        obj=locked,
        employer_number=locked.employer.employer_number,
        before={"state": current},
        after={
            "state": to_state,
            **({"close_reason": close_reason} if close_reason else {}),
            **(extra or {}),
        },
        reason=reason,
    )


def _copy_state(locked: CaseFile, case: CaseFile) -> CaseFile:
    for field in ("state", "state_changed_at", "close_reason", "closed_at", "next_action_on"):
        setattr(case, field, getattr(locked, field))
    return case


def _refuse_move(locked: CaseFile, to_state: str, table: dict[str, frozenset[str]]) -> None:
    current = locked.state
    allowed = ", ".join(f"«{STATE_LABELS[s]}»" for s in CaseState.values if s in table[current])
    if allowed:
        tail = f" Puede pasar a: {allowed}."
    elif CASE_TRANSITIONS[current]:
        tail = " Su estado cambia solo con el convenio de pago."
    else:
        tail = " Es un estado final."
    raise ApplicationError(
        f"El expediente {locked.code} está «{STATE_LABELS[current]}» y no puede pasar a "
        f"«{STATE_LABELS[to_state]}».{tail}"
    )


@transaction.atomic
def case_transition(
    *, actor: User | None, case: CaseFile, to_state: str, reason: str, close_reason: str | None = None
) -> CaseFile:
    """A state change a person decides (MANUAL_TRANSITIONS); refuse anything else, in Spanish.

    Only the collector of the employer's portfolio or a head may change a state; referring to legal
    and closing are a head's. The agreement's states ("En convenio de pago", "Convenio cumplido",
    "Convenio incumplido") are never set by hand (see `case_follow_agreement`). Closing needs
    `close_reason` (paid | prescribed | uncollectible); closing as paid needs the debt in arrears at
    0.00. The passed instance is updated.
    """
    locked = CaseFile.objects.select_for_update().select_related("employer").get(pk=case.pk)
    if to_state not in STATE_LABELS:
        raise ApplicationError(f"Estado de expediente desconocido: «{to_state}».")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique el motivo del cambio de estado.")
    require_visible(actor, locked.employer)
    require_role(
        actor,
        *STATE_CHANGERS,
        message="Solo el gestor de cobros del patrono o una jefatura pueden cambiar el estado de un expediente.",
    )
    if to_state in AGREEMENT_STATES:
        raise ApplicationError(agreement_state_refusal(to_state))
    extra: dict[str, Any] | None = None
    if (locked.state, to_state) in REFERRAL_MOVES:
        raise ApplicationError(referral_state_refusal(locked, to_state))
    current = locked.state
    if to_state not in MANUAL_TRANSITIONS[current]:
        _refuse_move(locked, to_state, MANUAL_TRANSITIONS)
    if to_state in RESTRICTED_TARGETS:
        require_role(
            actor,
            *HEADS_AND_ADMIN,
            message=f"Solo una jefatura puede pasar un expediente a «{STATE_LABELS[to_state]}».",
        )
    if to_state == CaseState.CLOSED:
        if close_reason not in CLOSE_LABELS:
            raise ApplicationError("Indique el motivo de cierre: pagado, prescrito o incobrable.")
        if close_reason == CloseReason.PAID:
            _refuse_unless_paid(locked)
        if close_reason == CloseReason.PRESCRIBED:
            require_role(
                actor,
                *HEADS_AND_ADMIN,
                message="Solo una jefatura puede cerrar un expediente como prescrito.",
            )
            extra = _refuse_unless_prescribed(locked)
    elif close_reason:
        raise ApplicationError("El motivo de cierre solo se indica al cerrar el expediente.")
    _save_transition(
        actor=actor, locked=locked, to_state=to_state, reason=reason, close_reason=close_reason, extra=extra
    )
    return _copy_state(locked, case)


@transaction.atomic
def case_follow_agreement(*, actor: User | None, case: CaseFile, agreement: Any, reason: str) -> CaseFile:
    """Put the case in the state its employer's agreement is in: active → "En convenio de pago",
    fulfilled → "Convenio cumplido", lapsed → "Convenio incumplido". The agreements app calls this
    from the agreement's own transitions (it has already checked who acts); the agreement is the
    proof, so the case can never claim an agreement state the facts contradict. A case already in
    that state is left as it is."""
    locked = CaseFile.objects.select_for_update().select_related("employer").get(pk=case.pk)
    number = getattr(agreement, "number", "")
    if getattr(agreement, "employer_id", None) != locked.employer_id:
        raise ApplicationError(
            f"El convenio {number} no es del patrono {locked.employer.employer_number}: el expediente "
            f"{locked.code} no cambia."
        )
    to_state = AGREEMENT_CASE_STATES.get(getattr(agreement, "state", ""))
    if to_state is None:
        raise ApplicationError(
            f"El convenio {number} no está vigente, cumplido ni incumplido: el expediente {locked.code} no cambia."
        )
    require_visible(actor, locked.employer)
    if locked.state == to_state:
        return _copy_state(locked, case)
    if to_state not in CASE_TRANSITIONS[locked.state]:
        _refuse_move(locked, to_state, CASE_TRANSITIONS)
    _save_transition(
        actor=actor,
        locked=locked,
        to_state=to_state,
        reason=(reason or "").strip() or f"Convenio de pago {number}",
        extra={"agreement": number},
    )
    return _copy_state(locked, case)


@transaction.atomic
def case_follow_referral(
    *, actor: User | None, case: CaseFile, to_state: str, referral: str, reason: str
) -> CaseFile:
    """The referral's moves (`REFERRAL_MOVES`): "Remitido a cobro judicial" when a head approves the
    judicial referral `referral` (its code), back to "En gestión de cobro" when the legal unit returns
    it. Called only by `cobranza.legal.services`, which has checked who acts and the criteria."""
    locked = CaseFile.objects.select_for_update().select_related("employer").get(pk=case.pk)
    if (locked.state, to_state) not in REFERRAL_MOVES:
        _refuse_move(locked, to_state, CASE_TRANSITIONS)
    _save_transition(
        actor=actor,
        locked=locked,
        to_state=to_state,
        reason=(reason or "").strip() or f"Remisión a cobro judicial {referral}",
        extra={"referral": referral},
    )
    return _copy_state(locked, case)


@transaction.atomic
def case_collection_started(*, actor: User | None, case: CaseFile, reason: str) -> CaseFile:
    """An open case goes to "En gestión de cobro" when its first collection action is recorded
    (the action's service has checked who may record it); any other case is left as it is."""
    locked = CaseFile.objects.select_for_update().select_related("employer").get(pk=case.pk)
    if locked.state == CaseState.OPEN:
        _save_transition(actor=actor, locked=locked, to_state=CaseState.IN_COLLECTION, reason=reason)
    return _copy_state(locked, case)
