"""The publication PDFs (WeasyPrint): the prior-notification letter of one employer, the batch of
letters as one PDF (one letter per page), the frozen list for the media, and the report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string

from cobranza.publications.models import PublicationEntry, PublicationList


def _html(template: str, context: dict[str, Any]):  # type: ignore[no-untyped-def]
    from weasyprint import HTML  # loading pango costs time: only when a PDF is made

    return HTML(string=render_to_string(template, context))


def notice_document(
    *,
    entry: PublicationEntry,
    publication: PublicationList,
    stamp: Any,
    notified_on: date,
    deadline: date,
    signer: Any,
):  # type: ignore[no-untyped-def]
    """The rendered letter (a WeasyPrint document: written alone for the register and combined
    with the others for the batch)."""
    return _html(
        "publications/notice_pdf.html",
        {
            "entry": entry,
            "employer": entry.employer,
            "publication": publication,
            "stamp": stamp,
            "notified_on": notified_on,
            "deadline": deadline,
            "reply_days": publication.criteria.get("reply_business_days", 10),
            "signer": signer,
        },
    ).render()


def combine(documents: list[Any]) -> bytes:
    """One PDF with the pages of every rendered document, in order."""
    if not documents:
        return b""
    pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(pages).write_pdf()


def list_pdf(*, publication: PublicationList, rows: list[PublicationEntry]) -> bytes:
    total = sum((r.published_overdue or 0 for r in rows), 0)
    return _html(
        "publications/list_pdf.html", {"publication": publication, "rows": rows, "total": total}
    ).write_pdf()


def report_pdf(*, report: Any, chart: Any) -> bytes:
    return _html("publications/reports_pdf.html", {"report": report, "chart": chart}).write_pdf()
