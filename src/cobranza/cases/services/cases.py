"""Case files: opening (one active case per employer) and the state machine of SPEC §7."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from cobranza.cases.models import CASE_TRANSITIONS, CaseFile, CaseState, CloseReason
from cobranza.cases.services._common import (
    CASE_WORKERS,
    HEADS_AND_ADMIN,
    full_clean,
    require_role,
    require_visible,
)
from cobranza.common import audit
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import Role
from cobranza.employers.models import Employer
from cobranza.portfolio.models import Assignment

STATE_LABELS = dict(CaseState.choices)
CLOSE_LABELS = dict(CloseReason.choices)

# Moves only a head, an administrator (or legal, for the cases it holds) may make by hand.
RESTRICTED_TARGETS = {CaseState.CLOSED, CaseState.REFERRED_TO_LEGAL}


def _current_debt(employer: Employer) -> Decimal | None:
    """The employer's debt today: the balance snapshot when there is one, else the live statement."""
    from cobranza.ledger.models import BalanceSnapshot
    from cobranza.ledger.selectors import statement_for_employer

    snapshot = BalanceSnapshot.objects.filter(employer=employer).only("outstanding").first()
    if snapshot is not None:
        return snapshot.outstanding
    try:
        cents = statement_for_employer(employer, timezone.localdate()).totals.outstanding_cents
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

    Returns None only when `create` is false and there is no active case. `opening_debt` (dollars)
    saves computing it when the caller already knows it (bulk openings).
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
def case_transition(
    *, actor: User | None, case: CaseFile, to_state: str, reason: str, close_reason: str | None = None
) -> CaseFile:
    """Move the case to `to_state` when CASE_TRANSITIONS allows it; refuse anything else.

    Closing needs `close_reason` (paid | prescribed | uncollectible). The passed instance is updated.
    """
    locked = CaseFile.objects.select_for_update().select_related("employer").get(pk=case.pk)
    if to_state not in STATE_LABELS:
        raise ApplicationError(f"Estado de expediente desconocido: «{to_state}».")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique el motivo del cambio de estado.")
    current = locked.state
    if to_state not in CASE_TRANSITIONS[current]:
        allowed = ", ".join(
            f"«{STATE_LABELS[s]}»" for s in CaseState.values if s in CASE_TRANSITIONS[current]
        )
        raise ApplicationError(
            f"El expediente {locked.code} está «{STATE_LABELS[current]}» y no puede pasar a "
            f"«{STATE_LABELS[to_state]}»."
            + (f" Puede pasar a: {allowed}." if allowed else " Es un estado final.")
        )
    require_visible(actor, locked.employer)
    if to_state in RESTRICTED_TARGETS:
        require_role(
            actor,
            *HEADS_AND_ADMIN,
            *((Role.LEGAL,) if current == CaseState.REFERRED_TO_LEGAL else ()),
            message=f"Solo una jefatura puede pasar un expediente a «{STATE_LABELS[to_state]}».",
        )
    else:
        require_role(actor, *CASE_WORKERS, message="Su rol no permite cambiar el estado de expedientes.")
    if to_state == CaseState.CLOSED:
        if close_reason not in CLOSE_LABELS:
            raise ApplicationError("Indique el motivo de cierre: pagado, prescrito o incobrable.")
    elif close_reason:
        raise ApplicationError("El motivo de cierre solo se indica al cerrar el expediente.")
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
        after={"state": to_state, **({"close_reason": close_reason} if close_reason else {})},
        reason=reason,
    )
    for field in ("state", "state_changed_at", "close_reason", "closed_at", "next_action_on"):
        setattr(case, field, getattr(locked, field))
    return case
