"""A declared period as the statement sees it: the version of its declaration in force, its due
date and fine under the policy timeline, and the running state of what was paid (rules 1, 2)."""

from __future__ import annotations

from datetime import date

from cobranza.engine.calendar import due_date as _due_date
from cobranza.engine.calendar import months_late, period_start
from cobranza.engine.money import rate_fraction, round_half_up_ratio
from cobranza.engine.policy import Policy
from cobranza.engine.statement.model import Correction, DeclarationIn, Piece
from cobranza.engine.timeline import PolicyTimeline

__all__ = ["PeriodState", "effective", "fine_amount", "fine_base", "in_force"]


def in_force(d: DeclarationIn, as_of: date) -> tuple[int, int, tuple[Correction, ...]]:
    """The declaration's (contribution, worker share, corrections in force) at ``as_of``."""
    contrib, worker = d.contribution_cents, d.worker_cents
    used: list[Correction] = []
    for c in d.corrections:
        if c.filed_on <= as_of:
            contrib, worker = c.contribution_cents, c.worker_cents
            used.append(c)
    return contrib, worker, tuple(used)


def fine_base(d: DeclarationIn, contrib: int, used: tuple[Correction, ...], due: date) -> int:
    """The part of the contribution the fine is on (rule 2)."""
    if d.origin == "de_oficio" or d.filed_on is None or d.filed_on > due:
        return contrib
    on_time = d.contribution_cents
    for c in used:
        if c.filed_on <= due:
            on_time = c.contribution_cents
    return max(0, contrib - on_time)


def fine_amount(base: int, policy: Policy) -> int:
    if not policy.fine_enabled or base <= 0:
        return 0
    num, den = rate_fraction(policy.fine_rate)
    return round_half_up_ratio(base * num, den)


class PeriodState:
    __slots__ = (
        "decl",
        "period",
        "start",
        "due",
        "freeze",
        "contrib",
        "worker",
        "used",
        "policy",
        "fine_base",
        "fine_amount",
        "steps",
        "ci_due",
        "paid_c",
        "ws",
        "wi",
        "s_paid",
        "f_paid",
        "i_paid",
        "last_c",
        "waived",
        "waived_by",
        "done",
        "pieces",
        "agreement",
    )

    def __init__(self, d: DeclarationIn, tl: PolicyTimeline, as_of: date, freeze: date | None, waived: int):
        self.decl = d
        self.period = d.period
        self.start = period_start(d.period)
        self.policy = tl.for_period(d.period)
        self.due = _due_date(d.period, self.policy)
        self.freeze = freeze
        self.contrib, self.worker, self.used = in_force(d, as_of)
        self.fine_base = fine_base(d, self.contrib, self.used, self.due)
        self.fine_amount = fine_amount(self.fine_base, self.policy)
        eff = effective(as_of, freeze)
        self.steps = tl.surcharge_steps(self.due, months_late(self.due, eff))
        self.ci_due = 0
        self.paid_c = 0
        self.ws = 0  # Σ paid pieces × C(months late): surcharge rate units × cents
        self.wi = 0  # Σ paid pieces × interest units of their days late
        self.s_paid = 0
        self.f_paid = 0
        self.i_paid = 0
        self.last_c: date | None = None
        self.waived = waived
        self.waived_by: list[str] = []
        self.done = self.contrib == 0 and self.fine_amount == 0
        self.pieces: list[Piece] = []
        self.agreement: int | None = None  # index of the agreement covering it at the statement's date


def effective(t: date, freeze: date | None) -> date:
    return t if freeze is None or t <= freeze else freeze
