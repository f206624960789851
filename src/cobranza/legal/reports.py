"""The referral reports (SPEC §9 "referrals"): per month and state, amounts referred and what was
paid after each referral; a chart (reports.charts, SVG: the same markup on screen and in the PDF) and
the Excel workbook (common.spreadsheets.workbook_bytes)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import SafeString
from openpyxl import Workbook
from openpyxl.styles import Font

from cobranza.common.spreadsheets import workbook_bytes
from cobranza.legal.selectors import ReferralReport
from cobranza.reports.charts import trend_bars


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def report_chart(report: ReferralReport, *, fixed: bool = False) -> SafeString:
    return trend_bars(
        [(m.label, _cents(m.referred_amount), _cents(m.recovered)) for m in report.months],
        title="Monto remitido a cobro judicial y recuperado después de la remisión, por mes",
        fixed=fixed,
        actual_label="Remitido",
        goal_label="Recuperado después de la remisión",
    )


def report_workbook(report: ReferralReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Por mes"
    bold = Font(bold=True)
    ws.append([f"Remisiones a cobro judicial del {report.date_from:%d/%m/%Y} al {report.date_to:%d/%m/%Y}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    header = [
        "Mes",
        "Solicitadas",
        *[label for _, label in report.states],
        "Remitidas",
        "Monto remitido",
        "Recuperado después de la remisión",
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for m in report.months:
        ws.append(
            [
                m.label,
                m.requested,
                *[m.by_state.get(s, 0) for s, _ in report.states],
                m.referred,
                m.referred_amount,
                m.recovered,
            ]
        )
    ws.append(
        [
            "Total",
            report.total_requested,
            *[report.state_total(s) for s, _ in report.states],
            report.total_referred,
            report.total_referred_amount,
            report.total_recovered,
        ]
    )
    for cell in ws[ws.max_row]:
        cell.font = bold
    detail = wb.create_sheet("Remisiones")
    detail.append(
        [
            "Remisión",
            "Número patronal",
            "Patrono",
            "Tipo",
            "Estado",
            "Solicitada",
            "Aprobada",
            "Monto remitido",
            "Tribunal",
            "Expediente judicial",
            "Cerrada",
        ]
    )
    for cell in detail[1]:
        cell.font = bold
    for r in report.rows:
        detail.append(
            [
                r.code,
                r.employer.employer_number,
                r.employer.legal_name,
                r.get_kind_display(),
                r.get_state_display(),
                r.requested_on,
                r.decided_on,
                r.amount,
                r.court,
                r.court_case_number,
                r.closed_on,
            ]
        )
    for sheet in (ws, detail):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = '"$"#,##0.00'
                elif hasattr(cell.value, "year"):
                    cell.number_format = "DD/MM/YYYY"
        for column in "ABCDEFGHIJKLMN":
            sheet.column_dimensions[column].width = 18
    return workbook_bytes(wb)
