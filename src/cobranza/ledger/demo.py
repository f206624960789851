"""The limitation clock's demo data, for `cobranza seed` (one line in its DEMO_HOOKS).

`seed_demo(today=…, users=…)`, deterministic (employers taken by number among those with a case):
the demo's declarations cover only the last years, so a few employers get one old unpaid period
more, through the real import — four whose period prescribed some months ago (marked by the same
check as `cobranza limitation check`), four whose period prescribes within the alert window (the
worklist's «Prescribe el…» badge and the heads' «Próximas prescripciones»), and one whose old period
a documented notice restarted (its new date on the statement and the case file).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cobranza.employers.models import Employer


@dataclass
class LimitationDemo:
    prescribed: list[str] = field(default_factory=list)
    upcoming: list[str] = field(default_factory=list)
    restarted: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not (self.prescribed or self.upcoming):
            return []
        return [
            f"Prescripción: {len(self.prescribed)} patronos con un período prescrito "
            f"({', '.join(self.prescribed[:4])}), {len(self.upcoming)} con un período por prescribir "
            f"en los próximos meses y {len(self.restarted)} con la prescripción interrumpida por un aviso."
        ]


def _period(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def seed_demo(*, today: date, users: dict[str, Any]) -> LimitationDemo:
    from cobranza.employers.imports import run_import
    from cobranza.ledger.models import Declaration, LimitationRestart
    from cobranza.ledger.selectors import policy_for
    from cobranza.ledger.services import (
        balances_recompute,
        limitation_restart_record,
        prescribed_periods_mark,
    )

    summary = LimitationDemo()
    if LimitationRestart.objects.filter(reference__startswith="Demostración").exists():
        return summary
    years = policy_for(today).limitation_years
    now = today.year * 12 + today.month - 1
    prescribed_period = _period(now - 12 * years - 8)  # due ~7 months more than the limit ago
    upcoming_period = _period(now - 12 * years + 2)  # due ~3 months less than the limit ago
    employers = list(
        Employer.objects.filter(status="active", cases__isnull=False, balance__overdue_outstanding__gt=0)
        .distinct()
        .order_by("employer_number")[:9]
    )
    if len(employers) < 9:
        return summary
    groups = (
        (employers[0:4], prescribed_period, summary.prescribed),
        (employers[4:8], upcoming_period, summary.upcoming),
        (employers[8:9], prescribed_period, summary.restarted),
    )
    rows = [
        "employer_number,period,workers,salary_base,employer_contribution,worker_contribution,filed_on,origin"
    ]
    for members, period, _ in groups:
        year, month = int(period[:4]), int(period[5:])
        filed = date(year + month // 12, month % 12 + 1, 5)
        for employer in members:
            if Declaration.objects.filter(employer=employer, period=period).exists():
                continue
            rows.append(
                f"{employer.employer_number},{period},4,1800.00,135.00,54.00,{filed.isoformat()},employer"
            )
    if len(rows) > 1:
        run_import(
            kind="declarations",
            source=io.BytesIO(("\n".join(rows) + "\n").encode()),
            filename="planillas-antiguas-demostracion.csv",
            today=today,
        )
    head = users.get("jefe")
    # A notice delivered two years ago restarts the last employer's old period.
    notice_on = date(today.year - 2, today.month, 1)
    limitation_restart_record(
        actor=head,
        employer=employers[8],
        on=notice_on,
        cause="notice",
        reference="Demostración: aviso de cobro entregado",
        periods=[prescribed_period],
    )
    balances_recompute(actor=None, as_of=today, employer_ids=[e.pk for e in employers])
    prescribed_periods_mark(actor=None, as_of=today, employer_ids=[e.pk for e in employers])
    for members, _, names in groups:
        names.extend(e.employer_number for e in members)
    return summary
