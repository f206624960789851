"""What the batch gives: one row per (employer, period) and one per employer, as Polars frames
whose columns are the fields of ``PeriodLine`` and ``EmployerSummary`` (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from cobranza.engine.batch.kernel import EMP_COLUMNS, I8, I32, I64, NO_DAY, ROW_COLUMNS, U8
from cobranza.engine.statement import STATUSES, PeriodLine, Statement, StatementTotals
from cobranza.engine.timeline import PolicyTimeline

__all__ = [
    "EMPLOYER_COLUMNS",
    "PERIOD_COLUMNS",
    "STATUS_ENUM",
    "BatchResult",
    "employer_frame",
    "period_frame",
]

STATUS_ENUM = pl.Enum(list(STATUSES))  # physical codes: paid 0, partial 1, unpaid 2, not_due 3

PERIOD_COLUMNS = (
    "employer_number",
    "period",
    "due_date",
    "months_late",
    "status",
    "contribution_cents",
    "contribution_paid_cents",
    "contribution_outstanding_cents",
    "surcharge_cents",
    "surcharge_paid_cents",
    "surcharge_outstanding_cents",
    "fine_cents",
    "fine_paid_cents",
    "fine_outstanding_cents",
    "interest_cents",
    "interest_paid_cents",
    "interest_outstanding_cents",
    "outstanding_cents",
    "worker_share_cents",
    "worker_share_outstanding_cents",
)
EMPLOYER_COLUMNS = (
    "employer_number",
    "contribution_outstanding_cents",
    "surcharge_outstanding_cents",
    "fine_outstanding_cents",
    "interest_outstanding_cents",
    "outstanding_cents",
    "credit_cents",
    "overdue_periods",
    "months_in_arrears",
    "oldest_unpaid_period",
    "last_payment_date",
    "overdue_outstanding_cents",
    "current_outstanding_cents",
    "worker_share_outstanding_cents",
)
_TOTALS = {  # StatementTotals field -> employers column
    "contribution_outstanding_cents": "contribution_outstanding_cents",
    "surcharge_outstanding_cents": "surcharge_outstanding_cents",
    "fine_outstanding_cents": "fine_outstanding_cents",
    "interest_outstanding_cents": "interest_outstanding_cents",
    "outstanding_cents": "outstanding_cents",
    "credit_cents": "credit_cents",
    "worker_share_outstanding_cents": "worker_share_outstanding_cents",
    "overdue_cents": "overdue_outstanding_cents",
    "current_cents": "current_outstanding_cents",
}


@dataclass(frozen=True)
class BatchResult:
    """``periods``: one row per (employer, period begun by ``as_of``), ordered by employer number and
    period, every amount in cents, ``status`` an Enum of paid/partial/unpaid/not_due
    (:data:`PERIOD_COLUMNS`). ``employers``: one row per employer present in either input, ordered
    by employer number (:data:`EMPLOYER_COLUMNS`, the fields of ``EmployerSummary``).
    ``policy_version`` is the version in force at ``as_of``."""

    as_of: date
    policy_version: str
    periods: pl.DataFrame
    employers: pl.DataFrame
    timeline: PolicyTimeline = field(repr=False, compare=False)

    def employer_periods(self, employer_number: str) -> pl.DataFrame:
        return self.periods.filter(pl.col("employer_number") == employer_number)

    def period_lines(self, employer_number: str) -> list[PeriodLine]:
        """The employer's lines as ``PeriodLine`` values (figures only: no pieces or explanation)."""
        rows = self.employer_periods(employer_number).drop("employer_number").to_dicts()
        return [PeriodLine(**r) for r in rows]

    def totals(self, employer_number: str) -> StatementTotals:
        rows = self.employers.filter(pl.col("employer_number") == employer_number).to_dicts()
        if not rows:
            raise KeyError(employer_number)
        return StatementTotals(**{f: rows[0][c] for f, c in _TOTALS.items()})

    def to_json_dict(self, employer_number: str) -> dict[str, Any]:
        """The SPEC §5 statement JSON of one employer, built from the batch rows with the statement's
        own classes (so both paths print the same keys in the same order)."""
        totals = self.totals(employer_number)
        in_force = self.timeline.at(self.as_of)
        return Statement(
            employer_number=employer_number,
            as_of=self.as_of,
            policy_version=self.policy_version,
            periods=self.period_lines(employer_number),
            totals=totals,
            credit_cents=totals.credit_cents,
            allocations=[],
            last_payment_date=None,
            policy=in_force,
            timeline=self.timeline,
        ).to_json_dict()


def period_frame(
    decl: pl.DataFrame,
    d_due: I32,
    contrib: I64,
    worker: I64,
    out: I64,
    o_months: I32,
    o_status: I8,
    o_valid: U8,
) -> pl.DataFrame:
    """The periods frame from the ordered declarations and the kernel's outputs (rows of periods not
    begun by the as-of date left out)."""
    col = dict(zip(ROW_COLUMNS, out, strict=True))
    frame = pl.DataFrame(
        [
            decl["employer_number"],
            decl["period"],
            pl.Series("due_date", d_due, dtype=pl.Int32).cast(pl.Date),
            pl.Series("months_late", o_months),
            pl.Series("status", o_status.view(np.uint8)).cast(STATUS_ENUM),
            pl.Series("contribution_cents", contrib),
            *(
                pl.Series(name, col[name])
                for name in PERIOD_COLUMNS[6:18]  # paid / outstanding of each component, outstanding
            ),
            pl.Series("worker_share_cents", worker),
            pl.Series("worker_share_outstanding_cents", col["worker_share_outstanding_cents"]),
        ]
    )
    if len(o_valid) and not o_valid.all():
        frame = frame.filter(pl.Series(o_valid.view(np.bool_)))
    return frame


def employer_frame(employers: pl.Series, emp_out: I64, months: list[str]) -> pl.DataFrame:
    """The employers frame from the kernel's per-employer outputs (``EMP_COLUMNS``)."""
    col = dict(zip(EMP_COLUMNS, emp_out, strict=True))
    outstanding = (
        col["contribution_outstanding_cents"]
        + col["surcharge_outstanding_cents"]
        + col["fine_outstanding_cents"]
        + col["interest_outstanding_cents"]
    )
    oldest = col["oldest_unpaid_code"]
    last_day = col["last_payment_day"]
    paid = last_day != NO_DAY
    return pl.DataFrame(
        [
            employers.alias("employer_number"),
            *(pl.Series(name, col[name]) for name in EMPLOYER_COLUMNS[1:5]),
            pl.Series("outstanding_cents", outstanding),
            pl.Series("credit_cents", col["credit_cents"]),
            pl.Series("overdue_periods", col["overdue_periods"]).cast(pl.Int32),
            pl.Series("months_in_arrears", col["months_in_arrears"]).cast(pl.Int32),
            pl.Series("oldest_unpaid_period", months, dtype=pl.String)
            .gather(np.maximum(oldest, 0))
            .set(pl.Series(oldest < 0), None)
            if months
            else pl.Series("oldest_unpaid_period", [None] * len(oldest), dtype=pl.String),
            pl.Series("last_payment_date", np.where(paid, last_day, 0))
            .cast(pl.Int32)
            .cast(pl.Date)
            .set(pl.Series(~paid), None),
            pl.Series("overdue_outstanding_cents", col["overdue_outstanding_cents"]),
            pl.Series("current_outstanding_cents", outstanding - col["overdue_outstanding_cents"]),
            pl.Series("worker_share_outstanding_cents", col["worker_share_outstanding_cents"]),
        ]
    )
