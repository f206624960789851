"""The hygiene report as an Excel workbook (openpyxl): findings by type, requests by area, overdue."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from cobranza.common.spreadsheets import workbook_bytes
from cobranza.hygiene.selectors import HygieneReport

MONEY_FORMAT = '"$"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"


def _sheet(
    wb: Workbook, title: str, header: list[str], rows: list[list[Any]], money: set[int], dates: set[int]
) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)  # formula-like text is neutralised by workbook_bytes
        for col in money:
            ws.cell(row=ws.max_row, column=col + 1).number_format = MONEY_FORMAT
        for col in dates:
            ws.cell(row=ws.max_row, column=col + 1).number_format = DATE_FORMAT
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = max(
            12, min(60, max(len(str(c.value or "")) for c in column) + 2)
        )


def report_workbook(report: HygieneReport) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    _sheet(
        wb,
        "Hallazgos por tipo",
        ["Tipo de hallazgo", "Abiertos", "Importe", "Nota"],
        [
            [r.label, r.open, r.amount, "Estimado: no forma parte de la deuda" if r.is_estimate else ""]
            for r in report.by_type
        ],
        money={2},
        dates=set(),
    )
    _sheet(
        wb,
        "Solicitudes por área",
        ["Área", "Pendientes", "Vencidas", "Resueltas", "Rechazadas", "Días promedio de respuesta"],
        [[r.label, r.pending, r.overdue, r.resolved, r.rejected, r.average_days] for r in report.by_area],
        money=set(),
        dates=set(),
    )
    _sheet(
        wb,
        "Solicitudes vencidas",
        ["Solicitud", "Patrono", "Razón social", "Área", "Asunto", "Solicitada", "Vencía"],
        [
            [
                r.code,
                r.employer.employer_number,
                r.employer.legal_name,
                r.get_area_display(),
                r.finding.get_finding_type_display() if r.finding else r.note,
                r.created_on,
                r.due_on,
            ]
            for r in report.overdue
        ],
        money=set(),
        dates={5, 6},
    )
    return workbook_bytes(wb)
