"""An agreement as JSON for the command line (`cobranza agreement draft|approve --format json`).

Money as two-decimal strings and dates as ISO text, like the simulation JSON (SPEC §6): its number,
state, debt, the periods it covers, the down-payment deadline and the schedule with each
installment's state.
"""

from __future__ import annotations

from typing import Any

from cobranza.agreements.models import Agreement


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def agreement_json(agreement: Agreement) -> dict[str, Any]:
    installments = sorted(agreement.installments.all(), key=lambda i: i.number)
    return {
        "id": agreement.pk,
        "number": agreement.number,
        "employer_number": agreement.employer.employer_number,
        "state": agreement.state,
        "state_label": agreement.get_state_display(),
        "as_of": _day(agreement.as_of),
        "valid_until": _day(agreement.valid_until),
        "debt": _money(agreement.debt),
        "periods": list(agreement.periods),
        "down_payment": _money(agreement.down_payment),
        "financed": _money(agreement.financed),
        "installments": agreement.installments_count,
        "monthly_rate": format(agreement.monthly_rate.normalize(), "f"),
        "installment": _money(agreement.installment_amount),
        "total_interest": _money(agreement.total_interest),
        "total": _money(agreement.total),
        "drafted_by": agreement.drafted_by.username,
        "approved_by": agreement.approved_by.username if agreement.approved_by_id else None,
        "signed_on": _day(agreement.signed_on),
        "restructured_from": agreement.restructured_from.number if agreement.restructured_from_id else None,
        "restructured_on": _day(agreement.restructured_on),
        "schedule": [
            {
                "number": i.number,
                "due_date": i.due_date.isoformat(),
                "installment": _money(i.amount),
                "interest": _money(i.interest),
                "principal": _money(i.principal),
                "balance": _money(i.balance),
                "paid": _money(i.paid_amount),
                "status": i.status,
            }
            for i in installments
        ],
    }


def agreement_text(agreement: Agreement) -> str:
    """A few lines for people (``--format table``)."""
    data = agreement_json(agreement)
    lines = [
        f"Convenio {data['number']} · patrono {data['employer_number']} · {data['state_label'].lower()}",
        f"Deuda al {agreement.as_of:%d/%m/%Y}: {data['debt']} · períodos {', '.join(data['periods'])}",
        f"Prima {data['down_payment']} (a más tardar el "
        f"{agreement.valid_until:%d/%m/%Y}) · {data['installments']} cuotas de {data['installment']} · "
        f"total {data['total']}"
        if agreement.valid_until
        else f"Prima {data['down_payment']} · {data['installments']} cuotas de {data['installment']}",
        "",
        f"{'Cuota':>5}  {'Vence':10}  {'Monto':>12}  {'Pagado':>12}  Estado",
    ]
    for row in data["schedule"]:
        lines.append(
            f"{row['number']:>5}  {row['due_date']:10}  {row['installment']:>12}  {row['paid']:>12}  "
            f"{row['status']}"
        )
    return "\n".join(lines)
