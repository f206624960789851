"""Desk reports out: an inline SVG bar chart (no script, no CDN) and an Excel workbook."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cobranza.common.spreadsheets import workbook_bytes
from cobranza.common.templatetags.cobranza import periodo
from cobranza.desk.selectors import MonthRow


def month_chart_svg(rows: Sequence[MonthRow]) -> SafeString:
    """Grouped bars per month: consultas, reclamos, constancias emitidas and denegadas."""
    if not rows:
        return mark_safe("")
    series = (
        ("Consultas", "inquiries", "#0d6efd"),
        ("Reclamos", "claims", "#dc3545"),
        ("Constancias emitidas", "certificates_issued", "#198754"),
        ("Constancias denegadas", "certificates_refused", "#6c757d"),
    )
    top = max(max(getattr(r, key) for _, key, _ in series) for r in rows) or 1
    bar, gap, left, height, base = 12, 18, 36, 160, 190
    width = left + len(rows) * (bar * len(series) + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Consultas, reclamos y constancias por mes" '
        f'viewBox="0 0 {max(width, 420)} 250" width="100%" style="max-width:{max(width, 420) * 2}px">'
    ]
    for i in range(0, 5):
        y = base - height * i / 4
        value = top * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end" fill="#555">{value:.0f}</text>'
        )
    for idx, row in enumerate(rows):
        x0 = left + 6 + idx * (bar * len(series) + gap)
        for j, (label, key, color) in enumerate(series):
            value = getattr(row, key)
            h = height * value / top
            parts.append(
                f'<rect x="{x0 + j * bar}" y="{base - h:.1f}" width="{bar - 2}" height="{h:.1f}" fill="{color}">'
                f"<title>{escape(label)} {escape(periodo(row.month))}: {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + bar * len(series) / 2}" y="{base + 14}" font-size="9" text-anchor="middle" fill="#333">'
            f"{escape(periodo(row.month))}</text>"
        )
    for j, (label, _, color) in enumerate(series):
        x = left + j * 110
        parts.append(f'<rect x="{x}" y="228" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="237" font-size="10" fill="#333">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above


def report_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Por mes"
    bold = Font(bold=True)
    ws.append([f"Atención a usuarios: del {report['start']:%d/%m/%Y} al {report['end']:%d/%m/%Y}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    header = [
        "Mes",
        "Consultas",
        "Reclamos",
        "Respondidas",
        "Días promedio de respuesta",
        "Constancias emitidas",
        "Constancias denegadas",
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for r in report["months"]:
        ws.append(
            [
                periodo(r.month),
                r.inquiries,
                r.claims,
                r.answered,
                r.average_days,
                r.certificates_issued,
                r.certificates_refused,
            ]
        )
    ws.append(
        [
            "Total",
            None,
            None,
            None,
            report["average_days"],
            report["certificates_issued"],
            report["certificates_refused"],
        ]
    )
    for cell in ws[ws.max_row]:
        cell.font = bold
    for title, key in (
        ("Por canal", "by_channel"),
        ("Por asunto", "by_subject"),
        ("Por resultado", "by_outcome"),
    ):
        sheet = wb.create_sheet(title)
        sheet.append([title.replace("Por ", "").capitalize(), "Cantidad"])
        for cell in sheet[1]:
            cell.font = bold
        for label, count in report[key]:
            sheet.append([label, count])  # formula-like text: workbook_bytes
        sheet.column_dimensions["A"].width = 50
    for col, w in zip("ABCDEFG", (14, 12, 12, 13, 26, 20, 22), strict=True):
        ws.column_dimensions[col].width = w
    return workbook_bytes(wb)
