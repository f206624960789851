"""Agreement documents: the agreement PDF (WeasyPrint), the call-center list in Excel (out and back
in with the call outcomes), and the agreements reports in Excel and PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cobranza.agreements import cases_link
from cobranza.agreements.models import Agreement, CallOutcome
from cobranza.common.errors import ApplicationError
from cobranza.common.spreadsheets import workbook_bytes
from cobranza.engine.money import cents_to_decimal, fmt_rate_percent

MONEY_FORMAT = '"$"#,##0.00'
HEADER_FILL = PatternFill("solid", fgColor="DCE6F5")


def _html_to_pdf(html: str) -> bytes:
    from cobranza.common.pdf import html_to_pdf  # WeasyPrint is loaded only when a PDF is made

    return html_to_pdf(html)


# ------------------------------------------------------------------------------------ agreement PDF
def agreement_context(agreement: Agreement) -> dict[str, Any]:
    from cobranza.engine.policy import default_policy

    try:
        from cobranza.ledger.selectors import policy_for

        policy = policy_for(agreement.as_of)
    except Exception:  # noqa: BLE001 - a document must render even without a policy row
        policy = default_policy()
    return {
        "agreement": agreement,
        "employer": agreement.employer,
        "installments": list(agreement.installments.order_by("number")),
        "rate_percent": fmt_rate_percent(agreement.monthly_rate.normalize()),
        "policy": policy,
        "tolerated": policy.agreement_lapse_installments - 1,
        "generated_at": timezone.localtime(),
    }


def agreement_pdf(agreement: Agreement) -> bytes:
    return _html_to_pdf(render_to_string("agreements/agreement_pdf.html", agreement_context(agreement)))


def agreement_store_document(*, agreement_id: int) -> Any | None:
    """File the agreement PDF in the employer's case file; None when there are no case files."""
    if not cases_link.case_available():
        return None
    agreement = Agreement.objects.select_related(
        "employer", "employer__branch", "drafted_by", "approved_by"
    ).get(pk=agreement_id)
    content = agreement_pdf(agreement)
    _register_issued(agreement, content)
    return cases_link.store_document(
        actor=agreement.approved_by,
        employer=agreement.employer,
        content=content,
        filename=f"convenio-{agreement.number}.pdf",
        doc_type="agreement",
        title=f"Convenio de pago {agreement.number} firmado el {agreement.signed_on:%d/%m/%Y}",
    )


def _register_issued(agreement: Agreement, content: bytes) -> None:
    """The signed agreement document goes to the documents register (SPEC §8) with its figures."""
    from cobranza.documents.models import DocumentKind
    from cobranza.documents.services import document_issue

    document_issue(
        actor=agreement.approved_by,
        kind=DocumentKind.AGREEMENT,
        employer=agreement.employer,
        title=f"Convenio de pago {agreement.number}",
        filename=f"convenio-{agreement.number}.pdf",
        content=content,
        figures={
            "number": agreement.number,
            "debt": agreement.debt,
            "down_payment": agreement.down_payment,
            "installments": [
                {"number": i.number, "due_date": i.due_date, "amount": i.amount}
                for i in agreement.installments.order_by("number")
            ],
        },
    )


# ------------------------------------------------------------------------------------ Excel helpers
def _sheet_header(ws: Any, header: list[str]) -> int:
    ws.append(header)
    row = ws.max_row
    for cell in ws[row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return row


def _format_cells(ws: Any, first_row: int) -> None:
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(cell.value, date) and not isinstance(cell.value, datetime):
                cell.number_format = "DD/MM/YYYY"


def _save(wb: Workbook) -> bytes:
    return workbook_bytes(wb)


# ------------------------------------------------------------------------------------ call list
CALL_SHEET = "Convenios en mora"
CALL_COLUMNS = [
    "Convenio",
    "Número patronal",
    "Patrono",
    "Teléfono",
    "Contacto",
    "Gestor",
    "Cuotas vencidas",
    "Monto vencido",
    "Saldo del convenio",
    "Vencida desde",
    "Días de atraso",
    "Estado",
    # Filled by the call center, then re-imported:
    "Fecha de llamada",
    "Resultado",
    "Monto prometido",
    "Fecha prometida",
    "Observaciones",
]
FIRST_INPUT_COLUMN = CALL_COLUMNS.index("Fecha de llamada")
OUTCOME_BY_LABEL = {label.lower(): value for value, label in CallOutcome.choices} | {
    value: value for value in CallOutcome.values
}


def call_list_xlsx(rows: list[Any], *, as_of: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = CALL_SHEET
    ws.append([f"Convenios con cuotas vencidas al {as_of:%d/%m/%Y} — centro de llamadas"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            "Complete las columnas de la llamada (fecha dd/mm/aaaa, resultado de la lista) y vuelva a subir el "
            "archivo: cada fila completada queda registrada como gestión."
        ]
    )
    header_row = _sheet_header(ws, CALL_COLUMNS)
    for r in rows:
        a = r.agreement
        collector = r.collector.get_full_name() or r.collector.username if r.collector else ""
        ws.append(
            [
                a.number,
                a.employer.employer_number,
                a.employer.legal_name,
                r.phone,
                r.contact,
                collector,
                r.overdue_count,
                cents_to_decimal(r.overdue_cents),
                cents_to_decimal(r.outstanding_cents),
                r.oldest_due,
                r.days_overdue,
                a.get_state_display(),
                None,
                None,
                None,
                None,
                None,
            ]
        )
    _format_cells(ws, header_row + 1)
    labels = ",".join(label for _, label in CallOutcome.choices)
    validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
    ws.add_data_validation(validation)
    outcome_col = get_column_letter(CALL_COLUMNS.index("Resultado") + 1)
    validation.add(f"{outcome_col}{header_row + 1}:{outcome_col}{max(header_row + 1, ws.max_row) + 200}")
    widths = [12, 14, 36, 12, 24, 18, 10, 14, 14, 13, 10, 12, 14, 22, 14, 14, 40]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = ws.cell(row=header_row + 1, column=4)
    return _save(wb)


@dataclass
class CallRow:
    row: int
    agreement_number: str
    called_on: date
    outcome: str
    promised_amount: Decimal | None
    promised_on: date | None
    notes: str


@dataclass
class CallImport:
    rows: list[CallRow] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)


def _cell_date(value: Any) -> date:
    """A date cell (Excel date or dd/mm/aaaa text) within 1954…2100; ApplicationError with the
    reason for the import report otherwise."""
    from cobranza.common.dates import EARLIEST, LATEST, date_from_text

    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        found = date_from_text(str(value))
        if found is None:
            raise ApplicationError("fecha inválida (use dd/mm/aaaa)")
        day = found
    if not EARLIEST <= day <= LATEST:
        raise ApplicationError(
            f"fecha fuera de rango (debe estar entre {EARLIEST:%d/%m/%Y} y {LATEST:%d/%m/%Y})"
        )
    return day


def _cell_amount(value: Any) -> Decimal:
    from cobranza.engine.money import to_cents

    if isinstance(value, float):
        value = f"{value:.2f}" if round(value, 2) == value else repr(value)
    cents = to_cents(str(value).replace("$", "").replace(",", "").strip())
    if cents <= 0:
        raise ValueError("debe ser mayor que cero")
    return cents_to_decimal(cents)


def read_call_outcomes(content: bytes) -> CallImport:
    """Parse the call list filled by the call center: rows with a call date and an outcome."""
    try:
        wb = load_workbook(BytesIO(content), data_only=True, read_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same user mistake
        raise ApplicationError("El archivo no es un Excel (.xlsx) legible.") from None
    if CALL_SHEET not in wb.sheetnames:
        raise ApplicationError(
            f"El archivo no tiene la hoja «{CALL_SHEET}»: use la lista descargada de esta página."
        )
    ws = wb[CALL_SHEET]
    result = CallImport()
    header: list[str] | None = None
    for idx, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else v for v in values]
        if header is None:
            if [str(c).strip() for c in cells[: len(CALL_COLUMNS)]] == CALL_COLUMNS:
                header = CALL_COLUMNS
            continue
        cells = (cells + [""] * len(CALL_COLUMNS))[: len(CALL_COLUMNS)]
        data = dict(zip(CALL_COLUMNS, cells, strict=True))
        if not any(str(data[c]).strip() for c in CALL_COLUMNS[FIRST_INPUT_COLUMN:]):
            continue  # not called yet
        number = str(data["Convenio"]).strip()
        problems_before = len(result.problems)

        def problem(column: str, value: Any, reason: str, row: int = idx) -> None:
            result.problems.append({"fila": row, "columna": column, "valor": str(value), "motivo": reason})

        try:
            called_on = _cell_date(data["Fecha de llamada"])
        except ApplicationError as exc:
            problem("Fecha de llamada", data["Fecha de llamada"], exc.message)
            called_on = date.min
        outcome = OUTCOME_BY_LABEL.get(str(data["Resultado"]).strip().lower(), "")
        if not outcome:
            problem("Resultado", data["Resultado"], "resultado desconocido: elija uno de la lista")
        amount = promised_on = None
        if str(data["Monto prometido"]).strip():
            try:
                amount = _cell_amount(data["Monto prometido"])
            except (ValueError, TypeError) as exc:
                problem("Monto prometido", data["Monto prometido"], f"monto inválido: {exc}")
        if str(data["Fecha prometida"]).strip():
            try:
                promised_on = _cell_date(data["Fecha prometida"])
            except ApplicationError as exc:
                problem("Fecha prometida", data["Fecha prometida"], exc.message)
        if len(result.problems) == problems_before:
            result.rows.append(
                CallRow(
                    idx, number, called_on, outcome, amount, promised_on, str(data["Observaciones"]).strip()
                )
            )
    if header is None:
        raise ApplicationError("No se encontró la fila de encabezados de la lista del centro de llamadas.")
    return result


# ------------------------------------------------------------------------------------ reports
def report_context(report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "generated_at": timezone.localtime()}


def reports_pdf(report: dict[str, Any]) -> bytes:
    return _html_to_pdf(render_to_string("agreements/reports_pdf.html", report_context(report)))


def reports_xlsx(report: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Incumplidos"
    first = _sheet_header(
        ws,
        [
            "Convenio",
            "Número patronal",
            "Patrono",
            "Teléfono",
            "Gestor",
            "Firmado",
            "Incumplido desde",
            "Deuda",
            "Saldo de cuotas",
        ],
    )
    for r in report["lapsed"]:
        a = r["agreement"]
        ws.append(
            [
                a.number,
                a.employer.employer_number,
                a.employer.legal_name,
                a.employer.phone,
                r["collector"],
                a.signed_on,
                a.lapsed_on,
                a.debt,
                cents_to_decimal(r["outstanding_cents"]),
            ]
        )
    _format_cells(ws, first + 1)

    ws = wb.create_sheet("Cumplidos")
    first = _sheet_header(
        ws, ["Convenio", "Número patronal", "Patrono", "Firmado", "Cumplido", "Mes", "Pagado en el mes"]
    )
    for r in report["fulfilled"]:
        a = r["agreement"]
        for month, cents in r["by_month"]:
            ws.append(
                [
                    a.number,
                    a.employer.employer_number,
                    a.employer.legal_name,
                    a.signed_on,
                    a.fulfilled_on,
                    month,
                    cents_to_decimal(cents),
                ]
            )
    _format_cells(ws, first + 1)

    ws = wb.create_sheet("Vigentes por cobrar")
    first = _sheet_header(ws, ["Mes", "Cuotas", "Monto de las cuotas", "Pagado", "Por cobrar"])
    for m in report["by_month"]:
        ws.append(
            [
                m.month,
                m.installments,
                cents_to_decimal(m.due_cents),
                cents_to_decimal(m.paid_cents),
                cents_to_decimal(m.to_collect_cents),
            ]
        )
    _format_cells(ws, first + 1)

    ws = wb.create_sheet("Vigentes")
    first = _sheet_header(
        ws,
        [
            "Convenio",
            "Número patronal",
            "Patrono",
            "Firmado",
            "Cuotas",
            "Deuda",
            "Total a pagar",
            "Por cobrar",
        ],
    )
    for r in report["active"]:
        a = r["agreement"]
        ws.append(
            [
                a.number,
                a.employer.employer_number,
                a.employer.legal_name,
                a.signed_on,
                a.installments_count,
                a.debt,
                a.total,
                cents_to_decimal(r["outstanding_cents"]),
            ]
        )
    _format_cells(ws, first + 1)
    for sheet in wb.worksheets:
        for i in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(i)].width = 16
        sheet.column_dimensions["C"].width = 36
    return _save(wb)
