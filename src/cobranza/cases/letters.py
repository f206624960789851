"""Rendering of notices (avisos de cobro) as PDF: the administrator's text with its placeholders
filled from the employer and the live statement, on the institute's letterhead."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import timezone

from cobranza.cases.models import PLACEHOLDER_RE, CaseFile, LetterTemplate
from cobranza.common.dates import date_in_words
from cobranza.common.templatetags.cobranza import format_money, periodo
from cobranza.engine.statement import Statement

# Where employers pay (shown on every notice).
PAYMENT_CHANNELS = (
    "Colecturías del ISSS en oficinas centrales y sucursales.",
    "Bancos y agentes autorizados, con el número patronal como referencia.",
    "Banca en línea de los bancos afiliados (pago de planillas ISSS).",
)


def placeholder_values(
    *, case: CaseFile, statement: Statement, template: LetterTemplate, collector: User | None, issued_on: date
) -> dict[str, str]:
    employer = case.employer
    overdue = [ln for ln in statement.periods if ln.overdue]
    return {
        "razon_social": employer.legal_name,
        "nombre_comercial": employer.trade_name or employer.legal_name,
        "numero_patronal": employer.employer_number,
        "nit": employer.nit or "—",
        "direccion": employer.address or "—",
        "representante_legal": employer.legal_representative or "Representante legal",
        "fecha": date_in_words(issued_on),
        "fecha_corte": date_in_words(statement.as_of),
        "saldo_total": format_money(statement.totals.outstanding_cents, cents=True),
        "periodos_en_mora": str(len(overdue)),
        "periodo_mas_antiguo": periodo(overdue[0].period) if overdue else "—",
        "plazo_dias": str(template.reply_days),
        "gestor": (collector.get_full_name() or collector.username)
        if collector
        else "Departamento de Recuperación Prejudicial",
        "expediente": case.code,
    }


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def letter_context(
    *, case: CaseFile, statement: Statement, template: LetterTemplate, collector: User | None, issued_on: date
) -> dict:
    values = placeholder_values(
        case=case, statement=statement, template=template, collector=collector, issued_on=issued_on
    )
    paragraphs = [
        fill(p.strip(), values) for p in template.body.replace("\r\n", "\n").split("\n\n") if p.strip()
    ]
    overdue = [ln for ln in statement.periods if ln.overdue]
    return {
        "case": case,
        "employer": case.employer,
        "statement": statement,
        "template": template,
        "subject": fill(template.subject, values),
        "paragraphs": paragraphs,
        "overdue": overdue,
        "channels": PAYMENT_CHANNELS,
        "collector": collector,
        "issued_on": issued_on,
        "generated_at": timezone.localtime(),
    }


def letter_pdf(
    *,
    case: CaseFile,
    statement: Statement,
    template: LetterTemplate,
    collector: User | None,
    issued_on: date,
    stamp: Any = None,
) -> bytes:
    """The notice as PDF; `stamp` (`documents.services.DocumentStamp`) prints the register's number
    and verification code when the notice is issued through the documents register."""
    from cobranza.common.pdf import html_to_pdf  # WeasyPrint is loaded only when a PDF is made

    context = letter_context(
        case=case, statement=statement, template=template, collector=collector, issued_on=issued_on
    )
    html = render_to_string("cases/letter_pdf.html", {**context, "stamp": stamp})
    return html_to_pdf(html)
