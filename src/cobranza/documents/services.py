"""The one writer of the documents register: `document_issue`.

A caller hands over the rendered file, or a `render(stamp)` that draws the document with its
number and verification code (the statement and the solvency certificate print them), plus the
figures it shows. The row, the file and the audit event are written in the caller's transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from cobranza.common import audit
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.documents.codes import group, new_code
from cobranza.documents.models import PREFIXES, DocumentCounter, DocumentKind, IssuedDocument
from cobranza.employers.models import Employer

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class DocumentStamp:
    """What a document prints about itself: its number, code, date and where to verify it."""

    number: str
    code: str
    issued_on: date
    verify_url: str

    @property
    def code_display(self) -> str:
        return group(self.code)

    @property
    def verify_page(self) -> str:
        """The verification page without the code (to print beside the code)."""
        return verification_url()


def verification_url(code: str = "") -> str:
    """The public page's absolute address (setting `COBRANZA_PUBLIC_URL`), with the code when given."""
    base = getattr(settings, "COBRANZA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/verificar/" + (f"?codigo={group(code)}" if code else "")


def _next_number(kind: str, year: int) -> str:
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{PREFIXES[DocumentKind(kind)]}-{year}-{counter.last:06d}"


def _unused_code() -> str:
    for _ in range(5):
        code = new_code()
        if not IssuedDocument.objects.filter(verification_code=code).exists():
            return code
    raise ApplicationError("No se pudo generar un código de verificación; intente de nuevo.")


def document_issue(
    *,
    actor: Any,
    kind: str,
    employer: Employer,
    title: str,
    filename: str,
    figures: dict[str, Any],
    content: bytes | None = None,
    render: Callable[[DocumentStamp], bytes] | None = None,
    issued_on: date | None = None,
    valid_until: date | None = None,
    content_type: str = "application/pdf",
) -> IssuedDocument:
    """Register an issued document and keep its file exactly as issued.

    Give `content` (the file already made) or `render` (called once with the document's stamp, so
    the file can print its number and verification code). `figures` is a JSON-able copy of what
    the document shows. Refused: an unknown kind, no file, an empty or oversized file.
    """
    if kind not in DocumentKind.values:
        raise ApplicationError(f"Tipo de documento desconocido: «{kind}».")
    if (content is None) == (render is None):
        raise ApplicationError("Indique el archivo del documento o cómo generarlo (uno de los dos).")
    issued_on = issued_on or business_date()
    if render is not None and not transaction.get_connection().in_atomic_block:
        # Called on its own (a download): take the number in a short transaction of its own and
        # render the PDF (about a second) outside any lock, so issuing documents never holds the
        # counter (or SQLite's write lock) while WeasyPrint works. A rendering that fails leaves
        # its number unused (a gap), never a number used twice.
        with transaction.atomic():
            number = _next_number(kind, issued_on.year)
        code = _unused_code()
        stamp = DocumentStamp(
            number=number, code=code, issued_on=issued_on, verify_url=verification_url(code)
        )
        content = render(stamp)
        with transaction.atomic():
            return _document_store(
                actor=actor,
                kind=kind,
                employer=employer,
                title=title,
                filename=filename,
                figures=figures,
                content=content,
                issued_on=issued_on,
                valid_until=valid_until,
                content_type=content_type,
                number=number,
                code=code,
            )
    # Inside the caller's transaction (a notice, a signed agreement): one unit with it.
    with transaction.atomic():
        number = _next_number(kind, issued_on.year)
        code = _unused_code()
        stamp = DocumentStamp(
            number=number, code=code, issued_on=issued_on, verify_url=verification_url(code)
        )
        if render is not None:
            content = render(stamp)
        assert content is not None
        return _document_store(
            actor=actor,
            kind=kind,
            employer=employer,
            title=title,
            filename=filename,
            figures=figures,
            content=content,
            issued_on=issued_on,
            valid_until=valid_until,
            content_type=content_type,
            number=number,
            code=code,
        )


def _document_store(
    *,
    actor: Any,
    kind: str,
    employer: Employer,
    title: str,
    filename: str,
    figures: dict[str, Any],
    content: bytes,
    issued_on: date,
    valid_until: date | None,
    content_type: str,
    number: str,
    code: str,
) -> IssuedDocument:
    if not content:
        raise ApplicationError("El documento está vacío: no se registra.")
    if len(content) > MAX_BYTES:
        raise ApplicationError("El documento supera 20 MB: no se registra.")
    document = IssuedDocument(
        number=number,
        kind=kind,
        title=(title or DocumentKind(kind).label)[:200],
        issued_on=issued_on,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        employer=employer,
        employer_number=employer.employer_number,
        employer_name=employer.legal_name[:200],
        valid_until=valid_until,
        verification_code=code,
        content_type=content_type,
        filename=filename[:200],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        figures=audit._jsonable(figures),
    )
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "pdf"
    document.file.save(f"{number}.{extension}", ContentFile(content), save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)  # nothing stored when the row is refused
        raise
    audit.record(
        actor=actor,
        action="document.issued",
        obj=document,
        employer_number=employer.employer_number,
        after={"number": number, "kind": kind, "sha256": document.sha256, "valid_until": valid_until},
        reason=f"{DocumentKind(kind).label} {number} emitido el {issued_on:%d/%m/%Y}.",
    )
    return document


def document_content(document: IssuedDocument) -> bytes:
    """The file exactly as issued; refused when it no longer matches its SHA-256 (tampered)."""
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise ApplicationError(
            f"El archivo del documento {document.number} no se encuentra en el almacenamiento."
        ) from None
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise ApplicationError(
            f"El archivo del documento {document.number} no coincide con su huella: no se entrega."
        )
    return content
