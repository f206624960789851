"""Life for the demo (`cobranza seed`): months of collection work on top of the synthetic portfolio,
so that every page and report of every role shows something on a fresh machine.

Everything goes through the services, run "as of" past business dates (the setting
`COBRANZA_BUSINESS_DATE` moved day by day, as a rehearsal would), and the payments that pay down
payments, installments and promises are imported through the payment import (`run_import`), so
the statement, the agreement check and the promise check see them exactly like real ones:

* agreements in every state: draft, approved (waiting for its down payment), active and up to date,
  active with an overdue installment (on the call center's list, with a call recorded), fulfilled,
  lapsed, expired and restructured (a lapsed one a head renegotiated into a new draft);
* collection actions over the last four months (calls, visits, e-mails; contacts reached or not),
  promises to pay kept (a payment to an overdue period), broken (nothing, or only the current month)
  and pending;
* one reassignment between the two San Salvador collectors (their recoveries split on its date);
* monthly goals of every collector and branch for the last six months and this one.

Deterministic: no randomness; employers are taken in employer-number order. Bounded: a fixed number
of agreements and promises, and actions for at most `MAX_ACTION_EMPLOYERS` employers, whatever the
size of the portfolio.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from time import perf_counter
from typing import Any

from django.contrib.auth.models import User
from django.test.utils import override_settings
from django.utils import timezone

from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer
from cobranza.portfolio.models import Assignment

MAX_ACTION_EMPLOYERS = 60
ACTION_MONTHS = 3
GOAL_MONTHS = 5

# (what the agreement becomes, days before today of its draft, installments wanted, installments paid)
AGREEMENT_PLANS: tuple[tuple[str, int, int, int], ...] = (
    ("fulfilled", 150, 3, 3),
    ("active_overdue", 100, 4, 1),
    ("lapsed", 160, 6, 0),
    ("active", 70, 6, 99),
    ("approved", 2, 3, 0),
    ("draft", 0, 4, 0),
    ("expired", 60, 3, 0),
    ("restructured", 170, 6, 0),
)


@dataclass
class LifeSummary:
    agreements: dict[str, int] = field(default_factory=dict)
    payments: int = 0
    actions: int = 0
    promises: dict[str, int] = field(default_factory=dict)
    goals: int = 0
    calls: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if not self.agreements and not self.goals:
            return ["Vida de la demostración: ya estaba (no se agregó nada)."]
        from cobranza.agreements.models import AgreementState

        labels = dict(AgreementState.choices)
        agreements = ", ".join(f"{labels.get(k, k).lower()} {n}" for k, n in sorted(self.agreements.items()))
        return [
            f"Vida de la demostración: convenios ({agreements}); {self.payments} pagos importados; "
            f"{self.actions} gestiones; promesas {self.promises}; {self.calls} llamadas; {self.goals} metas "
            f"({', '.join(f'{k} {v:.1f} s' for k, v in self.timings.items())}).",
        ]


@contextmanager
def business_day(day: date) -> Iterator[None]:
    """Run the services as of `day` (the business date every service reads)."""
    with override_settings(COBRANZA_BUSINESS_DATE=day):
        yield


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _dollars(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


class _Payments:
    """Payments to import in one file through the payment import."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(
        self, employer: Employer, paid_on: date, cents: int, *, period: str = "", reference: str = ""
    ) -> None:
        n = len(self.rows) + 1
        self.rows.append(
            [
                f"DEMO-{n:06d}",
                employer.employer_number,
                paid_on.isoformat(),
                f"{_dollars(cents)}",
                period,
                "banco",
                reference,
            ]
        )

    def import_all(self, *, today: date) -> int:
        from cobranza.employers.imports import run_import
        from cobranza.employers.synthetic import PAYMENT_COLUMNS

        if not self.rows:
            return 0
        with tempfile.TemporaryDirectory(prefix="cobranza-vida-") as folder:
            path = Path(folder) / "pagos-demostracion.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(PAYMENT_COLUMNS)
                writer.writerows(self.rows)
            run_import(kind="payments", source=path, filename=path.name, actor=None, today=today)
        return len(self.rows)


def _portfolios(users: dict[str, User]) -> list[tuple[Employer, User]]:
    """(employer, collector) of the current assignments, San Salvador's two collectors first and
    alternating, then the other collectors; employer-number order inside each."""
    rows = list(
        Assignment.objects.filter(end__isnull=True)
        .select_related("employer", "collector")
        .order_by("employer__employer_number")
    )
    first = [u for name in ("gestor1", "gestor2") if (u := users.get(name))]
    by_collector: dict[int, list[Assignment]] = {}
    for a in rows:
        by_collector.setdefault(a.collector_id, []).append(a)
    ordered: list[tuple[Employer, User]] = []
    lists = [by_collector.get(u.pk, []) for u in first]
    for k in range(max((len(x) for x in lists), default=0)):
        for x in lists:
            if k < len(x):
                ordered.append((x[k].employer, x[k].collector))
    seen = {e.pk for e, _ in ordered}
    ordered += [(a.employer, a.collector) for a in rows if a.employer_id not in seen]
    return ordered


def _draft(employer: Employer, collector: User, day: date, wanted: int) -> Any | None:
    from cobranza.agreements.selectors import employer_options
    from cobranza.agreements.services import agreement_draft

    with business_day(day):
        try:
            options = employer_options(employer=employer, as_of=day)
            if options.debt_cents <= 0 or options.max_installments < 1:
                return None
            n = max(1, min(wanted, options.max_installments))
            down = options.min_down_payment_cents
            return agreement_draft(
                actor=collector, employer=employer, down_payment=_dollars(down), installments=n
            )
        except ApplicationError:
            return None


def seed_life(*, today: date, users: dict[str, User], **_: Any) -> LifeSummary:
    """The demo's months of work (see the module docstring). Called by `cobranza seed`."""
    from django.db.models import Max

    from cobranza.agreements.models import Agreement
    from cobranza.agreements.services import agreement_approve, agreements_check
    from cobranza.ledger.models import Payment
    from cobranza.reports.models import Goal

    summary = LifeSummary()
    t = perf_counter()
    head = users.get("jefe")
    if head is None or Goal.objects.exists() or Agreement.objects.exists():
        return summary  # already lived (a second `cobranza seed` adds nothing)
    pairs = _portfolios(users)
    payments = _Payments()
    used: set[int] = set()

    # -- agreements: drafted by the employer's collector on their day, approved by the head -----
    plans: list[tuple[str, Any, int]] = []
    pool = pairs[:80]
    last_paid = dict(
        Payment.objects.filter(employer__in=[e for e, _ in pool])
        .values("employer_id")
        .annotate(last=Max("paid_on"))
        .values_list("employer_id", "last")
    )
    for plan, days_back, wanted, paid in AGREEMENT_PLANS:
        drafted_on = today - timedelta(days=days_back)
        # Employers that stopped paying before the draft first: one still paying would pay the
        # agreement off by itself. At most a few tries per plan.
        ordered = sorted((k, e, c) for k, (e, c) in enumerate(pool) if e.pk not in used)
        ordered.sort(key=lambda t: (last_paid.get(t[1].pk, date.min) > drafted_on, t[0]))
        agreement = None
        for _, employer, collector in ordered[:8]:
            agreement = _draft(employer, collector, drafted_on, wanted)
            if agreement is not None:
                used.add(employer.pk)
                break
        if agreement is None:
            continue
        if plan != "draft":
            with business_day(drafted_on):
                agreement_approve(actor=head, agreement=agreement)
        plans.append((plan, agreement, paid))
        if plan in ("draft", "approved", "expired"):
            continue
        # The down payment three days after the draft, naming the agreement.
        payments.add(
            employer,
            drafted_on + timedelta(days=3),
            int(agreement.down_payment * 100),
            reference=agreement.number,
        )
        for inst in agreement.installments.order_by("number")[:paid]:
            if inst.due_date < today:
                payments.add(
                    employer,
                    inst.due_date - timedelta(days=2),
                    int(inst.amount * 100),
                    reference=agreement.number,
                )

    # -- every other collector has a draft of its own on «Convenios» (drafts file no PDF: cheap) --
    seen_collectors = {a.drafted_by_id for _, a, _ in plans}
    for employer, collector in pairs:
        if collector.pk in seen_collectors or employer.pk in used:
            continue
        if _draft(employer, collector, today, 6) is not None:
            used.add(employer.pk)
            seen_collectors.add(collector.pk)
            summary.agreements["draft"] = summary.agreements.get("draft", 0) + 1

    # -- promises to pay: kept (a payment to a period overdue when promised), broken, pending ----
    promise_pairs = [(e, c) for e, c in pairs if e.pk not in used][:12]
    promised = _promises(promise_pairs, today=today, payments=payments)
    used.update(e.pk for e, _ in promise_pairs)

    summary.timings["convenios y promesas"] = perf_counter() - t
    t = perf_counter()
    summary.payments = payments.import_all(today=today)
    summary.timings["importación de pagos"] = perf_counter() - t
    t = perf_counter()

    # -- the agreement check, day after day as it runs every morning -----------------------------
    first = min((a.as_of for _, a, _ in plans), default=today)
    day = first
    while day <= today:
        with business_day(day):
            agreements_check(actor=None, as_of=day)
        day += timedelta(days=14)
    with business_day(today):
        agreements_check(actor=None, as_of=today)
        _restructure(plans, head=head, today=today)
        summary.calls = _calls(users, today=today)
        summary.promises = _evaluate_promises(promised, today=today)

    for _, agreement, _ in plans:
        agreement.refresh_from_db()
        state = str(agreement.state)
        summary.agreements[state] = summary.agreements.get(state, 0) + 1
        child = Agreement.objects.filter(restructured_from=agreement).first()
        if child is not None:
            summary.agreements[str(child.state)] = summary.agreements.get(str(child.state), 0) + 1

    summary.timings["revisiones"] = perf_counter() - t
    t = perf_counter()
    summary.actions = _actions(pairs, today=today)
    _reassign(users, head=users.get("jefe_sucursal") or head, today=today, avoid=used)
    summary.timings["gestiones"] = perf_counter() - t
    t = perf_counter()
    summary.goals = _goals(users, head=head, today=today)
    summary.timings["metas"] = perf_counter() - t
    return summary


def _promises(
    pairs: list[tuple[Employer, User]], *, today: date, payments: _Payments
) -> list[tuple[Any, str]]:
    """Calls with a promise: even ones kept by an arrears payment, every third broken by a payment to
    the current month only, the rest broken by silence; the last two pending (promised for next
    week)."""
    from cobranza.cases.models import ActionKind, ActionOutcome
    from cobranza.cases.services import action_record, case_for_employer
    from cobranza.ledger.selectors import statement_for_employer

    outcome = (
        ActionOutcome.objects.filter(name="Contactado, promete pagar").first()
        or ActionOutcome.objects.filter(is_contact=True, active=True).order_by("order").first()
    )
    out: list[tuple[Any, str]] = []
    for k, (employer, collector) in enumerate(pairs):
        pending = k >= len(pairs) - 2
        made = today - timedelta(days=3 if pending else 40 - k)
        statement = statement_for_employer(employer, made)
        overdue = [ln for ln in statement.periods if ln.overdue and ln.outstanding_cents > 0]
        if not overdue:
            continue
        owed = overdue[0].outstanding_cents
        amount = min(owed, max(2_000, (owed // 2) // 100 * 100))
        with business_day(made):
            case = case_for_employer(employer=employer, actor=None, create=True)
            try:
                action = action_record(
                    actor=collector,
                    case=case,
                    kind=ActionKind.CALL,
                    outcome=outcome,
                    contact_person=employer.legal_representative or "",
                    notes="Llamada de seguimiento: el patrono se compromete a pagar la mora más antigua.",
                    performed_at=_at(made),
                    promise_amount=_dollars(amount),
                    promise_date=made + timedelta(days=10),
                    next_action_on=made + timedelta(days=12),
                )
            except ApplicationError:
                continue
        fate = (
            "pending"
            if pending
            else ("kept" if k % 2 == 0 else ("current_only" if k % 3 == 0 else "silence"))
        )
        if fate == "kept":
            payments.add(employer, made + timedelta(days=6), amount, period=overdue[0].period)
        elif fate == "current_only":
            current = f"{made:%Y-%m}"
            payments.add(employer, made + timedelta(days=6), amount, period=current)
        out.append((action, fate))
    return out


def _evaluate_promises(promised: list[tuple[Any, str]], *, today: date) -> dict[str, int]:
    from cobranza.cases.models import PaymentPromise
    from cobranza.cases.services import promises_evaluate

    promises_evaluate(as_of=today, actor=None)
    counts: dict[str, int] = {}
    for promise in PaymentPromise.objects.filter(action__in=[a for a, _ in promised]):
        label = promise.get_status_display().lower()
        counts[label] = counts.get(label, 0) + 1
    return counts


def _restructure(plans: list[tuple[str, Any, int]], *, head: User, today: date) -> None:
    from cobranza.agreements.models import AgreementState
    from cobranza.agreements.services import agreement_restructure

    lapsed = []
    for plan, agreement, _ in plans:
        agreement.refresh_from_db()
        if agreement.state == AgreementState.LAPSED:
            lapsed.append((plan != "restructured", agreement.pk, agreement))
    if not lapsed:
        return
    agreement = sorted(lapsed, key=lambda t: (t[0], t[1]))[0][2]  # the planned one, else the first lapsed
    owed = int(agreement.debt * 100)
    for rate in ("0.25", "0.35", "0.5", "0.75", "1"):
        down = (Decimal(owed) * Decimal(rate) / 100).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
        for n in (6, 3, 1):
            try:
                agreement_restructure(actor=head, agreement=agreement, down_payment=down, installments=n)
                return
            except ApplicationError:
                continue


def _calls(users: dict[str, User], *, today: date) -> int:
    """The call center calls every defaulted agreement of its list once."""
    from cobranza.agreements.selectors import defaulted_agreements
    from cobranza.agreements.services import call_record

    caller = users.get("callcenter")
    if caller is None:
        return 0
    n = 0
    for k, row in enumerate(defaulted_agreements(user=caller, as_of=today)):
        agreement = getattr(row, "agreement", None)
        if agreement is None:
            continue
        try:
            if k % 2 == 0:
                call_record(
                    actor=caller,
                    agreement=agreement,
                    called_on=today - timedelta(days=1),
                    outcome="promesa",
                    notes="Promete ponerse al día con la cuota vencida.",
                    promised_amount=agreement.installment_amount,
                    promised_on=today + timedelta(days=5),
                )
            else:
                call_record(
                    actor=caller,
                    agreement=agreement,
                    called_on=today - timedelta(days=1),
                    outcome="no_contesta",
                )
            n += 1
        except ApplicationError:
            continue
    return n


_ACTION_CYCLE = (
    ("call", "Contactado, solicita estado de cuenta", "Solicita su estado de cuenta actualizado."),
    ("call", "No contesta", "Se llamó al teléfono registrado; nadie contestó."),
    ("visit", "Solicita convenio", "Visita a la empresa: el representante pide opciones de convenio."),
    ("email", "Correo enviado", "Se envió el detalle de la mora por correo electrónico."),
    ("call", "Buzón de voz, se dejó mensaje", "Se dejó mensaje pidiendo devolver la llamada."),
    ("meeting", "Contactado, afirma haber pagado", "Reunión: afirma haber pagado; se pidieron comprobantes."),
)


def _actions(pairs: list[tuple[Employer, User]], *, today: date) -> int:
    """One action a month for the last months on each employer of the portfolios (bounded)."""
    from cobranza.cases.models import ActionOutcome
    from cobranza.cases.services import action_record, case_for_employer

    outcomes = {o.name: o for o in ActionOutcome.objects.filter(active=True)}
    n = 0
    for i, (employer, collector) in enumerate(pairs[:MAX_ACTION_EMPLOYERS]):
        case = None
        for m in range(ACTION_MONTHS, 0, -1):
            day = today - timedelta(days=30 * m - (i % 20))
            kind, name, notes = _ACTION_CYCLE[(i + m) % len(_ACTION_CYCLE)]
            outcome = outcomes.get(name)
            if outcome is None:
                continue
            with business_day(day):
                case = case or case_for_employer(employer=employer, actor=None, create=True)
                try:
                    action_record(
                        actor=collector,
                        case=case,
                        kind=kind,
                        outcome=outcome,
                        notes=notes,
                        performed_at=_at(day, 9 + m),
                        # The latest action sets the follow-up: today for half of them, a week after
                        # it (now past: «gestión vencida») for the others, so «Mi trabajo» has work.
                        next_action_on=(today if i % 2 == 0 else day + timedelta(days=7)) if m == 1 else None,
                    )
                    n += 1
                except ApplicationError:
                    continue
    return n


def _reassign(users: dict[str, User], *, head: User, today: date, avoid: set[int]) -> None:
    """gestor1 hands one employer to gestor2 sixty days ago (recoveries split on that date)."""
    from cobranza.portfolio.services import assignment_create

    g1, g2 = users.get("gestor1"), users.get("gestor2")
    if g1 is None or g2 is None:
        return
    mine = (
        Assignment.objects.filter(collector=g1, end__isnull=True)
        .exclude(employer_id__in=avoid)
        .select_related("employer")
        .order_by("employer__employer_number")
    )
    if mine.count() < 2:
        return
    assignment = mine.last()
    assert assignment is not None
    try:
        assignment_create(
            actor=head,
            employer=assignment.employer,
            collector=g2,
            reason="Redistribución de carga entre los gestores de San Salvador",
            on=max(today - timedelta(days=60), assignment.start_on),
        )
    except ApplicationError:
        pass


def _goals(users: dict[str, User], *, head: User, today: date) -> int:
    """Goals of every collector and branch for the last months and this one, from each portfolio's
    overdue debt (about 15 % of it a month, in steps of $50)."""
    from django.db.models import Sum

    from cobranza.common.roles import Role
    from cobranza.ledger.models import BalanceSnapshot
    from cobranza.reports.services import goal_set

    collectors = [u for u in users.values() if u.groups.filter(name=Role.COLLECTOR).exists()]
    n = 0
    branch_goal: dict[Any, list[Decimal]] = {}
    for collector in sorted(collectors, key=lambda u: u.username):
        owed = BalanceSnapshot.objects.filter(
            employer__assignments__collector=collector, employer__assignments__end__isnull=True
        ).aggregate(s=Sum("overdue_outstanding"))["s"] or Decimal("0")
        if owed <= 0:
            continue
        monthly = max(Decimal("50"), (owed * Decimal("0.15") / 50).quantize(Decimal("1")) * 50)
        portfolio = Assignment.objects.filter(collector=collector, end__isnull=True).count()
        for back in range(GOAL_MONTHS, -1, -1):
            goal_set(
                actor=head,
                month=_month_start(today, back),
                collector=collector,
                recovered=monthly,
                agreements=1 + portfolio // 25,
                contacts=max(4, portfolio // 2),
            )
            n += 1
        profile = getattr(collector, "staff_profile", None)
        if profile is not None and profile.branch is not None:
            branch_goal.setdefault(profile.branch, []).append(monthly)
    for branch, amounts in sorted(branch_goal.items(), key=lambda kv: kv[0].name):
        for back in range(GOAL_MONTHS, -1, -1):
            goal_set(
                actor=head,
                month=_month_start(today, back),
                branch=branch,
                recovered=sum(amounts, Decimal("0")),
                agreements=2 * len(amounts),
                contacts=10 * len(amounts),
            )
            n += 1
    return n
