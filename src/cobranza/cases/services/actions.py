"""Collection actions (gestiones), promises to pay and the head's review of actions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cobranza.cases.models import (
    ActionKind,
    ActionOutcome,
    CaseDocument,
    CaseFile,
    CaseState,
    CollectionAction,
    PaymentPromise,
    PromiseStatus,
    ReviewStatus,
)
from cobranza.cases.services._common import (
    CASE_WORKERS,
    HEADS_AND_ADMIN,
    full_clean,
    require_role,
    require_visible,
)
from cobranza.cases.services.cases import case_collection_started
from cobranza.common import audit
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.templatetags.cobranza import format_money


def promise_grace_days() -> int:
    """Days after the promised date in which a payment still keeps the promise (operational
    setting, not a legal figure: `COBRANZA_PROMISE_GRACE_DAYS`, default 3)."""
    return int(getattr(settings, "COBRANZA_PROMISE_GRACE_DAYS", 3))


def _overdue_today(case: CaseFile) -> Decimal:
    """The debt in arrears today (saldo exigible): what a promise to pay can cover (SPEC §7: only
    payments to the periods overdue when it was made keep it)."""
    from cobranza.ledger.selectors import statement_for_employer

    statement = statement_for_employer(case.employer, business_date())
    return Decimal(statement.totals.overdue_cents) / 100


@transaction.atomic
def action_record(
    *,
    actor: User | None,
    case: CaseFile,
    kind: str,
    outcome: ActionOutcome | None,
    contact_person: str = "",
    notes: str = "",
    next_action_on: date | None = None,
    performed_at: datetime | None = None,
    promise_amount: Decimal | None = None,
    promise_date: date | None = None,
    document: CaseDocument | None = None,
) -> CollectionAction:
    """Record a collection action on an active case, with an optional promise to pay.

    The first action moves an open case to «en gestión de cobro». Refused with nothing saved: a
    closed case, an unknown kind, a missing or inactive outcome (except letters), a date in the
    future, a next action in the past, a promise in the past, not positive or above the debt.
    """
    case = CaseFile.objects.select_for_update().select_related("employer").get(pk=case.pk)
    require_visible(actor, case.employer)
    require_role(actor, *CASE_WORKERS, message="Su rol no permite registrar gestiones de cobro.")
    today = business_date()
    now = timezone.now()
    if not case.is_active:
        raise ApplicationError(f"El expediente {case.code} está cerrado: no se pueden registrar gestiones.")
    if kind not in ActionKind.values:
        raise ApplicationError(f"Tipo de gestión desconocido: «{kind}».")
    if outcome is None and kind != ActionKind.LETTER:
        raise ApplicationError("Indique el resultado de la gestión.")
    if outcome is not None and not outcome.active:
        raise ApplicationError(f"El resultado «{outcome.name}» ya no está en uso; elija otro.")
    performed_at = performed_at or now
    if performed_at > now + timedelta(minutes=5):
        raise ApplicationError("La fecha de la gestión no puede ser futura.")
    if next_action_on is not None and next_action_on < today:
        raise ApplicationError(
            f"La próxima gestión ({next_action_on:%d/%m/%Y}) no puede ser anterior a hoy ({today:%d/%m/%Y})."
        )
    has_promise = promise_amount is not None or promise_date is not None
    if has_promise:
        if promise_amount is None or promise_date is None:
            raise ApplicationError("Una promesa de pago necesita monto y fecha.")
        if promise_amount <= 0:
            raise ApplicationError("El monto prometido debe ser mayor que cero.")
        if promise_amount != promise_amount.quantize(Decimal("0.01")):
            raise ApplicationError("El monto prometido admite como máximo dos decimales.")
        if promise_date < today:
            raise ApplicationError(
                f"La fecha prometida ({promise_date:%d/%m/%Y}) no puede estar en el pasado."
            )
        overdue = _overdue_today(case)
        if overdue <= 0:
            raise ApplicationError("El patrono no tiene deuda exigible: no cabe una promesa de pago.")
        if promise_amount > overdue:
            raise ApplicationError(
                f"El monto prometido ({format_money(promise_amount)}) supera la deuda exigible "
                f"({format_money(overdue)})."
            )
    if next_action_on is None and has_promise:
        next_action_on = promise_date + timedelta(days=1)  # follow the promise up
    action = CollectionAction(
        case=case,
        kind=kind,
        performed_at=performed_at,
        contact_person=(contact_person or "").strip(),
        outcome=outcome,
        notes=(notes or "").strip(),
        next_action_on=next_action_on,
        document=document,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    full_clean(action)
    action.save()
    promise = None
    if has_promise:
        promise = PaymentPromise(
            action=action,
            case=case,
            amount=promise_amount,
            promised_on=promise_date,
            made_on=timezone.localtime(performed_at).date(),
        )
        full_clean(promise)
        promise.save()
    if case.state == CaseState.OPEN:
        case_collection_started(actor=actor, case=case, reason="Primera gestión de cobro registrada")
    updates = ["next_action_on", "updated_at"]
    case.next_action_on = next_action_on
    if (
        outcome is not None
        and outcome.is_contact
        and (case.last_contact_at is None or performed_at > case.last_contact_at)
    ):
        case.last_contact_at = performed_at
        updates.append("last_contact_at")
    case.save(update_fields=updates)
    audit.record(
        actor=actor,
        action="case.action_recorded",
        obj=action,
        employer_number=case.employer.employer_number,
        after={
            "case": case.pk,
            "kind": kind,
            "outcome": outcome.name if outcome else None,
            "contact_person": action.contact_person,
            "next_action_on": next_action_on,
            "promise": {"amount": promise.amount, "promised_on": promise.promised_on} if promise else None,
        },
    )
    return action


@transaction.atomic
def action_review(*, actor: User, action: CollectionAction, decision: str, comment: str) -> CollectionAction:
    """A head marks an action of its scope as reviewed (optional comment) or returns it to the
    collector (comment required)."""
    action = CollectionAction.objects.select_for_update().select_related("case__employer").get(pk=action.pk)
    require_role(actor, *HEADS_AND_ADMIN, message="Solo una jefatura puede revisar gestiones.")
    require_visible(actor, action.case.employer)
    comment = (comment or "").strip()
    if decision not in (ReviewStatus.REVIEWED, ReviewStatus.RETURNED):
        raise ApplicationError("Decisión de revisión desconocida.")
    if decision == ReviewStatus.RETURNED and not comment:
        raise ApplicationError("Indique al gestor por qué se le devuelve la gestión.")
    if action.review_status != ReviewStatus.PENDING:
        raise ApplicationError("Esta gestión ya fue revisada.")
    before = action.review_status
    action.review_status = decision
    action.review_comment = comment
    action.reviewed_by = actor
    action.reviewed_at = timezone.now()
    full_clean(action)
    action.save(update_fields=["review_status", "review_comment", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        action="case.action_reviewed",
        obj=action,
        employer_number=action.case.employer.employer_number,
        before={"review_status": before},
        after={"review_status": decision, "comment": comment},
        reason=comment,
    )
    return action


@transaction.atomic
def action_resubmit(*, actor: User, action: CollectionAction, answer: str) -> CollectionAction:
    """The collector answers a returned action: the answer is appended to the notes (nothing is
    overwritten) and the action goes back to the review queue."""
    action = CollectionAction.objects.select_for_update().select_related("case__employer").get(pk=action.pk)
    require_visible(actor, action.case.employer)
    require_role(actor, *CASE_WORKERS, message="Su rol no permite responder gestiones devueltas.")
    answer = (answer or "").strip()
    if action.review_status != ReviewStatus.RETURNED:
        raise ApplicationError("Solo se responde una gestión devuelta por la jefatura.")
    if not answer:
        raise ApplicationError("Escriba la respuesta o corrección para la jefatura.")
    stamp = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    action.notes = f"{action.notes}\n\n[Respuesta del gestor, {stamp}] {answer}".strip()
    action.review_status = ReviewStatus.PENDING
    full_clean(action)
    action.save(update_fields=["notes", "review_status"])
    audit.record(
        actor=actor,
        action="case.action_resubmitted",
        obj=action,
        employer_number=action.case.employer.employer_number,
        before={"review_status": ReviewStatus.RETURNED},
        after={"review_status": ReviewStatus.PENDING},
        reason=answer,
    )
    return action


@transaction.atomic
def promises_evaluate(*, as_of: date, actor: User | None = None) -> dict[str, int]:
    """Decide pending promises (and re-check broken ones, in case a payment dated inside their window
    was imported later) from the payments.

    A promise is kept when the employer's payments with `paid_on` from the day it was made to the
    promised date plus the grace days (and not after `as_of`) add up to the amount; broken when that
    window has ended by `as_of` without it; pending otherwise. Returns how many changed to each status.
    """
    from cobranza.ledger.models import Payment

    grace = timedelta(days=promise_grace_days())
    promises = list(
        PaymentPromise.objects.select_for_update()
        .filter(status__in=[PromiseStatus.PENDING, PromiseStatus.BROKEN], made_on__lte=as_of)
        .select_related("case__employer")
    )
    changed = {PromiseStatus.KEPT: 0, PromiseStatus.BROKEN: 0, PromiseStatus.PENDING: 0}
    if not promises:
        return {str(k): v for k, v in changed.items()}
    employer_ids = {p.case.employer_id for p in promises}
    start = min(p.made_on for p in promises)
    end = min(as_of, max(p.promised_on for p in promises) + grace)
    payments: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for employer_id, paid_on, amount in Payment.objects.filter(
        employer_id__in=employer_ids, paid_on__gte=start, paid_on__lte=end
    ).values_list("employer_id", "paid_on", "amount"):
        payments[employer_id].append((paid_on, amount))
    for promise in promises:
        window_end = promise.promised_on + grace
        paid = sum(
            (
                a
                for d, a in payments[promise.case.employer_id]
                if promise.made_on <= d <= min(window_end, as_of)
            ),
            Decimal("0"),
        )
        if paid >= promise.amount:
            status = PromiseStatus.KEPT
        elif as_of > window_end:
            status = PromiseStatus.BROKEN
        else:
            status = PromiseStatus.PENDING
        before = promise.status
        promise.paid_amount = paid
        promise.evaluated_on = as_of
        promise.status = status
        promise.save(update_fields=["paid_amount", "evaluated_on", "status"])
        if status != before:
            changed[status] += 1
            audit.record(
                actor=actor,
                action="case.promise_evaluated",
                obj=promise,
                employer_number=promise.case.employer.employer_number,
                before={"status": before},
                after={"status": status, "paid_amount": paid, "as_of": as_of},
                reason=f"Pagos del {promise.made_on:%d/%m/%Y} al {window_end:%d/%m/%Y}: {format_money(paid)} "
                f"de {format_money(promise.amount)} prometidos",
            )
    return {str(k): v for k, v in changed.items()}
