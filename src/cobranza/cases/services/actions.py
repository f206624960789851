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
    require_call_center_scope,
    require_role,
    require_visible,
)
from cobranza.cases.services.cases import case_collection_started
from cobranza.common import audit
from cobranza.common.dates import business_date, business_now
from cobranza.common.errors import ApplicationError
from cobranza.common.templatetags.cobranza import format_money
from cobranza.employers.models import Contact


def promise_grace_days() -> int:
    """Days after the promised date in which a payment still keeps the promise (operational
    setting, not a legal figure: `COBRANZA_PROMISE_GRACE_DAYS`, default 3)."""
    return int(getattr(settings, "COBRANZA_PROMISE_GRACE_DAYS", 3))


def _overdue_today(case: CaseFile) -> tuple[Decimal, list[str]]:
    """The debt in arrears today (saldo exigible) and its periods: what a promise to pay can cover
    (SPEC §7: only payments to the periods overdue when it was made keep it)."""
    from cobranza.ledger.selectors import statement_for_employer

    statement = statement_for_employer(case.employer, business_date())
    periods = [line.period for line in statement.periods if line.overdue]
    return Decimal(statement.totals.overdue_cents) / 100, periods


def _contact_of(case: CaseFile, contact: Contact | None) -> Contact | None:
    if contact is None:
        return None
    if contact.employer_id != case.employer_id:
        raise ApplicationError(
            f"El contacto «{contact.name}» no es del patrono {case.employer.employer_number}."
        )
    if not contact.active:
        raise ApplicationError(
            f"El contacto «{contact.name}» está retirado; elija otro o agréguelo de nuevo."
        )
    return contact


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
    contact: Contact | None = None,
    email_to: str = "",
    delivery_status: str = "",
    delivery_detail: str = "",
    keep_case_follow_up: bool = False,
) -> CollectionAction:
    """Record a collection action on an active case, with an optional promise to pay.

    The first action moves an open case to «en gestión de cobro». The case's follow-up date
    (`next_action_on`) changes only when this action names one (or a promise sets it to the day
    after the promised date): an action without a date keeps the case's date. With
    `keep_case_follow_up` (letters) the action's date is the case's only when the case has none
    or it has passed, so a date the user just typed is not overwritten.

    Refused with nothing saved: a closed case, an unknown kind, a missing or inactive outcome
    (except letters), a date in the future, a next action in the past, a promise in the past, not
    positive, above the debt or with an outcome where nobody was reached ("No contesta"), a
    contact of another employer or retired; the call center outside its list (see
    `require_call_center_scope`).
    """
    case = CaseFile.objects.select_for_update().select_related("employer").get(pk=case.pk)
    require_visible(actor, case.employer)
    require_role(actor, *CASE_WORKERS, message="Su rol no permite registrar gestiones de cobro.")
    require_call_center_scope(actor, case, kind=kind)
    contact = _contact_of(case, contact)
    today = business_date()
    now = business_now()
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
        if outcome is None or not outcome.is_contact:
            raise ApplicationError(
                f"Una promesa de pago se registra solo cuando se habló con el patrono: el resultado "
                f"«{outcome.name if outcome else 'sin resultado'}» no es un contacto efectivo."
            )
        overdue, overdue_periods = _overdue_today(case)
        if overdue <= 0:
            raise ApplicationError("El patrono no tiene deuda exigible: no cabe una promesa de pago.")
        if promise_amount > overdue:
            raise ApplicationError(
                f"El monto prometido ({format_money(promise_amount)}) supera la deuda exigible "
                f"({format_money(overdue)})."
            )
    if next_action_on is None and has_promise:
        next_action_on = promise_date + timedelta(days=1)  # follow the promise up
    contact_person = (contact_person or "").strip() or (contact.name if contact else "")
    action = CollectionAction(
        case=case,
        kind=kind,
        performed_at=performed_at,
        contact=contact,
        contact_person=contact_person[:200],
        outcome=outcome,
        notes=(notes or "").strip(),
        next_action_on=next_action_on,
        email_to=(email_to or "").strip(),
        delivery_status=delivery_status,
        delivery_detail=(delivery_detail or "")[:500],
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
            overdue_periods=overdue_periods,
        )
        full_clean(promise)
        promise.save()
    _restart_limitation_on_notice(actor=actor, case=case, action=action)
    if case.state == CaseState.OPEN:
        case_collection_started(actor=actor, case=case, reason="Primera gestión de cobro registrada")
    updates = ["updated_at"]
    if next_action_on is not None and not (
        keep_case_follow_up and case.next_action_on is not None and case.next_action_on >= today
    ):
        case.next_action_on = next_action_on
        updates.append("next_action_on")
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
            "contact": contact.pk if contact else None,
            "next_action_on": next_action_on,
            **({"email_to": action.email_to, "delivery_status": delivery_status} if delivery_status else {}),
            "promise": {"amount": promise.amount, "promised_on": promise.promised_on} if promise else None,
        },
    )
    return action


def _restart_limitation_on_notice(*, actor: User | None, case: CaseFile, action: CollectionAction) -> None:
    """A documented notice (a letter or e-mail carrying a notice document, not failed: the same
    reading as the judicial referral's criteria) restarts the limitation clock of every period
    overdue on its date (SPEC §4 "limitation"), through the ledger."""
    from cobranza.cases.models import DeliveryStatus, DocumentType
    from cobranza.ledger.services import limitation_restart_record

    document = action.document
    if (
        action.kind not in (ActionKind.LETTER, ActionKind.EMAIL)
        or document is None
        or document.doc_type != DocumentType.NOTICE
        or action.delivery_status == DeliveryStatus.FAILED
    ):
        return
    limitation_restart_record(
        actor=actor,
        employer=case.employer,
        on=timezone.localtime(action.performed_at).date(),
        cause="notice",
        reference=f"{case.code}: {document.title}"[:60],
    )


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


def _periods_overdue_on(employer_id: int, day: date) -> list[str]:
    """The periods in arrears on `day` (for promises recorded before their periods were stored)."""
    from cobranza.employers.models import Employer
    from cobranza.ledger.selectors import statement_for_employer

    try:
        statement = statement_for_employer(Employer.objects.get(pk=employer_id), day)
    except ApplicationError:
        return []
    return [line.period for line in statement.periods if line.overdue]


def _arrears_allocations(employer_id: int, until: date) -> list[tuple[date, str, str, int]]:
    """(paid_on, payment_id, period, cents) of every real payment's part applied to a period, in
    the order of the payments (SPEC §5 allocation, the statement's own trail)."""
    from cobranza.employers.models import Employer
    from cobranza.ledger.selectors import statement_for_employer

    try:
        statement = statement_for_employer(Employer.objects.get(pk=employer_id), until)
    except ApplicationError:
        return []
    rows = [
        (a.paid_on, a.payment_id, a.period, a.cents)
        for a in statement.allocations
        if a.period is not None and not a.from_credit and a.cents > 0
    ]
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


@transaction.atomic
def promises_evaluate(
    *, as_of: date, actor: User | None = None, employer_ids: list[int] | None = None
) -> dict[str, int]:
    """Decide pending promises (and re-check broken ones, in case a payment dated inside their window
    was imported later) from the payments; `employer_ids` limits it to those employers (after a
    payment import).

    SPEC §7: a promise counts only the part of each payment that the statement applied to the
    periods that were overdue when the promise was made (a payment for the current month does not
    keep it), paid from the day it was made to the promised date plus the grace days (and not after
    `as_of`). One payment is not counted twice: the employer's promises are replayed in order of
    promised date (then made, then id), and a kept promise uses up the parts of the payments that
    kept it, so an overlapping promise can only be kept by what is left (a payment keeps at most the
    promises it covers in full). A promise whose counted payments reach the amount is kept; broken
    when its window has ended by `as_of` without it; pending otherwise. A kept promise stays kept.
    Returns how many changed to each status.
    """
    grace = timedelta(days=promise_grace_days())
    open_promises = PaymentPromise.objects.filter(
        status__in=[PromiseStatus.PENDING, PromiseStatus.BROKEN], made_on__lte=as_of
    )
    if employer_ids is not None:
        open_promises = open_promises.filter(case__employer_id__in=employer_ids)
    changed = {PromiseStatus.KEPT: 0, PromiseStatus.BROKEN: 0, PromiseStatus.PENDING: 0}
    for employer_id in sorted(set(open_promises.values_list("case__employer_id", flat=True))):
        promises = list(
            PaymentPromise.objects.select_for_update()
            .filter(case__employer_id=employer_id, made_on__lte=as_of)
            .select_related("case__employer")
            .order_by("promised_on", "made_on", "id")
        )
        until = min(as_of, max(p.promised_on for p in promises) + grace)
        allocations = _arrears_allocations(employer_id, until)
        used: dict[tuple[str, str], int] = defaultdict(int)  # (payment, period) → cents used up
        for promise in promises:
            periods = set(promise.overdue_periods or _periods_overdue_on(employer_id, promise.made_on))
            window_end = promise.promised_on + grace
            last_day = min(window_end, as_of)
            need = _cents(promise.amount)
            taken: list[tuple[tuple[str, str], int]] = []
            paid_cents = 0
            for paid_on, payment_id, period, cents in allocations:
                if paid_cents >= need:
                    break
                if period not in periods or not promise.made_on <= paid_on <= last_day:
                    continue
                free = cents - used[(payment_id, period)]
                if free > 0:
                    take = min(free, need - paid_cents)
                    taken.append(((payment_id, period), take))
                    paid_cents += take
            if paid_cents >= need or promise.status == PromiseStatus.KEPT:
                status = PromiseStatus.KEPT  # a kept promise stays kept: history is not rewritten
                for key, take in taken:  # what kept it is used up
                    used[key] += take
            elif as_of > window_end:
                status = PromiseStatus.BROKEN
            else:
                status = PromiseStatus.PENDING
            if promise.status == PromiseStatus.KEPT:
                continue
            counted: dict[str, int] = defaultdict(int)
            for (payment_id, _period), take in taken:
                counted[payment_id] += take
            before = promise.status
            paid = Decimal(paid_cents) / 100
            promise.paid_amount = paid
            promise.evaluated_on = as_of
            promise.status = status
            promise.counted_payments = [
                {"payment_id": pid, "amount": f"{Decimal(c) / 100:.2f}"} for pid, c in counted.items()
            ]
            promise.save(update_fields=["paid_amount", "evaluated_on", "status", "counted_payments"])
            if status != before:
                changed[status] += 1
                audit.record(
                    actor=actor,
                    action="case.promise_evaluated",
                    obj=promise,
                    employer_number=promise.case.employer.employer_number,
                    before={"status": before},
                    after={"status": status, "paid_amount": paid, "as_of": as_of},
                    reason=f"Pagos aplicados a los períodos en mora al prometer, del {promise.made_on:%d/%m/%Y} "
                    f"al {window_end:%d/%m/%Y}: {format_money(paid)} de {format_money(promise.amount)} prometidos",
                )
    return {str(k): v for k, v in changed.items()}
