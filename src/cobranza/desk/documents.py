"""The solvency certificate as PDF (WeasyPrint from `desk/solvency_pdf.html`) with its QR code
(segno, SVG inside the PDF: nothing is fetched) carrying the verification page's URL and code."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string

from cobranza.desk.solvency import Solvency
from cobranza.employers.models import Employer


def qr_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2, dark="#0b3d91")


def certificate_pdf(
    *, employer: Employer, result: Solvency, stamp: Any, valid_from: date, valid_until: date, issued_by: str
) -> bytes:
    from cobranza.common.pdf import html_to_pdf  # WeasyPrint is loaded only when a PDF is made

    html = render_to_string(
        "desk/solvency_pdf.html",
        {
            "employer": employer,
            "result": result,
            "stamp": stamp,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "issued_by": issued_by,
            "qr": qr_data_uri(stamp.verify_url),
            "validity_days": (valid_until - stamp.issued_on).days,
        },
    )
    return html_to_pdf(html)
