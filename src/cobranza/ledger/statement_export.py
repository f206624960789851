"""A statement as JSON (SPEC §5, exactly), CSV (one row per period plus totals) or a rich table.

Shared by `cobranza statement`, the API and the pages' downloads: the figures always come from the
engine's `Statement`, never recomputed here.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cobranza.employers.models import Employer
from cobranza.engine.money import fmt_cents, fmt_usd
from cobranza.engine.statement import STATUS_ES, Statement

FORMATS = ("table", "json", "csv", "pdf")

COMPONENTS = ("contribution", "surcharge", "fine", "interest")
#: The period columns of the SPEC §5 JSON, in its order.
PERIOD_COLUMNS = (
    "period",
    "due_date",
    "months_late",
    "status",
    *(f"{c}{suffix}" for c in COMPONENTS for suffix in ("", "_paid", "_outstanding")),
    "outstanding",
    "worker_share",
    "worker_share_outstanding",
)
CSV_COLUMNS = ("employer_number", "as_of", "policy_version", *PERIOD_COLUMNS, "credit")
TOTAL_LABEL = "TOTAL"


def statement_json(statement: Statement) -> str:
    """The SPEC §5 statement JSON, as `cobranza statement --format json` prints it."""
    return json.dumps(statement.to_json_dict(), ensure_ascii=False, indent=1)


def statement_csv(statement: Statement) -> str:
    """One row per period with the JSON's columns (and the statement's employer, date and policy
    version on every row), then a TOTAL row: every amount column summed (the worker share
    outstanding's sum is the worker share withheld and not remitted), and the credit."""
    data = statement.to_json_dict()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    head = [data["employer_number"], data["as_of"], data["policy_version"]]
    for period in data["periods"]:
        writer.writerow([*head, *(period[c] for c in PERIOD_COLUMNS), ""])
    sums = _sums(statement)
    total_row: list[Any] = [*head, TOTAL_LABEL, "", "", ""]
    total_row += [fmt_cents(sums[c]) for c in PERIOD_COLUMNS[4:]]
    total_row.append(data["totals"]["credit"])
    writer.writerow(total_row)
    return out.getvalue()


def _sums(statement: Statement) -> dict[str, int]:
    """Σ of every amount column over the periods, in cents (the outstanding ones equal the totals)."""
    sums: dict[str, int] = {}
    for column in PERIOD_COLUMNS[4:]:
        sums[column] = sum(getattr(ln, f"{column}_cents") for ln in statement.periods)
    return sums


def status_es(status: str) -> str:
    return STATUS_ES.get(status, status)


def statement_table(statement: Statement, employer: Employer | None = None) -> Any:
    """A rich renderable (Spanish): one row per period, totals at the foot, then credit and policy."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    who = statement.employer_number
    if employer is not None:
        who = f"{employer.employer_number} · {employer.legal_name}"
    table = Table(
        title=f"Estado de cuenta de {who} al {statement.as_of:%d/%m/%Y}",
        caption=f"Política {statement.policy_version}. Montos en US$.",
        show_footer=True,
        header_style="bold",
        footer_style="bold",
    )
    sums = _sums(statement)
    paid = {ln.period: sum(getattr(ln, f"{c}_paid_cents") for c in COMPONENTS) for ln in statement.periods}
    money = {"justify": "right", "no_wrap": True}
    table.add_column("Período", footer="Total", no_wrap=True)
    table.add_column("Vence", no_wrap=True)
    table.add_column("Meses", justify="right")
    table.add_column("Estado", no_wrap=True)
    table.add_column("Cotización", footer=fmt_usd(sums["contribution"]), **money)
    # The worker share inside the contribution and its part not remitted (two-line headers: the
    # table must fit 140 columns).
    table.add_column("Cuota\nlaboral", footer=fmt_usd(sums["worker_share"]), **money)
    table.add_column(
        "Laboral no\nenterada", footer=fmt_usd(statement.totals.worker_share_outstanding_cents), **money
    )
    table.add_column("Recargo", footer=fmt_usd(sums["surcharge"]), **money)
    table.add_column("Multa", footer=fmt_usd(sums["fine"]), **money)
    table.add_column("Interés", footer=fmt_usd(sums["interest"]), **money)
    table.add_column("Pagado", footer=fmt_usd(sum(paid.values())), **money)
    table.add_column("Pendiente", footer=fmt_usd(statement.totals.outstanding_cents), **money)
    for ln in statement.periods:
        table.add_row(
            ln.period,
            f"{ln.due_date:%d/%m/%Y}",
            str(ln.months_late),
            status_es(ln.status),
            fmt_usd(ln.contribution_cents),
            fmt_usd(ln.worker_share_cents),
            fmt_usd(ln.worker_share_outstanding_cents),
            fmt_usd(ln.surcharge_cents),
            fmt_usd(ln.fine_cents),
            fmt_usd(ln.interest_cents),
            fmt_usd(paid[ln.period]),
            fmt_usd(ln.outstanding_cents),
            style=None if ln.outstanding_cents == 0 else ("yellow" if ln.status == "not_due" else "red"),
        )
    t = statement.totals
    lines = [
        f"Pendiente: cotización {fmt_usd(t.contribution_outstanding_cents)}, "
        f"recargo {fmt_usd(t.surcharge_outstanding_cents)}, multa {fmt_usd(t.fine_outstanding_cents)}, "
        f"interés {fmt_usd(t.interest_outstanding_cents)}.",
        f"Total pendiente: {fmt_usd(t.outstanding_cents)}.   Saldo a favor: {fmt_usd(t.credit_cents)}.",
        f"Saldo exigible: {fmt_usd(t.overdue_cents)}.   "
        f"Saldo corriente (no vencido): {fmt_usd(t.current_cents)}.   "
        f"Cuota laboral retenida no enterada: {fmt_usd(t.worker_share_outstanding_cents)}.",
    ]
    for a in statement.agreements:
        lines.append(
            f"Interés de convenio {a.number}: cargado {fmt_usd(a.interest_cents)}, pagado "
            f"{fmt_usd(a.interest_paid_cents)}, pendiente {fmt_usd(a.interest_outstanding_cents)}."
        )
    if not statement.periods:
        lines.insert(0, "Sin planillas de períodos iniciados a esta fecha.")
    return Group(table, Text("\n".join(lines)))


def render_table(statement: Statement, employer: Employer | None = None, *, width: int = 140) -> str:
    """The rich table as text (colors only when `force_terminal`)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None, highlight=False)
    console.print(statement_table(statement, employer))
    return buffer.getvalue()
