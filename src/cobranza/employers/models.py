"""Employer registry: branches, sectors, employers, contacts, and the import batches that fed it."""

import unicodedata

from django.conf import settings
from django.db import models

from cobranza.common.models import TimeStampedModel


def normalize_search(text: str) -> str:
    """Lower-case, accents removed, single spaces: what employer search compares."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


class Branch(models.Model):
    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nombre", max_length=100, unique=True)
    department = models.CharField("departamento", max_length=60, blank=True)

    class Meta:
        verbose_name = "sucursal"
        verbose_name_plural = "sucursales"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nombre", max_length=100)

    class Meta:
        verbose_name = "sector"
        verbose_name_plural = "sectores"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmployerStatus(models.TextChoices):
    ACTIVE = "active", "Activo"
    INACTIVE = "inactive", "Inactivo"
    CLOSED = "closed", "Cerrado"


class Employer(TimeStampedModel):
    employer_number = models.CharField("número patronal", max_length=20, unique=True)
    nit = models.CharField("NIT", max_length=20, db_index=True, blank=True)
    legal_name = models.CharField("razón social", max_length=200)
    trade_name = models.CharField("nombre comercial", max_length=200, blank=True)
    sector = models.ForeignKey(Sector, verbose_name="sector", null=True, blank=True, on_delete=models.PROTECT)
    branch = models.ForeignKey(Branch, verbose_name="sucursal", on_delete=models.PROTECT)
    address = models.CharField("dirección", max_length=300, blank=True)
    phone = models.CharField("teléfono", max_length=40, blank=True)
    email = models.CharField("correo", max_length=200, blank=True)
    legal_representative = models.CharField("representante legal", max_length=200, blank=True)
    status = models.CharField(
        "estado", max_length=10, choices=EmployerStatus.choices, default=EmployerStatus.ACTIVE
    )
    registered_on = models.DateField("fecha de inscripción", null=True, blank=True)
    search_text = models.CharField(max_length=500, editable=False, default="")

    AUDITED_FIELDS = (
        "nit",
        "legal_name",
        "trade_name",
        "sector_id",
        "branch_id",
        "address",
        "phone",
        "email",
        "legal_representative",
        "status",
        "registered_on",
    )

    class Meta:
        verbose_name = "patrono"
        verbose_name_plural = "patronos"
        ordering = ["employer_number"]
        indexes = [models.Index(fields=["branch", "employer_number"])]

    def __str__(self) -> str:
        return f"{self.employer_number} · {self.legal_name}"

    def build_search_text(self) -> str:
        return normalize_search(" ".join([self.legal_name, self.trade_name]))

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)


class Contact(TimeStampedModel):
    """A person (or line) of the employer the collectors reach: added, corrected and retired by
    collectors and heads through `cobranza.employers.contacts` (audited); never deleted, so the
    actions that name it keep their history."""

    employer = models.ForeignKey(Employer, related_name="contacts", on_delete=models.CASCADE)
    name = models.CharField("nombre", max_length=200)
    position = models.CharField("cargo", max_length=120, blank=True)
    phone = models.CharField("teléfono", max_length=40, blank=True)
    email = models.EmailField("correo", blank=True)
    is_primary = models.BooleanField("principal", default=False)
    active = models.BooleanField("vigente", default=True)
    retired_at = models.DateTimeField("retirado el", null=True, blank=True)
    retired_reason = models.CharField("motivo del retiro", max_length=300, blank=True)

    class Meta:
        verbose_name = "contacto"
        verbose_name_plural = "contactos"
        ordering = ["-active", "-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.position})" if self.position else self.name

    @property
    def label(self) -> str:
        """How a form lists it: name, position and the ways to reach it."""
        ways = " · ".join(x for x in (self.phone, self.email) if x)
        return f"{self}{' — ' + ways if ways else ''}"


class FormSubmission(models.Model):
    """One submitted create form (its hidden token): a second submit of the same form (double click,
    reload, back-and-resend) finds the token and creates nothing (`cobranza.employers.submissions`)."""

    token = models.CharField("token", max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE, verbose_name="usuario"
    )
    path = models.CharField("dirección", max_length=300)
    redirect_to = models.CharField("resultado", max_length=500, blank=True)
    created_at = models.DateTimeField("enviado el", auto_now_add=True)

    class Meta:
        verbose_name = "envío de formulario"
        verbose_name_plural = "envíos de formularios"
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.path


class ImportKind(models.TextChoices):
    EMPLOYERS = "employers", "Patronos"
    DECLARATIONS = "declarations", "Planillas"
    PAYMENTS = "payments", "Pagos"


class ImportBatch(models.Model):
    """One import of one file: who, when, how many rows created, updated (employers), corrected
    (declarations: a new version of a stored one) or skipped."""

    kind = models.CharField("tipo", max_length=20, choices=ImportKind.choices)
    filename = models.CharField("archivo", max_length=255)
    created_at = models.DateTimeField("fecha", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name="usuario"
    )
    rows = models.PositiveIntegerField("filas", default=0)
    created = models.PositiveIntegerField("nuevas", default=0)
    updated = models.PositiveIntegerField("actualizadas", default=0)
    corrected = models.PositiveIntegerField("correcciones", default=0)
    skipped = models.PositiveIntegerField("omitidas (idénticas)", default=0)

    class Meta:
        verbose_name = "importación"
        verbose_name_plural = "importaciones"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"
