"""Writes of payment agreements: draft, approve (four eyes), cancel, down payment, follow-up.

Every service is keyword-only, atomic, validates with ``full_clean`` and writes an audit event in
the same transaction. The figures come from the engine (``cobranza.engine.agreements``); this
module only stores them and applies the policy's follow-up rules to the payments received.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from cobranza.agreements import cases_link
from cobranza.agreements.models import (
    TRANSITIONS,
    Agreement,
    AgreementState,
    CallOutcome,
    CallRecord,
    Installment,
    InstallmentStatus,
)
from cobranza.agreements.selectors import (
    candidate_down_payments,
    covered_lines,
    installment_states,
    names_agreement,
)
from cobranza.common import roles
from cobranza.common.audit import record, snapshot
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers
from cobranza.engine.agreements import (
    AgreementOptionError,
    InstallmentState,
    build_schedule,
    installment_status,
)
from cobranza.engine.calendar import add_business_days, add_months
from cobranza.engine.money import cents_to_decimal, fmt_usd, to_cents
from cobranza.engine.policy import Policy
from cobranza.ledger import services as ledger_services
from cobranza.ledger.models import Payment
from cobranza.ledger.selectors import policy_timeline
from cobranza.outbox import services as outbox

STATE_LABELS = dict(AgreementState.choices)
AUDITED = (
    "state",
    "debt",
    "down_payment",
    "installments_count",
    "monthly_rate",
    "start",
    "approved_by",
    "signed_on",
    "down_payment_payment",
    "lapsed_on",
    "fulfilled_on",
    "valid_until",
    "expired_on",
)


# ------------------------------------------------------------------------------------ helpers
def _today() -> date:
    return business_date()


def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _policy(as_of: date) -> Policy:
    from cobranza.ledger.selectors import policy_for

    return policy_for(as_of)


def down_payment_deadline(as_of: date, policy: Policy | None = None) -> date:
    """The last day on which a draft of ``as_of`` can receive its down payment: the policy's
    ``agreement_draft_validity_days``-th business day after it (SPEC §4 "draft validity", 10 by
    default), under the version in force on the draft's date."""
    policy = policy or _policy(as_of)
    return add_business_days(as_of, policy.agreement_draft_validity_days, policy)


def lapse_date(installments: list[InstallmentState], policy: Policy) -> date | None:
    """The first day on which the agreement counts as lapsed (SPEC §4 "agreements: lapse"):
    ``min(agreement_lapse_installments, installments still unpaid)`` installments unpaid more than
    ``agreement_grace_days`` after their due date. So with 3 and 5 days, a 6-installment agreement
    whose last installment alone is unpaid lapses on its due date + 6 days (the day it becomes
    overdue, as ``installment_status`` counts it), like one with three overdue installments.
    ``None`` if, with the payments recorded, it never does.

    (The engine's ``lapse_date`` asks for the policy's full count even when fewer installments are
    left to pay, so an agreement whose last one or two installments are never paid never lapsed.)
    """
    grace = timedelta(days=policy.agreement_grace_days)
    candidates = sorted(
        {i.due_date + grace + timedelta(days=1) for i in installments}
        | {i.paid_off_on for i in installments if i.paid_off_on is not None}
    )
    for t in candidates:
        unpaid = [i for i in installments if i.paid_off_on is None or i.paid_off_on > t]
        overdue = sum(1 for i in unpaid if t > i.due_date + grace)
        needed = min(policy.agreement_lapse_installments, len(unpaid))
        if unpaid and overdue >= needed:
            return t
    return None


def _who(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "el sistema"
    return user.get_full_name() or user.get_username()


def _require_visible(actor: Any, employer: Employer) -> None:
    if actor is None:  # the system (CLI, scheduled check)
        return
    if not visible_employers(user=actor).filter(pk=employer.pk).exists():
        raise ApplicationError(
            "El patrono no está en su cartera ni en su sucursal: no puede operar sus convenios."
        )


def can_draft(user: Any) -> bool:
    return roles.has_role(user, roles.Role.COLLECTOR, *roles.HEADS)


def can_approve(user: Any) -> bool:
    return roles.is_head(user)


def can_record_call(user: Any) -> bool:
    return roles.has_role(user, roles.Role.CALL_CENTER, *roles.HEADS)


def can_run_check(user: Any) -> bool:
    return roles.has_role(user, roles.Role.ADMIN, *roles.HEADS)


def to_money_cents(value: Any, *, field: str) -> int:
    """An amount typed by a person (Decimal or text, ``1,234.56`` allowed) to cents, or a Spanish
    refusal naming the field."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    text = str(value).strip().replace("$", "").replace(",", "") if not isinstance(value, Decimal) else value
    try:
        cents = to_cents(text)
    except (ValueError, TypeError):
        raise ApplicationError(
            f"{field.capitalize()} inválida: «{value}» (use un monto como 1234.56)."
        ) from None
    if cents < 0:
        raise ApplicationError(f"{field.capitalize()} no puede ser negativa: «{value}».")
    return cents


def agreement_transition(*, actor: Any, agreement: Agreement, to_state: str, reason: str = "") -> Agreement:
    """The one place a state changes: refuses any move outside ``TRANSITIONS`` and records it.
    Callers set the fields that go with the new state before calling (they are saved here)."""
    current = agreement.state
    if to_state not in TRANSITIONS.get(current, frozenset()):
        raise ApplicationError(
            f"El convenio {agreement.number} está {STATE_LABELS.get(current, current).lower()}: "
            f"no puede pasar a {STATE_LABELS.get(to_state, to_state).lower()}."
        )
    before = Agreement.objects.get(pk=agreement.pk)
    agreement.state = to_state
    agreement.full_clean()
    agreement.save()
    record(
        actor=actor,
        action=f"agreement.{to_state}",
        obj=agreement,
        employer_number=agreement.employer.employer_number,
        before=snapshot(before, AUDITED),
        after=snapshot(agreement, AUDITED),
        reason=reason,
    )
    return agreement


# ------------------------------------------------------------------------------------ draft
@transaction.atomic
def agreement_draft(
    *,
    actor: Any,
    employer: Employer,
    down_payment: Decimal | str,
    installments: int,
    start: date | None = None,
    as_of: date | None = None,
) -> Agreement:
    """Draft an agreement, dated on the business date (``common.dates.business_date``), over the
    employer's **overdue** periods (due before that date) with something outstanding that no draft,
    approved or active agreement holds; periods not yet due are paid normally. The option must be
    one the policy allows (engine ``validate_option``); the schedule is the engine's French
    schedule. The draft is valid the policy's ``agreement_draft_validity_days`` business days for its down
    payment (``valid_until``), then expires.

    No back-dating (SPEC §6, issue 9): ``as_of`` may be omitted or be the business date itself; any
    other date is refused, from every interface (page, API, command). Options and simulations of
    another date remain available read-only."""
    if not can_draft(actor):
        raise ApplicationError("Solo un gestor de cobros o una jefatura pueden elaborar convenios de pago.")
    _require_visible(actor, employer)
    today = _today()
    as_of = as_of or today
    if as_of > today:
        raise ApplicationError(
            f"La fecha de cálculo {_d(as_of)} es futura: la deuda solo se conoce hasta hoy."
        )
    if as_of < today:
        raise ApplicationError(
            f"Un convenio se elabora con la fecha de hoy ({_d(today)}): no se puede antedatar al "
            f"{_d(as_of)}. Las opciones de otra fecha solo se pueden consultar."
        )
    start = start or add_months(as_of, 1)
    if start <= as_of:
        raise ApplicationError(
            f"La primera cuota ({_d(start)}) debe vencer después de la fecha de cálculo ({_d(as_of)})."
        )
    if start > add_months(as_of, 3):
        raise ApplicationError(
            f"La primera cuota ({_d(start)}) no puede vencer más de tres meses después de la fecha de "
            f"cálculo ({_d(as_of)})."
        )
    try:
        n = int(installments)
    except (TypeError, ValueError):
        raise ApplicationError(f"Número de cuotas inválido: «{installments}».") from None
    down_cents = to_money_cents(down_payment, field="prima")
    statement, lines, held = covered_lines(employer, as_of)
    if not lines:
        if held:
            names = sorted({f"{a.number} ({a.get_state_display().lower()})" for a in held.values()})
            raise ApplicationError(
                f"Los períodos adeudados de {employer.employer_number} ya están en el convenio "
                f"{', '.join(names)}: no se puede elaborar otro sobre los mismos períodos."
            )
        raise ApplicationError(
            f"{employer.employer_number} no tiene deuda pendiente al {_d(as_of)}: no hay nada que convenir."
        )
    debt_cents = sum(ln.outstanding_cents for ln in lines)
    try:
        sim = build_schedule(
            debt_cents=debt_cents,
            down_payment_cents=down_cents,
            installments=n,
            start=start,
            policy=statement.policy,
            worker_share_cents=sum(ln.worker_share_outstanding_cents for ln in lines),
        )
    except AgreementOptionError as exc:
        raise ApplicationError(str(exc)) from None
    empty = [line.number for line in sim.schedule if line.installment_cents <= 0]
    if empty:
        raise ApplicationError(
            f"El monto financiado de {fmt_usd(sim.financed_cents)} es demasiado pequeño para {n} cuotas: "
            f"la cuota {empty[0]} quedaría en $0.00. Use menos cuotas o el pago de contado."
        )
    agreement = Agreement(
        employer=employer,
        as_of=as_of,
        periods=[ln.period for ln in lines],
        periods_detail=[
            {
                "period": ln.period,
                "due_date": ln.due_date.isoformat(),
                "months_late": ln.months_late,
                "contribution": cents_to_decimal(ln.contribution_outstanding_cents),
                "surcharge": cents_to_decimal(ln.surcharge_outstanding_cents),
                "fine": cents_to_decimal(ln.fine_outstanding_cents),
                "interest": cents_to_decimal(ln.interest_outstanding_cents),
                "outstanding": cents_to_decimal(ln.outstanding_cents),
            }
            for ln in lines
        ],
        debt=cents_to_decimal(sim.debt_cents),
        down_payment=cents_to_decimal(sim.down_payment_cents),
        financed=cents_to_decimal(sim.financed_cents),
        installments_count=sim.installments,
        monthly_rate=sim.monthly_rate,
        installment_amount=cents_to_decimal(sim.installment_cents),
        total_interest=cents_to_decimal(sim.total_interest_cents),
        total=cents_to_decimal(sim.total_cents),
        start=sim.start,
        policy_version=sim.policy_version,
        valid_until=down_payment_deadline(as_of, statement.policy),
        drafted_by=actor,
    )
    # periods_detail holds Decimals: store them as two-decimal strings (JSON).
    agreement.periods_detail = [
        {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in row.items()}
        for row in agreement.periods_detail
    ]
    agreement.full_clean()
    agreement.save()
    rows = [
        Installment(
            agreement=agreement,
            number=line.number,
            due_date=line.due_date,
            amount=cents_to_decimal(line.installment_cents),
            interest=cents_to_decimal(line.interest_cents),
            principal=cents_to_decimal(line.principal_cents),
            balance=cents_to_decimal(line.balance_cents),
        )
        for line in sim.schedule
    ]
    for row in rows:
        row.full_clean(exclude=["agreement"])
    Installment.objects.bulk_create(rows)
    record(
        actor=actor,
        action="agreement.draft",
        obj=agreement,
        employer_number=employer.employer_number,
        after={**snapshot(agreement, AUDITED), "periods": agreement.periods},
        reason=sim.explain(),
    )
    return agreement


# ------------------------------------------------------------------------------------ approve / cancel
@transaction.atomic
def agreement_approve(*, actor: Any, agreement: Agreement) -> Agreement:
    """A head approves a draft drafted by someone else (four eyes)."""
    agreement = Agreement.objects.select_for_update().select_related("employer").get(pk=agreement.pk)
    if not can_approve(actor):
        raise ApplicationError(
            "Solo una jefatura (de departamento o de sucursal) puede aprobar convenios de pago."
        )
    _require_visible(actor, agreement.employer)
    if agreement.drafted_by_id == getattr(actor, "pk", None):
        raise ApplicationError("Quien elaboró el convenio no puede aprobarlo: debe aprobarlo otra jefatura.")
    if agreement.state != AgreementState.DRAFT:
        raise ApplicationError(
            f"Solo se aprueba un borrador; el convenio {agreement.number} está "
            f"{agreement.get_state_display().lower()}."
        )
    agreement.approved_by = actor
    agreement.approved_at = timezone.now()
    return agreement_transition(
        actor=actor,
        agreement=agreement,
        to_state=AgreementState.APPROVED,
        reason=f"Aprobado por {_who(actor)}",
    )


@transaction.atomic
def agreement_cancel(*, actor: Any, agreement: Agreement, reason: str) -> Agreement:
    """Cancel a draft or an approved agreement not yet signed (the drafter or a head), with a reason."""
    agreement = Agreement.objects.select_for_update().select_related("employer").get(pk=agreement.pk)
    if not (roles.is_head(actor) or agreement.drafted_by_id == getattr(actor, "pk", None)):
        raise ApplicationError("Solo quien elaboró el convenio o una jefatura pueden anularlo.")
    _require_visible(actor, agreement.employer)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique el motivo de la anulación.")
    agreement.cancelled_reason = reason[:300]
    if agreement.state in (AgreementState.DRAFT, AgreementState.APPROVED):
        _restructuring_failed(actor=actor, agreement=agreement, on=_today(), why="se anuló")
    return agreement_transition(
        actor=actor, agreement=agreement, to_state=AgreementState.CANCELLED, reason=reason
    )


# ------------------------------------------------------------------------------------ down payment
@transaction.atomic
def agreement_register_down_payment(*, actor: Any, agreement: Agreement, payment: Payment) -> Agreement:
    """Match an approved agreement with the payment of its down payment: the agreement is signed on
    the payment's date, becomes active, and its periods are frozen from that date.

    Only a payment dated **after** the draft's date and by the end of its validity
    (``valid_until``) can be the down payment (SPEC §6 "Formalization"): the statement the debt was
    taken from already counts every payment of the draft's day, so such a payment is inside the
    debt. A payment for a period the agreement does not cover is applied to that period, not to
    the agreement. What the payment brings beyond the down payment is an ordinary payment unless
    the payment names the agreement (``selectors.installment_payments``)."""
    agreement = Agreement.objects.select_for_update().select_related("employer").get(pk=agreement.pk)
    if actor is not None and not can_draft(actor):
        raise ApplicationError(
            "Solo un gestor de cobros o una jefatura pueden registrar la prima de un convenio."
        )
    _require_visible(actor, agreement.employer)
    if agreement.state != AgreementState.APPROVED:
        raise ApplicationError(
            f"La prima se registra en un convenio aprobado; el convenio {agreement.number} está "
            f"{agreement.get_state_display().lower()}."
        )
    payment = Payment.objects.select_related("employer").get(pk=payment.pk)
    if payment.employer_id != agreement.employer_id:
        raise ApplicationError(
            f"El pago {payment.payment_id} es del patrono {payment.employer.employer_number}, no de "
            f"{agreement.employer.employer_number}."
        )
    used = Agreement.objects.filter(down_payment_payment=payment).first()
    if used is not None:
        raise ApplicationError(f"El pago {payment.payment_id} ya es la prima del convenio {used.number}.")
    if payment.amount < agreement.down_payment:
        raise ApplicationError(
            f"El pago {payment.payment_id} de {fmt_usd(to_cents(payment.amount))} no alcanza la prima de "
            f"{fmt_usd(to_cents(agreement.down_payment))} del convenio {agreement.number}."
        )
    if payment.paid_on <= agreement.as_of:
        when = "del mismo día que" if payment.paid_on == agreement.as_of else "anterior a"
        raise ApplicationError(
            f"El pago {payment.payment_id} del {_d(payment.paid_on)} es {when} la fecha del convenio "
            f"({_d(agreement.as_of)}): ya está descontado de la deuda convenida y no puede ser su prima."
        )
    if agreement.valid_until is not None and payment.paid_on > agreement.valid_until:
        raise ApplicationError(
            f"El pago {payment.payment_id} del {_d(payment.paid_on)} llega después del "
            f"{_d(agreement.valid_until)}, último día para pagar la prima del convenio {agreement.number} "
            f"({_policy(agreement.as_of).agreement_draft_validity_days} días hábiles): el convenio vence; "
            f"elabore uno nuevo."
        )
    if payment.period and not names_agreement(payment, agreement):
        raise ApplicationError(
            f"El pago {payment.payment_id} es para el período {payment.period}, que el convenio "
            f"{agreement.number} no cubre: se aplica a ese período y no puede ser la prima."
        )
    if payment.paid_on >= agreement.start:
        raise ApplicationError(
            f"El pago {payment.payment_id} del {_d(payment.paid_on)} llega cuando ya vencía la primera cuota "
            f"({_d(agreement.start)}): elabore un convenio nuevo con la deuda actual."
        )
    agreement.down_payment_payment = payment
    agreement.signed_on = payment.paid_on
    ledger_services.agreement_terms_record(
        actor=actor,
        employer=agreement.employer,
        number=agreement.number,
        drafted_on=agreement.as_of,
        signed_on=payment.paid_on,
        periods=agreement.periods,
        down_payment_cents=to_cents(agreement.down_payment),
        down_payment_payment_id=payment.payment_id,
        installments=[
            ledger_services.InstallmentTerms(
                i.number, i.due_date, to_cents(i.principal), to_cents(i.interest)
            )
            for i in agreement.installments.order_by("number")
        ],
        waives=policy_timeline().agreement_waives(agreement.as_of),
    )
    agreement_transition(
        actor=actor,
        agreement=agreement,
        to_state=AgreementState.ACTIVE,
        reason=(
            f"Prima recibida: pago {payment.payment_id} del {_d(payment.paid_on)}; los períodos quedan "
            f"congelados con la deuda del {_d(agreement.as_of)}."
        ),
    )
    cases_link.move_case(
        actor=actor,
        employer=agreement.employer,
        agreement=agreement,
        to_state="agreement",
        reason=f"Convenio de pago {agreement.number} firmado el {_d(payment.paid_on)}.",
    )
    _store_document_later(agreement)
    return agreement


def _store_document_later(agreement: Agreement) -> None:
    """File the signed agreement's PDF in the background, through the outbox (sent after commit;
    kept and sent again if the broker is down)."""
    from cobranza.agreements.tasks import store_agreement_document

    outbox.enqueue(
        store_agreement_document,
        description=f"Archivar en el expediente el convenio firmado {agreement.number}",
        agreement_id=agreement.pk,
    )


@transaction.atomic
def agreement_expire(*, actor: Any, agreement: Agreement) -> Agreement:
    """A draft or approved agreement whose down payment did not arrive by ``valid_until`` expires
    (SPEC §6): it holds and freezes nothing, and its periods can go into a new agreement. Called
    by ``agreements_check`` (the command and the nightly task) once the validity is over."""
    if actor is not None and not can_run_check(actor):
        raise ApplicationError("Solo una jefatura o el administrador pueden dar por vencido un convenio.")
    agreement = Agreement.objects.select_for_update().select_related("employer").get(pk=agreement.pk)
    if agreement.valid_until is None or agreement.valid_until >= _today():
        deadline = _d(agreement.valid_until) if agreement.valid_until else "—"
        raise ApplicationError(
            f"El convenio {agreement.number} puede recibir su prima hasta el {deadline}: aún no vence."
        )
    agreement.expired_on = agreement.valid_until + timedelta(days=1)
    _restructuring_failed(actor=actor, agreement=agreement, on=agreement.expired_on, why="venció sin prima")
    return agreement_transition(
        actor=actor,
        agreement=agreement,
        to_state=AgreementState.EXPIRED,
        reason=(
            f"La prima de {fmt_usd(to_cents(agreement.down_payment))} no se recibió hasta el "
            f"{_d(agreement.valid_until)} ({_policy(agreement.as_of).agreement_draft_validity_days} días "
            f"hábiles desde el "
            f"{_d(agreement.as_of)}): el convenio vence sin congelar nada."
        ),
    )


# ------------------------------------------------------------------------------------ restructure
def restructure_depth(agreement: Agreement) -> int:
    """How many restructurings led to this agreement (0 for an original one)."""
    depth = 0
    current = agreement
    while current.restructured_from_id is not None:
        depth += 1
        current = current.restructured_from  # type: ignore[assignment]
    return depth


@transaction.atomic
def agreement_restructure(
    *,
    actor: Any,
    agreement: Agreement,
    down_payment: Decimal | str,
    installments: int,
    start: date | None = None,
) -> Agreement:
    """A head restructures an active or lapsed agreement (SPEC §6 "Renegotiation"), as many times as
    the policy allows (``agreement_max_restructures``, default once): the agreement is closed as
    "reestructurado" today and what is still owed on its periods becomes a new draft (four eyes
    again: another head approves it), linked to it. While the new draft is not signed the old one
    keeps its periods frozen; if the new draft expires or is cancelled, the old one is taken as
    lapsed from then on (its freeze lifted, as SPEC §6 says of a lapse).

    What the new draft covers: for an active agreement, the principal it still had to collect (its
    periods frozen at its own draft's date; the interest of its installments already due stays on
    its own line); for a lapsed one, its periods as computed without it."""
    if not can_approve(actor):
        raise ApplicationError("Solo una jefatura puede reestructurar un convenio de pago.")
    agreement = Agreement.objects.select_for_update().select_related("employer").get(pk=agreement.pk)
    _require_visible(actor, agreement.employer)
    if agreement.state not in (AgreementState.ACTIVE, AgreementState.LAPSED):
        raise ApplicationError(
            f"Solo un convenio vigente o incumplido se reestructura; el convenio {agreement.number} está "
            f"{agreement.get_state_display().lower()}."
        )
    today = _today()
    policy = _policy(today)
    if restructure_depth(agreement) >= policy.agreement_max_restructures:
        raise ApplicationError(
            f"El convenio {agreement.number} ya viene de una reestructuración: la política {policy.version} "
            f"permite {policy.agreement_max_restructures} por convenio."
        )
    if agreement.signed_on is not None and today <= agreement.signed_on:
        raise ApplicationError(
            f"El convenio {agreement.number} se firmó el {_d(agreement.signed_on)}: se reestructura a partir "
            f"del día siguiente."
        )
    old_state = agreement.state
    agreement.restructured_on = today
    agreement_transition(
        actor=actor,
        agreement=agreement,
        to_state=AgreementState.RESTRUCTURED,
        reason=f"Reestructurado el {_d(today)} por {_who(actor)}: el saldo pendiente pasa a un convenio nuevo.",
    )
    if old_state == AgreementState.ACTIVE:
        ledger_services.agreement_terms_restructure(
            actor=actor, number=agreement.number, restructured_on=today
        )
    new = agreement_draft(
        actor=actor,
        employer=agreement.employer,
        down_payment=down_payment,
        installments=installments,
        start=start,
    )
    new.restructured_from = agreement
    new.save(update_fields=["restructured_from", "updated_at"])
    record(
        actor=actor,
        action="agreement.restructuring_drafted",
        obj=agreement,
        employer_number=agreement.employer.employer_number,
        before={"state": old_state},
        after={"state": AgreementState.RESTRUCTURED, "new_agreement": new.number},
        reason=(
            f"Convenio {agreement.number} reestructurado el {_d(today)}: el saldo de {fmt_usd(to_cents(new.debt))} "
            f"pasa al borrador {new.number}, que otra jefatura debe aprobar."
        ),
    )
    return new


def _restructuring_failed(*, actor: Any, agreement: Agreement, on: date, why: str) -> None:
    """A restructuring draft that expires or is cancelled leaves the agreement it restructured as
    lapsed from that day (its freeze lifted)."""
    old = agreement.restructured_from
    if old is None or old.signed_on is None or old.lapsed_on is not None:
        return
    from cobranza.ledger.models import AgreementTerms

    terms = AgreementTerms.objects.filter(number=old.number).first()
    if terms is not None and terms.lapsed_on is None:
        ledger_services.agreement_terms_lapse(actor=actor, number=old.number, lapsed_on=on)
    old.lapsed_on = on
    old.save(update_fields=["lapsed_on", "updated_at"])
    record(
        actor=actor,
        action="agreement.restructuring_failed",
        obj=old,
        employer_number=old.employer.employer_number,
        after={"lapsed_on": on, "draft": agreement.number},
        reason=(
            f"La reestructuración {agreement.number} {why}: el convenio {old.number} queda incumplido desde el "
            f"{_d(on)} (se levanta el congelamiento)."
        ),
    )


# ------------------------------------------------------------------------------------ follow-up
@dataclass
class CheckResult:
    as_of: date
    checked: int = 0
    signed: list[str] = field(default_factory=list)
    lapsed: list[str] = field(default_factory=list)
    fulfilled: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"Revisión de convenios al {_d(self.as_of)}: {self.checked} convenio(s) revisado(s)"]
        if self.signed:
            parts.append(f"prima recibida en {', '.join(self.signed)}")
        if self.overdue:
            parts.append(f"con cuotas vencidas {', '.join(self.overdue)}")
        if self.lapsed:
            parts.append(f"incumplidos {', '.join(self.lapsed)}")
        if self.fulfilled:
            parts.append(f"cumplidos {', '.join(self.fulfilled)}")
        if self.expired:
            parts.append(f"vencidos sin prima {', '.join(self.expired)}")
        return "; ".join(parts) + "."


def _status(st: InstallmentState, as_of: date, policy: Policy) -> str:
    status = installment_status(st, as_of, policy)
    if status == "pending" and st.paid_cents > 0:
        return InstallmentStatus.PARTIAL
    return status


def _follow_up(*, actor: Any, agreement: Agreement, as_of: date, result: CheckResult) -> None:
    policy = _policy(as_of)
    states = installment_states(agreement, as_of)
    rows = {i.number: i for i in agreement.installments.all()}
    changed = []
    for st in states:
        row = rows[st.number]
        paid = cents_to_decimal(st.paid_cents)
        status = _status(st, as_of, policy)
        if (row.paid_amount, row.paid_off_on, row.status) != (paid, st.paid_off_on, status):
            row.paid_amount, row.paid_off_on, row.status = paid, st.paid_off_on, status
            row.full_clean(exclude=["agreement"])
            changed.append(row)
    if changed:
        Installment.objects.bulk_update(changed, ["paid_amount", "paid_off_on", "status"])
    agreement.checked_on = as_of
    overdue = [st for st in states if _status(st, as_of, policy) == InstallmentStatus.OVERDUE]
    lapsed_on = lapse_date(states, policy)
    if lapsed_on is not None and lapsed_on <= as_of:
        agreement.lapsed_on = lapsed_on
        ledger_services.agreement_terms_lapse(actor=actor, number=agreement.number, lapsed_on=lapsed_on)
        agreement_transition(
            actor=actor,
            agreement=agreement,
            to_state=AgreementState.LAPSED,
            reason=(
                f"{len(overdue)} cuota(s) sin pagar {policy.agreement_grace_days} días después de su vencimiento "
                f"(la política {policy.version} incumple con {policy.agreement_lapse_installments} cuotas "
                f"vencidas, o con todas las que quedan por pagar si son menos): incumplido desde "
                f"el {_d(lapsed_on)}; se levanta el congelamiento de los períodos."
            ),
        )
        cases_link.move_case(
            actor=actor,
            employer=agreement.employer,
            agreement=agreement,
            to_state="lapsed",
            reason=f"Convenio de pago {agreement.number} incumplido desde el {_d(lapsed_on)}.",
        )
        result.lapsed.append(agreement.number)
        return
    if all(st.outstanding_cents == 0 for st in states):
        agreement.fulfilled_on = max(st.paid_off_on for st in states if st.paid_off_on)
        agreement_transition(
            actor=actor,
            agreement=agreement,
            to_state=AgreementState.FULFILLED,
            reason=f"Todas las cuotas pagadas; la última el {_d(agreement.fulfilled_on)}.",
        )
        cases_link.move_case(
            actor=actor,
            employer=agreement.employer,
            agreement=agreement,
            to_state="fulfilled",
            reason=f"Convenio de pago {agreement.number} cumplido el {_d(agreement.fulfilled_on)}.",
        )
        result.fulfilled.append(agreement.number)
        return
    if overdue:
        result.overdue.append(agreement.number)
    agreement.save(update_fields=["checked_on", "updated_at"])


@transaction.atomic
def agreements_check(
    *, actor: Any, as_of: date | None = None, agreements: Iterable[Agreement] | None = None
) -> CheckResult:
    """Follow-up of agreements at ``as_of`` (default today; SPEC §6):

    1. an approved agreement whose down payment has arrived (an unused payment of the employer,
       dated after the draft's date and by the end of its validity, at least the down payment) is
       signed on that payment's date; a draft or approved agreement whose validity ended before
       ``as_of`` without one expires (it never froze anything);
    2. the payments made after signing pay the installments oldest first; an installment is overdue
       when not fully paid by its due date plus the grace days;
    3. with min(the policy's count, installments still unpaid) overdue installments the agreement
       lapses (its freeze is lifted); when every installment is paid it is fulfilled.

    Refused (nothing saved) for a future date and for a date before an agreement was signed.
    """
    if actor is not None and not can_run_check(actor):
        raise ApplicationError(
            "Solo una jefatura o el administrador pueden ejecutar la revisión de convenios."
        )
    today = _today()
    as_of = as_of or today
    if as_of > today:
        raise ApplicationError(
            f"La fecha de revisión {_d(as_of)} es futura: las cuotas solo se pueden revisar hasta hoy ({_d(today)})."
        )
    base = Agreement.objects.select_related("employer", "down_payment_payment")
    if agreements is not None:
        ids = [a.pk for a in agreements]
        base = base.filter(pk__in=ids)
    result = CheckResult(as_of=as_of)
    too_early = list(base.filter(state=AgreementState.ACTIVE, signed_on__gt=as_of).order_by("signed_on"))
    if too_early:
        names = ", ".join(f"{a.number} (firmado el {_d(a.signed_on)})" for a in too_early[:5])
        raise ApplicationError(
            f"La fecha de revisión {_d(as_of)} es anterior a la firma del convenio {names}: "
            "revise con una fecha posterior a la firma."
        )
    for agreement in base.filter(state=AgreementState.APPROVED, as_of__lte=as_of).order_by("pk"):
        candidates = candidate_down_payments(agreement, until=min(as_of, agreement.start - _ONE_DAY))
        if candidates:
            agreement_register_down_payment(actor=actor, agreement=agreement, payment=candidates[0])
            result.signed.append(agreement.number)
    unsigned = (AgreementState.DRAFT, AgreementState.APPROVED)
    for agreement in base.filter(state__in=unsigned, valid_until__lt=as_of).order_by("pk"):
        agreement_expire(actor=actor, agreement=agreement)
        result.expired.append(agreement.number)
    for agreement in base.filter(state=AgreementState.ACTIVE).order_by("pk"):
        agreement = (
            Agreement.objects.select_for_update(of=("self",))
            .select_related("employer", "down_payment_payment")
            .get(pk=agreement.pk)
        )
        _follow_up(actor=actor, agreement=agreement, as_of=as_of, result=result)
        result.checked += 1
    record(
        actor=actor,
        action="agreements.check",
        object_type="agreements.agreement",
        object_id=as_of.isoformat(),
        after={
            "checked": result.checked,
            "signed": result.signed,
            "lapsed": result.lapsed,
            "fulfilled": result.fulfilled,
            "overdue": result.overdue,
            "expired": result.expired,
        },
        reason=result.summary(),
    )
    return result


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)


# ------------------------------------------------------------------------------------ call center
@transaction.atomic
def call_record(
    *,
    actor: Any,
    agreement: Agreement,
    called_on: date,
    outcome: str,
    notes: str = "",
    promised_amount: Decimal | None = None,
    promised_on: date | None = None,
) -> CallRecord:
    """A call about a defaulted agreement; also a collection action in the case file when cases
    offers it. The same call (agreement, date, outcome, notes) is recorded once."""
    if not can_record_call(actor):
        raise ApplicationError("Solo el centro de llamadas o una jefatura registran llamadas de convenios.")
    _require_visible(actor, agreement.employer)
    if outcome not in CallOutcome.values:
        labels = ", ".join(CallOutcome.values)
        raise ApplicationError(f"Resultado de llamada desconocido: «{outcome}» (use {labels}).")
    if called_on > _today():
        raise ApplicationError(f"La fecha de la llamada {_d(called_on)} es futura.")
    if (promised_amount is None) != (promised_on is None):
        raise ApplicationError("Una promesa de pago necesita monto y fecha.")
    if promised_on is not None and promised_on < called_on:
        raise ApplicationError("La fecha prometida no puede ser anterior a la llamada.")
    existing = CallRecord.objects.filter(
        agreement=agreement, called_on=called_on, outcome=outcome, notes=(notes or "")[:500]
    ).first()
    if existing is not None:
        return existing
    call = CallRecord(
        agreement=agreement,
        called_on=called_on,
        outcome=outcome,
        notes=(notes or "")[:500],
        promised_amount=promised_amount,
        promised_on=promised_on,
        recorded_by=actor,
    )
    call.full_clean()
    call.save()
    record(
        actor=actor,
        action="agreement.call",
        obj=call,
        employer_number=agreement.employer.employer_number,
        after=snapshot(call, ("called_on", "outcome", "notes", "promised_amount", "promised_on")),
    )
    notes_text = f"Convenio {agreement.number}: {call.get_outcome_display()}. {call.notes}".strip()
    if promised_amount is not None and promised_on is not None:
        notes_text += f" Promete pagar {fmt_usd(to_cents(promised_amount))} el {_d(promised_on)}."
    cases_link.record_call(
        actor=actor,
        employer=agreement.employer,
        called_on=called_on,
        outcome=outcome,
        label=call.get_outcome_display(),
        notes=notes_text,
        promised_amount=promised_amount,
        promised_on=promised_on,
    )
    return call
