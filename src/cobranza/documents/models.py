"""The register of every document the institute issues (SPEC §8 "documents issued").

A low layer (it knows employers and users only), so the ledger (statements), the cases (notices),
the agreements (agreement documents), the desk (solvency certificates) and later the legal unit
(debt certificates, referral packages) register what they issue through one service,
`documents.services.document_issue`, without importing each other.

Each row keeps the file exactly as issued (default storage, never the database), its SHA-256,
the figures it showed (JSON) and an unguessable verification code that the public page
`/verificar/` checks. Rows are never edited or deleted.
"""

from django.conf import settings
from django.db import models

from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer


class DocumentKind(models.TextChoices):
    STATEMENT = "statement", "Estado de cuenta"
    SOLVENCY = "solvency", "Constancia de solvencia"
    NOTICE = "notice", "Aviso de cobro"
    AGREEMENT = "agreement", "Convenio de pago"
    DEBT_CERTIFICATE = "debt_certificate", "Certificación de mora patronal"
    REFERRAL = "referral", "Documento de remisión judicial"
    PUBLICATION = "publication", "Lista de publicación"


#: Number prefix of each kind: «CS-2026-000001».
PREFIXES = {
    DocumentKind.STATEMENT: "EC",
    DocumentKind.SOLVENCY: "CS",
    DocumentKind.NOTICE: "AV",
    DocumentKind.AGREEMENT: "CV",
    DocumentKind.DEBT_CERTIFICATE: "CM",
    DocumentKind.REFERRAL: "RJ",
    DocumentKind.PUBLICATION: "PB",
}


def issued_document_path(instance: "IssuedDocument", filename: str) -> str:
    day = instance.issued_on
    return f"documentos-emitidos/{day:%Y}/{day:%m}/{filename}"


class DocumentCounter(models.Model):
    """The last number given per kind and year (locked while a number is taken)."""

    kind = models.CharField("tipo", max_length=20, choices=DocumentKind.choices)
    year = models.PositiveIntegerField("año")
    last = models.PositiveIntegerField("último número", default=0)

    class Meta:
        verbose_name = "numeración de documentos"
        verbose_name_plural = "numeraciones de documentos"
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="document_counter_kind_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class IssuedDocumentQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("Un documento emitido no se puede modificar.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise ApplicationError("Un documento emitido no se puede eliminar.")


class IssuedDocument(models.Model):
    number = models.CharField("número", max_length=30, unique=True)
    kind = models.CharField("tipo", max_length=20, choices=DocumentKind.choices)
    title = models.CharField("título", max_length=200)
    issued_on = models.DateField("fecha de emisión")
    issued_at = models.DateTimeField("emitido el", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="emitido por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer = models.ForeignKey(
        Employer, verbose_name="patrono", on_delete=models.PROTECT, related_name="issued_documents"
    )
    #: Kept as issued: the register must still read right if the employer's number changes.
    employer_number = models.CharField("número patronal", max_length=20, db_index=True)
    employer_name = models.CharField("razón social al emitir", max_length=200)
    valid_until = models.DateField("vigente hasta", null=True, blank=True)
    verification_code = models.CharField("código de verificación", max_length=12, unique=True)
    file = models.FileField("archivo", upload_to=issued_document_path, max_length=300)
    content_type = models.CharField("tipo de contenido", max_length=100, default="application/pdf")
    filename = models.CharField("nombre de descarga", max_length=200)
    size = models.PositiveIntegerField("tamaño (bytes)")
    sha256 = models.CharField("huella SHA-256", max_length=64)
    figures = models.JSONField("cifras mostradas", default=dict)

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "documento emitido"
        verbose_name_plural = "documentos emitidos"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["employer", "-issued_at"], name="issued_doc_employer_idx")]

    def __str__(self) -> str:
        return f"{self.number} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ApplicationError("Un documento emitido no se puede modificar.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("Un documento emitido no se puede eliminar.")

    @property
    def code_display(self) -> str:
        from cobranza.documents.codes import group

        return group(self.verification_code)
