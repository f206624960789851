"""The demo data of the judicial referral, for `cobranza seed` (one hook call at its end).

``seed_demo(today=…)`` takes employers in arrears that a referral may take (gestor1's first; no
agreement being negotiated or in force, no claim open), sends them two notices (150 and 120 days
back, through the letter service, as of those business dates) and runs referrals through the
services into every state, so every legal page has life: accepted with a lawsuit filed and a hearing
ahead, approved (waiting for the legal unit), returned by the head and requested again (waiting for
the head), closed after a payment, and with a judgment (the worker-share type, Código Penal art.
245). A small demo may have fewer employers than states: the first states come first. Idempotent: a
second call finds referrals and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from cobranza.common.errors import ApplicationError


@dataclass
class DemoSummary:
    by_state: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        states = ", ".join(f"{n} {label.lower()}" for label, n in self.by_state.items())
        return [f"Cobro judicial: {sum(self.by_state.values())} remisiones ({states})."]


def _summary() -> DemoSummary:
    from cobranza.legal.models import Referral, ReferralState

    labels = dict(ReferralState.choices)
    summary = DemoSummary()
    for state in ReferralState.values:
        n = Referral.objects.filter(state=state).count()
        if n:
            summary.by_state[labels[state]] = n
    return summary


def _candidates(limit: int) -> list[tuple[Any, User]]:
    """(employer, its collector) in arrears that a referral may take (see `busy`): gestor1's first,
    then gestor2's, then the rest; largest debt first."""
    from cobranza.agreements.models import Agreement
    from cobranza.cases.models import CaseFile, CaseState
    from cobranza.ledger.models import BalanceSnapshot, SuspendedPeriod
    from cobranza.portfolio.models import Assignment

    # An agreement being negotiated or in force, or a claim open, keeps an employer out (a lapsed
    # agreement is the other route of SPEC §4); so does a case following an agreement or referred.
    busy = set(
        Agreement.objects.filter(state__in=["draft", "approved", "active"]).values_list(
            "employer_id", flat=True
        )
    )
    busy |= set(SuspendedPeriod.objects.filter(closed_on__isnull=True).values_list("employer_id", flat=True))
    busy |= set(
        CaseFile.objects.exclude(
            state__in=[CaseState.OPEN, CaseState.IN_COLLECTION, CaseState.LAPSED, CaseState.CLOSED]
        ).values_list("employer_id", flat=True)
    )
    collectors = dict(
        Assignment.objects.filter(end__isnull=True, collector__isnull=False).values_list(
            "employer_id", "collector_id"
        )
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=set(collectors.values()))}
    snapshots = (
        BalanceSnapshot.objects.filter(employer_id__in=list(collectors), overdue_outstanding__gt=0)
        .exclude(employer_id__in=busy)
        .select_related("employer")
        .order_by("-overdue_outstanding", "employer_id")
    )
    rank = {"gestor1": 0, "gestor2": 1}
    found = [(s.employer, users[collectors[s.employer_id]]) for s in snapshots]
    found.sort(key=lambda pair: rank.get(pair[1].username, 2))
    return found[: limit * 3]


def seed_demo(*, today: date, users: dict[str, User] | None = None) -> DemoSummary:
    """Referrals in every state (see the module docstring); a `cobranza seed` hook (`DEMO_HOOKS`)."""
    from cobranza.legal.models import Referral

    if Referral.objects.exists():
        return _summary()
    by_name = {
        u.username: u
        for u in User.objects.filter(username__in=["gestor1", "jefe", "jefe_sucursal", "juridico"])
    }
    by_name.update({k: v for k, v in (users or {}).items() if k in by_name})
    collector, head, branch_head, legal = (
        by_name.get(n) for n in ("gestor1", "jefe", "jefe_sucursal", "juridico")
    )
    if not (collector and head and legal):
        return _summary()
    # In order of what the pages need most (a small demo has few employers a referral may take);
    # the returned one is requested again, as a collector would after completing the file.
    plans = ["in_court", "approved", "returned", "closed", "judgment"]
    done: list[str] = []
    for employer, owner in _candidates(len(plans)):
        if len(done) == len(plans):
            break
        plan = plans[len(done)]
        try:
            with transaction.atomic():
                _run(plan, employer, len(done), today, owner, head, legal)
            done.append(plan)
        except ApplicationError:
            continue  # this employer does not fit (e.g. it paid meanwhile): try the next one
    return _summary()


def _run(plan: str, employer: Any, n: int, today: date, collector: User, head: User, legal: User) -> None:
    """One employer through the services up to the state `plan` (rolled back if refused)."""
    from cobranza.cases.services import case_for_employer, letter_generate
    from cobranza.legal import services
    from cobranza.legal.models import ReferralKind, StepKind
    from cobranza.reports.demo_life import business_day

    with business_day(today - timedelta(days=150)):
        case = case_for_employer(employer=employer, actor=collector)
        assert case is not None
        letter_generate(actor=collector, case=case, letter_type="first_notice")
    with business_day(today - timedelta(days=120)):
        letter_generate(actor=collector, case=case, letter_type="second_notice")
    requested_on = today - timedelta(days=25 - 3 * n)
    kind = ReferralKind.WORKER_SHARE if plan == "judgment" else ReferralKind.ORDINARY
    with business_day(requested_on):
        referral = services.referral_request(
            actor=collector,
            case=case,
            kind=kind,
            note="El patrono no respondió a los avisos ni propuso convenio de pago.",
        )
    decided = requested_on + timedelta(days=1)
    if plan == "returned":
        with business_day(decided):
            services.referral_return(
                actor=head,
                referral=referral,
                reason="Falta la credencial del representante legal en el expediente.",
            )
        with business_day(decided + timedelta(days=1)):
            services.referral_request(
                actor=collector,
                case=case,
                kind=kind,
                note="Se agregó al expediente la credencial del representante legal.",
            )
        return
    with business_day(decided):
        services.referral_approve(actor=head, referral=referral)
    if plan == "approved":
        return
    received = decided + timedelta(days=1)
    with business_day(received):
        services.referral_accept(actor=legal, referral=referral)
        services.referral_step_record(
            actor=legal,
            referral=referral,
            kind=StepKind.LAWSUIT_FILED,
            on=received,
            court="Juzgado Primero de lo Civil y Mercantil de San Salvador",
            court_case_number=f"{100 + n}-EC-{received:%Y}",
            notes="Demanda ejecutiva presentada con la certificación de mora.",
            next_step="Audiencia preparatoria",
            next_step_on=today + timedelta(days=7) if plan == "in_court" else received,
        )
    if plan == "in_court":
        return
    judged = received + timedelta(days=3)
    with business_day(judged):
        services.referral_step_record(
            actor=legal,
            referral=referral,
            kind=StepKind.JUDGMENT,
            on=judged,
            notes="Sentencia favorable al Instituto.",
            next_step="Ejecución de la sentencia",
            next_step_on=today + timedelta(days=10),
        )
    if plan == "judgment":
        return
    paid = judged + timedelta(days=2)
    with business_day(paid):
        services.referral_step_record(
            actor=legal,
            referral=referral,
            kind=StepKind.PAYMENT,
            on=paid,
            amount=Decimal(referral.amount),
            notes="El patrono pagó lo condenado.",
        )
        services.referral_step_record(
            actor=legal, referral=referral, kind=StepKind.CLOSED, on=paid, outcome="paid"
        )
