"""The documents of a judicial referral, issued through the documents register
(`documents.services.document_issue`: number, verification code, the file kept as issued and a copy
of its figures):

- the **debt certificate** (certificación de mora patronal, kind `debt_certificate`): WeasyPrint from
  `legal/certificate_pdf.html`; its figures are `criteria.DebtFigures` (the statement's overdue lines);
- the **referral package** (kind `referral`): one ZIP built in memory with the certificate, the
  statement (issued now, also registered), the notices, the agreements' PDFs, the case's other
  documents, the case chronology as PDF and an index (`indice.txt`).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from cobranza.cases.models import CaseDocument, DocumentType
from cobranza.common.dates import date_in_words
from cobranza.common.money_words import amount_in_words
from cobranza.common.templatetags.cobranza import format_money
from cobranza.documents.models import DocumentKind, IssuedDocument
from cobranza.documents.services import document_content, document_issue
from cobranza.employers.models import Employer
from cobranza.legal.criteria import DebtFigures
from cobranza.legal.models import Referral, ReferralKind

PLACE = "San Salvador"


def _qr(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2, dark="#0b3d91")


def legal_representative(employer: Employer) -> str:
    """The employer's legal representative: the registry's field, else an active contact whose
    position says so (employers.Contact), else empty."""
    if employer.legal_representative:
        return employer.legal_representative
    contact = (
        employer.contacts.filter(active=True, position__icontains="representante")
        .order_by("-is_primary", "id")
        .first()
    )
    return contact.name if contact else ""


def _signer(referral: Referral) -> tuple[str, str]:
    user = referral.decided_by
    name = (user.get_full_name() or user.get_username()) if user else ""
    return name, "Jefatura del Departamento de Recuperación Prejudicial"


def certificate_pdf(*, referral: Referral, figures: DebtFigures, stamp: Any) -> bytes:
    from weasyprint import HTML  # loading pango costs time: only when a certificate is made

    employer = referral.employer
    signer, signer_title = _signer(referral)
    html = render_to_string(
        "legal/certificate_pdf.html",
        {
            "referral": referral,
            "employer": employer,
            "representative": legal_representative(employer),
            "figures": figures,
            "worker_share": figures.kind == ReferralKind.WORKER_SHARE,
            "total_words": amount_in_words(figures.total_cents),
            "place": PLACE,
            "date_words": date_in_words(stamp.issued_on),
            "stamp": stamp,
            "qr": _qr(stamp.verify_url),
            "signer": signer,
            "signer_title": signer_title,
            "left_out": sorted(figures.left_out.items()),
        },
    )
    return HTML(string=html).write_pdf()


def certificate_issue(*, actor: Any, referral: Referral, figures: DebtFigures) -> IssuedDocument:
    kind_label = "cuota laboral no enterada" if referral.is_worker_share else "mora patronal"
    return document_issue(
        actor=actor,
        kind=DocumentKind.DEBT_CERTIFICATE,
        employer=referral.employer,
        title=f"Certificación de {kind_label} al {figures.as_of:%d/%m/%Y} (remisión {referral.code})",
        filename=f"certificacion-mora-{referral.employer.employer_number}-{figures.as_of:%Y%m%d}.pdf",
        figures={
            "referral": referral.code,
            **figures.to_json(),
            "total_words": amount_in_words(figures.total_cents),
        },
        render=lambda stamp: certificate_pdf(referral=referral, figures=figures, stamp=stamp),
        issued_on=figures.as_of,
    )


# --------------------------------------------------------------------------------------- package
def _slug(text: str, limit: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-zA-Z0-9]+", "-", folded).strip("-").lower()[:limit] or "documento"


def chronology_pdf(*, referral: Referral) -> bytes:
    from weasyprint import HTML

    from cobranza.cases.selectors import case_chronology

    items = sorted(case_chronology(case=referral.case), key=lambda i: i.at)
    html = render_to_string(
        "legal/chronology_pdf.html",
        {
            "referral": referral,
            "case": referral.case,
            "employer": referral.employer,
            "items": items,
            "generated_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()


def package_zip(*, actor: Any, referral: Referral) -> tuple[bytes, list[dict[str, str]]]:
    """The ZIP and its index ([{file, description}]). The statement is issued now (registered)."""
    from cobranza.ledger.documents import statement_issue
    from cobranza.ledger.selectors import statement_for_employer

    entries: list[tuple[str, str, bytes]] = []
    certificate = referral.certificate
    assert certificate is not None
    entries.append(
        (
            f"01-certificacion/{certificate.filename}",
            f"{certificate.title}, N.º {certificate.number}, código "
            f"de verificación {certificate.code_display}",
            document_content(certificate),
        )
    )
    as_of = referral.decided_on or certificate.issued_on
    statement = statement_for_employer(referral.employer, as_of)
    issued = statement_issue(actor=actor, employer=referral.employer, statement=statement)
    entries.append(
        (
            f"02-estado-de-cuenta/{issued.filename}",
            f"{issued.title}, N.º {issued.number}",
            document_content(issued),
        )
    )
    documents = list(CaseDocument.objects.filter(case=referral.case).order_by("document_date", "id"))
    notices = [d for d in documents if d.doc_type in (DocumentType.NOTICE, DocumentType.PROOF_OF_DELIVERY)]
    others = [d for d in documents if d not in notices]
    for folder, group in (("03-avisos", notices), ("05-documentos-del-expediente", others)):
        for i, d in enumerate(group, 1):
            with d.file.open("rb") as handle:
                content = handle.read()
            extension = d.file.name.rsplit(".", 1)[-1] if "." in d.file.name else "bin"
            entries.append(
                (
                    f"{folder}/{i:02d}-{_slug(d.title)}.{extension}",
                    f"{d.get_doc_type_display()}: {d.title} ({d.document_date:%d/%m/%Y})",
                    content,
                )
            )
    agreements = IssuedDocument.objects.filter(
        employer=referral.employer, kind=DocumentKind.AGREEMENT
    ).order_by("issued_at", "id")
    for i, a in enumerate(agreements, 1):
        entries.append(
            (f"04-convenios/{i:02d}-{a.filename}", f"{a.title}, N.º {a.number}", document_content(a))
        )
    entries.append(
        (
            "06-cronologia-del-expediente.pdf",
            f"Cronología del expediente {referral.case.code}",
            chronology_pdf(referral=referral),
        )
    )
    index = [{"file": name, "description": text} for name, text, _ in entries]
    lines = [
        "INSTITUTO SALVADOREÑO DEL SEGURO SOCIAL",
        "Departamento de Recuperación Prejudicial",
        f"Paquete de remisión a cobro judicial {referral.code}",
        f"Tipo: {referral.get_kind_display()}",
        f"Patrono: {referral.employer.legal_name} (número patronal {referral.employer.employer_number})",
        f"Expediente: {referral.case.code}",
        f"Monto remitido: {format_money(referral.amount)}",
        f"Generado el {timezone.localtime():%d/%m/%Y %H:%M}",
        "",
        "Contenido:",
        *[f"- {row['file']}: {row['description']}" for row in index],
        "",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00-indice.txt", "\r\n".join(lines).encode("utf-8"))
        for name, _, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue(), [{"file": "00-indice.txt", "description": "Índice"}, *index]


def package_issue(*, actor: Any, referral: Referral) -> IssuedDocument:
    content, index = package_zip(actor=actor, referral=referral)
    return document_issue(
        actor=actor,
        kind=DocumentKind.REFERRAL,
        employer=referral.employer,
        title=f"Paquete de remisión a cobro judicial {referral.code}",
        filename=f"remision-{referral.code}-{referral.employer.employer_number}.zip",
        figures={"referral": referral.code, "amount": referral.amount, "files": index},
        content=content,
        content_type="application/zip",
    )
