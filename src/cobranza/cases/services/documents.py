"""Case documents: the type comes from the content (magic bytes), never from the name."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction

from cobranza.cases.models import CaseDocument, CaseFile, DocumentType
from cobranza.cases.services._common import DOCUMENT_WRITERS, full_clean, require_role, require_visible
from cobranza.common import audit
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
OLD_LETTER_STEMS = {
    "first-notice": "aviso-primero",
    "second-notice": "aviso-segundo",
    "final-notice": "aviso-final",
}
ACCEPTED = "PDF, JPG, PNG, DOCX o XLSX"


@dataclass(frozen=True)
class SniffedType:
    extension: str
    content_type: str
    label: str


PDF = SniffedType("pdf", "application/pdf", "PDF")
JPG = SniffedType("jpg", "image/jpeg", "JPG")
PNG = SniffedType("png", "image/png", "PNG")
DOCX = SniffedType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX")
XLSX = SniffedType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")


def sniff_document(content: bytes) -> SniffedType | None:
    """PDF, JPG, PNG, DOCX or XLSX from the first bytes (and, for Office files, the zip's entries)."""
    if content.startswith(b"%PDF"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("xl/") for n in names):
                return XLSX
    return None


def download_name(document: CaseDocument) -> str:
    """The name the user uploaded, with the extension of what the file really is."""
    stem = PurePath(document.original_name).stem or "documento"
    for english, spanish in OLD_LETTER_STEMS.items():  # notices stored before issue 14
        if stem.startswith(english):
            stem = spanish + stem[len(english) :]
    ext = PurePath(document.file.name).suffix
    return f"{stem}{ext}"


@transaction.atomic
def document_store(
    *,
    actor: User | None,
    case: CaseFile,
    content: bytes,
    filename: str,
    doc_type: str,
    title: str,
    document_date: date | None = None,
) -> CaseDocument:
    """Store a document of the case in the default storage (MEDIA_ROOT) and record who and when.

    Refused, with nothing stored: an empty file, one over 20 MB, a type other than PDF, JPG, PNG,
    DOCX or XLSX (judged from the content), an unknown document type, a closed case.
    """
    case = CaseFile.objects.select_related("employer").get(pk=case.pk)
    require_visible(actor, case.employer)
    require_role(actor, *DOCUMENT_WRITERS, message="Su rol no permite agregar documentos a expedientes.")
    if not case.is_active:
        raise ApplicationError(f"El expediente {case.code} está cerrado: no se le pueden agregar documentos.")
    if doc_type not in DocumentType.values:
        raise ApplicationError(f"Tipo de documento desconocido: «{doc_type}».")
    title = (title or "").strip()
    if not title:
        raise ApplicationError("Indique el título del documento.")
    if not content:
        raise ApplicationError("El archivo está vacío.")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ApplicationError(
            f"El archivo pesa {len(content) / 1024 / 1024:.1f} MB; el máximo es {MAX_DOCUMENT_BYTES // 1024 // 1024} MB."
        )
    sniffed = sniff_document(content)
    if sniffed is None:
        raise ApplicationError(f"Tipo de archivo no admitido. Se aceptan {ACCEPTED} (según su contenido).")
    if document_date is not None and document_date > business_date():
        raise ApplicationError("La fecha del documento no puede ser futura.")
    original_name = (
        PurePath((filename or "").replace("\\", "/")).name[:255] or f"documento.{sniffed.extension}"
    )
    document = CaseDocument(
        case=case,
        doc_type=doc_type,
        title=title[:200],
        document_date=document_date or business_date(),
        original_name=original_name,
        content_type=sniffed.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    document.file.save(f"{uuid.uuid4().hex}.{sniffed.extension}", ContentFile(content), save=False)
    try:
        full_clean(document)
        document.save()
    except Exception:
        document.file.delete(save=False)  # nothing stored when the row is refused
        raise
    audit.record(
        actor=actor,
        action="case.document_stored",
        obj=document,
        employer_number=case.employer.employer_number,
        after={
            "case": case.pk,
            "doc_type": doc_type,
            "title": document.title,
            "file": document.file.name,
            "size": document.size,
            "sha256": document.sha256,
        },
    )
    return document
