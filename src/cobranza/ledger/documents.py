"""Statement documents: PDF (WeasyPrint from an HTML template) and Excel (openpyxl).

Both take the engine's Statement, so every figure is the same one the screen and the JSON show.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cobranza.common.pdf import html_to_pdf
from cobranza.common.spreadsheets import workbook_bytes
from cobranza.employers.models import Employer
from cobranza.engine.money import cents_to_decimal
from cobranza.engine.statement import Statement
from cobranza.ledger.presentation import aging, agreement_rows, prescription_split, status_label

COMPONENT_COLUMNS = (
    ("contribution", "Cotización"),
    ("surcharge", "Recargo"),
    ("fine", "Multa"),
    ("interest", "Interés"),
)
#: After the contribution's columns: the worker share inside it and its unpaid part (SPEC §5).
WORKER_SHARE_COLUMNS = ["Cuota laboral", "Cuota laboral no enterada"]


def statement_context(
    statement: Statement,
    employer: Employer,
    *,
    claims: dict[str, list[str]] | None = None,
    limitation: dict[str, Any] | None = None,
) -> dict:
    """`claims` (`selectors.period_claims`) marks the periods "en reclamo" (SPEC §8); `limitation`
    (`selectors.limitation_dates`) gives each period with debt its limitation date or "prescrito"."""
    explanations = statement.explanations()
    claims = claims or {}
    limitation = limitation or {}
    return {
        "statement": statement,
        "employer": employer,
        "periods": [
            {
                "line": ln,
                "status_label": status_label(ln.status),
                "explanation": explanations[ln.period],
                "claims": claims.get(ln.period, []),
                "limitation": limitation.get(ln.period) if ln.outstanding_cents else None,
            }
            for ln in statement.periods
        ],
        "prescription": prescription_split(statement, limitation),
        "aging": aging(statement),
        "agreement_rows": agreement_rows(statement),
        "credit_explanation": statement.explain_credit(),
        "generated_at": timezone.localtime(),
    }


def statement_pdf(
    statement: Statement,
    employer: Employer,
    *,
    issued_by: str = "",
    stamp: Any = None,
    claims: dict[str, list[str]] | None = None,
    limitation: dict[str, Any] | None = None,
) -> bytes:
    """The statement PDF; `stamp` (`documents.services.DocumentStamp`) prints the register's
    number and verification code when the PDF is issued through the documents register."""
    context = statement_context(statement, employer, claims=claims, limitation=limitation)
    context["issued_by"] = issued_by
    context["stamp"] = stamp
    return html_to_pdf(render_to_string("ledger/statement_pdf.html", context))


def statement_xlsx(
    statement: Statement, employer: Employer, *, limitation: dict[str, Any] | None = None
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Estado de cuenta"
    bold = Font(bold=True)
    ws.append(["Instituto Salvadoreño del Seguro Social — Estado de cuenta patronal"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Patrono", f"{employer.employer_number} · {employer.legal_name}"])
    ws.append(["NIT", employer.nit])
    ws.append(["Fecha de corte", statement.as_of])
    ws.append(["Política", statement.policy_version])
    ws.append(["Generado", timezone.localtime().replace(tzinfo=None)])
    ws.append([])
    header = ["Período", "Vencimiento", "Meses de atraso", "Estado"]
    for key, label in COMPONENT_COLUMNS:
        header += [label, f"{label} pagado", f"{label} pendiente"]
        if key == "contribution":
            header += WORKER_SHARE_COLUMNS
    header.append("Total pendiente")
    ws.append(header)
    header_row = ws.max_row
    fill = PatternFill("solid", fgColor="DCE6F5")
    for cell in ws[header_row]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for ln in statement.periods:
        row: list = [ln.period, ln.due_date, ln.months_late, status_label(ln.status)]
        for key, _ in COMPONENT_COLUMNS:
            row += [
                cents_to_decimal(getattr(ln, f"{key}_cents")),
                cents_to_decimal(getattr(ln, f"{key}_paid_cents")),
                cents_to_decimal(getattr(ln, f"{key}_outstanding_cents")),
            ]
            if key == "contribution":
                row += [
                    cents_to_decimal(ln.worker_share_cents),
                    cents_to_decimal(ln.worker_share_outstanding_cents),
                ]
        row.append(cents_to_decimal(ln.outstanding_cents))
        ws.append(row)
    t = statement.totals
    totals: list = ["Totales", None, None, None]
    for key, _ in COMPONENT_COLUMNS:
        totals += [None, None, cents_to_decimal(getattr(t, f"{key}_outstanding_cents"))]
        if key == "contribution":
            totals += [None, cents_to_decimal(t.worker_share_outstanding_cents)]
    totals.append(cents_to_decimal(t.outstanding_cents))
    ws.append(totals)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for a in agreement_rows(statement):
        # the agreement's interest under the interest columns, its outstanding in the total
        ws.append(
            [a.label, *[None] * 14]
            + [
                cents_to_decimal(c)
                for c in (a.interest_cents, a.interest_paid_cents, a.interest_outstanding_cents)
            ]
            + [cents_to_decimal(a.interest_outstanding_cents)]
        )
    ws.append([])
    for label, cents in (
        ("Saldo exigible", t.overdue_cents),
        ("Saldo corriente (no vencido)", t.current_cents),
        ("Cuota laboral retenida no enterada", t.worker_share_outstanding_cents),
        ("Saldo a favor", t.credit_cents),
        *_prescription_rows(statement, limitation),
    ):
        # The label over the first three (narrow) columns, the amount in the fourth.
        ws.append([label, None, None, cents_to_decimal(cents)])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=3)
        ws.cell(row=ws.max_row, column=4).font = bold
    money_format = '"$"#,##0.00'
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = money_format
            elif hasattr(cell.value, "year") and not isinstance(cell.value, datetime):
                cell.number_format = "DD/MM/YYYY"
    ws["B4"].number_format = "DD/MM/YYYY"
    ws["B6"].number_format = "DD/MM/YYYY HH:MM"
    for i in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.column_dimensions["B"].width = 18
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)

    explain = wb.create_sheet("Explicación")
    explain.append(["Período", "Cómo se calculó"])
    for cell in explain[1]:
        cell.font = bold
    for period, text in statement.explanations().items():
        explain.append([period, text])
        explain.cell(row=explain.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    explain.append(["Saldo a favor", statement.explain_credit()])
    explain.column_dimensions["A"].width = 12
    explain.column_dimensions["B"].width = 140

    return workbook_bytes(wb)


def _prescription_rows(statement: Statement, limitation: dict[str, Any] | None) -> list[tuple[str, int]]:
    """The collectible / prescribed split under the totals, when a period is prescribed (SPEC §8)."""
    split = prescription_split(statement, limitation or {})
    if not split.prescribed_cents:
        return []
    return [
        ("Saldo exigible cobrable", split.collectible_cents),
        (f"Prescrito, fuera del cobro ({', '.join(split.periods)})", split.prescribed_cents),
    ]


def statement_issue(*, actor: Any, employer: Employer, statement: Statement):  # type: ignore[no-untyped-def]
    """Issue the statement PDF through the documents register (SPEC §8): numbered, with its
    verification code printed, the file kept as issued and a copy of its figures. The page and
    `cobranza statement --format pdf` both issue through here (`actor` None: the command line)."""
    from cobranza.documents.models import DocumentKind
    from cobranza.documents.services import document_issue
    from cobranza.ledger.selectors import limitation_dates, period_claims

    issued_by = (
        (actor.get_full_name() or actor.get_username())
        if getattr(actor, "is_authenticated", False)
        else "el sistema (línea de comandos)"
    )
    claims = period_claims(employer=employer, as_of=statement.as_of)
    limitation = limitation_dates(employer=employer, as_of=statement.as_of)
    prescribed = sorted(p for p, info in limitation.items() if info.prescribed)
    return document_issue(
        actor=actor,
        kind=DocumentKind.STATEMENT,
        employer=employer,
        title=f"Estado de cuenta al {statement.as_of:%d/%m/%Y}",
        filename=f"estado-de-cuenta-{employer.employer_number}-{statement.as_of:%Y%m%d}.pdf",
        figures={**statement.to_json_dict(), "en_reclamo": claims, "prescritos": prescribed},
        render=lambda stamp: statement_pdf(
            statement, employer, issued_by=issued_by, stamp=stamp, claims=claims, limitation=limitation
        ),
    )
