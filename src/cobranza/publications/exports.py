"""The publication report as an Excel workbook and its chart as SVG for the PDF."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from cobranza.common.spreadsheets import workbook_bytes
from cobranza.publications.selectors import PublicationReport

MONEY_FORMAT = '"$"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
HEADER = [
    "Lista",
    "Estado",
    "Avisos del",
    "Fecha de la lista",
    "Seleccionados",
    "Notificados",
    "Pagaron en el plazo",
    "Firmaron convenio en el plazo",
    "Reclamaron en el plazo",
    "Ya no cumplían al aprobar",
    "Publicados",
    "Regularizados después de publicar",
    "Regularizados tras el aviso (efecto)",
    "Efecto (%)",
    "Monto publicado",
]


def report_workbook(report: PublicationReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Listas de publicación"  # type: ignore[union-attr]
    ws.append(HEADER)  # type: ignore[union-attr]
    for cell in ws[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
    for r in report.rows:
        p = r.publication
        ws.append(  # type: ignore[union-attr]
            [
                p.title,
                p.get_state_display(),
                p.notified_on,
                p.frozen_on,
                r.selected,
                r.notified,
                r.paid_in_window,
                r.agreement_in_window,
                r.claim_in_window,
                r.no_longer_met,
                r.published,
                r.regularized_after,
                r.effect,
                r.effect_rate,
                r.published_amount,
            ]
        )
        row = ws.max_row  # type: ignore[union-attr]
        ws.cell(row=row, column=3).number_format = DATE_FORMAT  # type: ignore[union-attr]
        ws.cell(row=row, column=4).number_format = DATE_FORMAT  # type: ignore[union-attr]
        ws.cell(row=row, column=15).number_format = MONEY_FORMAT  # type: ignore[union-attr]
    t = report.totals
    ws.append(  # type: ignore[union-attr]
        [
            "Total",
            "",
            None,
            None,
            t["selected"],
            t["notified"],
            t["paid_in_window"],
            t["agreement_in_window"],
            t["claim_in_window"],
            t["no_longer_met"],
            t["published"],
            t["regularized_after"],
            t["effect"],
            t["effect_rate"],
            t["published_amount"],
        ]
    )
    ws.cell(row=ws.max_row, column=15).number_format = MONEY_FORMAT  # type: ignore[union-attr]
    for cell in ws[ws.max_row]:  # type: ignore[index,union-attr]
        cell.font = Font(bold=True)
    for column in ws.columns:  # type: ignore[union-attr]
        ws.column_dimensions[column[0].column_letter].width = max(  # type: ignore[union-attr]
            12, min(40, max(len(str(c.value or "")) for c in column) + 2)
        )
    return workbook_bytes(wb)


SERIES = (
    ("notified", "Notificados", "#6c757d"),
    ("in_window", "Regularizados en el plazo", "#198754"),
    ("published", "Publicados", "#0b3d91"),
    ("regularized", "Regularizados después", "#f0ad4e"),
)


def report_chart(report: PublicationReport, *, fixed: bool = False) -> SafeString:
    """Grouped vertical bars per list (SVG, for the PDF; the screen draws the same with chart.js)."""
    data: dict[str, Any] = report.chart()
    labels = data["labels"]
    width, height, left, bottom, top_pad = 720, 240, 40, 40, 30
    n = max(len(labels), 1)
    slot = (width - left - 10) / n
    bar = min(22.0, slot / (len(SERIES) + 1))
    top = max([max(data[k] or [0]) for k, _, _ in SERIES] + [1])
    scale = (height - bottom - top_pad) / top
    base = height - bottom
    size = f'width="{width}" height="{height}"' if fixed else 'width="100%"'
    title = "Efecto de las listas de publicación"
    parts = [
        f'<svg class="chart-svg" role="img" viewBox="0 0 {width} {height}" {size} aria-label="{title}">',
        f"<title>{title}</title>",
        f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" font-size="10" text-anchor="end">{top}</text>',
    ]
    for j, (_, label, color) in enumerate(SERIES):
        x = left + j * 170
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="10" fill="{color}"/>'
            f'<text x="{x + 16}" y="15" font-size="10">{escape(label)}</text>'
        )
    if not labels:
        parts.append(
            f'<text x="{left + 10}" y="{base - 20}" font-size="12" fill="#666">Sin listas en el período.</text>'
        )
    for i, label in enumerate(labels):
        x0 = left + i * slot + (slot - bar * len(SERIES)) / 2
        for j, (key, name, color) in enumerate(SERIES):
            v = data[key][i]
            h = v * scale
            x = x0 + j * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" fill="{color}">'
                f"<title>{escape(label)} · {escape(name)}: {v}</title></rect>"
            )
            if v:
                parts.append(
                    f'<text x="{x + bar / 2 - 1:.1f}" y="{base - h - 3:.1f}" font-size="9" text-anchor="middle">{v}</text>'
                )
        parts.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{base + 16}" font-size="10" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
