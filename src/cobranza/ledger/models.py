"""Declarations (planillas) and payments: the facts every balance is computed from; the policy
versions and the amnesties that turn them into balances; and the balance snapshots the recompute
writes."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from cobranza.common.dates import check_date_range
from cobranza.common.errors import ApplicationError
from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Employer, ImportBatch
from cobranza.engine.policy import Policy
from cobranza.engine.timeline import WAIVABLE, AmnestyError, check_amnesties
from cobranza.engine.timeline import Amnesty as EngineAmnesty
from cobranza.ledger.policy_checks import AMNESTY_FIELDS, amnesty_problems, policy_parameter_problems

MONEY = {"max_digits": 14, "decimal_places": 2}


class DeclarationOrigin(models.TextChoices):
    EMPLOYER = "employer", "Presentada por el patrono"
    DE_OFICIO = "de_oficio", "De oficio"


class Declaration(TimeStampedModel):
    """An employer's payroll declaration (planilla) of one period: one row per employer and period.

    Every filing of the period is kept as a `DeclarationVersion` (1 = the first filing, then each
    correction in the order received, SPEC §3). This row is the period's summary for readers:
    `workers`, `salary_base` and the contributions are those of the **latest** version (the current
    amounts); `filed_on` and `origin` are those of the **first** filing, which decide the fine
    (a correction never makes an on-time period late, SPEC §5); `latest_version` is the number of
    the latest version (1: never corrected), so readers need the versions only of the few corrected
    declarations. The statement engine takes the first filing plus the corrections
    (`selectors.declarations_in`): a statement as of a date before a correction keeps the amounts
    of its date. Written only by the declarations import (`employers.imports.declarations`).
    """

    employer = models.ForeignKey(Employer, related_name="declarations", on_delete=models.PROTECT)
    period = models.CharField("periodo", max_length=7)
    workers = models.PositiveIntegerField("trabajadores")
    salary_base = models.DecimalField("salario afecto", **MONEY)
    employer_contribution = models.DecimalField("cotización patronal", **MONEY)
    worker_contribution = models.DecimalField("cotización laboral", **MONEY)
    filed_on = models.DateField("fecha de presentación", null=True, blank=True)
    origin = models.CharField("origen", max_length=10, choices=DeclarationOrigin.choices)
    latest_version = models.PositiveSmallIntegerField(
        "última versión", default=1, help_text="1: la primera presentación, sin correcciones."
    )
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT)

    AUDITED_FIELDS = (
        "workers",
        "salary_base",
        "employer_contribution",
        "worker_contribution",
        "filed_on",
        "origin",
    )

    class Meta:
        verbose_name = "planilla"
        verbose_name_plural = "planillas"
        ordering = ["employer", "period"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "period"], name="declaration_one_per_period"),
            models.CheckConstraint(
                condition=Q(salary_base__gte=0)
                & Q(employer_contribution__gte=0)
                & Q(worker_contribution__gte=0),
                name="declaration_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer.employer_number} {self.period}"

    @property
    def contribution(self):  # type: ignore[no-untyped-def]
        return self.employer_contribution + self.worker_contribution


class DeclarationVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("Las versiones de una planilla no se pueden modificar.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise ApplicationError("Las versiones de una planilla no se pueden eliminar.")


class DeclarationVersion(models.Model):
    """One filing of a declaration as received (SPEC §3): number 1 is the first filing, each later
    number a correction, in the order received. Never edited or deleted.

    `filed_on` is the filing date the file gave (empty for a de-oficio payroll without one);
    `recorded_on` is the date the institute recorded it here (the import's date). A correction is in
    force from its **effective date**, `filed_on` or else `recorded_on`: a statement of an earlier
    date keeps the amounts in force then.
    """

    declaration = models.ForeignKey(
        Declaration, verbose_name="planilla", related_name="versions", on_delete=models.PROTECT
    )
    number = models.PositiveSmallIntegerField("versión", help_text="1: la primera presentación.")
    workers = models.PositiveIntegerField("trabajadores")
    salary_base = models.DecimalField("salario afecto", **MONEY)
    employer_contribution = models.DecimalField("cotización patronal", **MONEY)
    worker_contribution = models.DecimalField("cotización laboral", **MONEY)
    filed_on = models.DateField("fecha de presentación", null=True, blank=True)
    origin = models.CharField("origen", max_length=10, choices=DeclarationOrigin.choices)
    recorded_on = models.DateField("fecha de registro", help_text="Fecha en que el instituto la registró.")
    import_batch = models.ForeignKey(
        ImportBatch, verbose_name="importación", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("creada", auto_now_add=True)

    objects = DeclarationVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "versión de planilla"
        verbose_name_plural = "versiones de planillas"
        ordering = ["declaration", "number"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="declaration_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="declaration_version_number_positive"),
            models.CheckConstraint(
                condition=Q(salary_base__gte=0)
                & Q(employer_contribution__gte=0)
                & Q(worker_contribution__gte=0),
                name="declaration_version_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.number}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ApplicationError("Las versiones de una planilla no se pueden modificar.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("Las versiones de una planilla no se pueden eliminar.")

    @property
    def contribution(self):  # type: ignore[no-untyped-def]
        return self.employer_contribution + self.worker_contribution

    @property
    def effective_on(self):  # type: ignore[no-untyped-def]
        """The date this version is in force from: its filing date, or the date it was recorded."""
        return self.filed_on or self.recorded_on


class Payment(TimeStampedModel):
    payment_id = models.CharField("id de pago", max_length=64, unique=True)
    employer = models.ForeignKey(Employer, related_name="payments", on_delete=models.PROTECT)
    paid_on = models.DateField("fecha de pago")
    amount = models.DecimalField("monto", **MONEY)
    period = models.CharField("periodo", max_length=7, blank=True)
    channel = models.CharField("canal", max_length=40, blank=True)
    reference = models.CharField("referencia", max_length=100, blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "pago"
        verbose_name_plural = "pagos"
        ordering = ["employer", "paid_on", "payment_id"]
        indexes = [models.Index(fields=["employer", "paid_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return self.payment_id


class AgreementTerms(TimeStampedModel):
    """What a signed payment agreement means to the statement (SPEC §6), owned by the ledger.

    The agreements app writes it through ``ledger.services.agreement_terms_record`` when the down
    payment is received and ``agreement_terms_lapse`` when it lapses; the statement and the recompute
    read only this table (so the dependency runs one way: agreements → ledger). ``drafted_on`` is the
    date the debt was fixed (the covered periods are frozen from it), ``installments`` the schedule
    (``[{"number", "due_date", "principal", "interest"}]``, amounts as two-decimal strings),
    ``waives`` the components an amnesty waived through the agreement. Never deleted: a lapsed
    agreement keeps its row with ``lapsed_on`` and counts as if it had never existed from that date.
    """

    employer = models.ForeignKey(
        Employer, related_name="agreement_terms", on_delete=models.PROTECT, verbose_name="patrono"
    )
    number = models.CharField("convenio", max_length=20, unique=True)
    drafted_on = models.DateField("fecha de la deuda convenida")
    signed_on = models.DateField("firmado el (prima recibida)")
    lapsed_on = models.DateField("incumplido desde", null=True, blank=True)
    restructured_on = models.DateField("reestructurado el", null=True, blank=True)
    periods = models.JSONField("períodos cubiertos", default=list)
    down_payment = models.DecimalField("prima", **MONEY)
    down_payment_payment_id = models.CharField("pago de la prima", max_length=64, blank=True)
    installments = models.JSONField("cuotas", default=list)
    waives = models.JSONField("componentes condonados por amnistía", default=list, blank=True)

    class Meta:
        verbose_name = "términos de convenio"
        verbose_name_plural = "términos de convenios"
        ordering = ["employer", "drafted_on", "number"]
        indexes = [models.Index(fields=["employer", "signed_on"], name="agreement_terms_employer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(down_payment__gte=0), name="agreement_terms_down_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PolicyVersion(TimeStampedModel):
    """One effective-dated version of the collection policy (SPEC §4).

    `parameters` is the engine's storage form (`Policy.to_dict()`), complete, validated through the
    engine in `clean()` (every problem named, `policy_checks`); `version` and `effective_from` are
    the columns' values (they win over the same keys inside `parameters`). A new version inherits
    the parameters it does not give from the version in force before its date
    (`services.policy_version_create`). Versions are never edited or deleted once saved: a statement
    names the version that produced it, so a change of policy is a new version. Amnesties are not
    parameters of a version: they are `Amnesty` records.
    """

    version = models.CharField(
        "versión",
        max_length=40,
        unique=True,
        error_messages={"unique": "Ya existe una versión de la política con ese nombre."},
    )
    effective_from = models.DateField(
        "vigente desde",
        unique=True,
        error_messages={"unique": "Ya hay una versión de la política vigente desde esa fecha."},
    )
    parameters = models.JSONField(
        "parámetros",
        default=dict,
        blank=True,
        help_text=(
            "Parámetros de la política en JSON; al crear una versión, los que falten se heredan de la "
            "versión vigente antes de su fecha."
        ),
    )
    note = models.TextField("nota", blank=True, help_text="Motivo del cambio, acuerdo o fuente.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="creada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "versión de la política"
        verbose_name_plural = "versiones de la política"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.version} (vigente desde {self.effective_from:%d/%m/%Y})"

    def _policy_data(self) -> dict[str, Any]:
        data = dict(self.parameters) if isinstance(self.parameters, dict) else {}
        data["version"] = self.version
        data["effective_from"] = self.effective_from.isoformat() if self.effective_from else None
        return data

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.parameters, dict):
            raise ValidationError({"parameters": "Los parámetros deben ser un objeto JSON ({…})."})
        errors: dict[str, list[str]] = {}
        if self.effective_from:
            try:
                check_date_range(self.effective_from, field="vigente desde")
            except ApplicationError as error:
                errors["effective_from"] = [error.message]
        if not self.version or not self.effective_from:
            if errors:
                raise ValidationError(errors)
            return  # the field errors say what is missing
        for name, message in policy_parameter_problems(self._policy_data()):
            field = name if name in ("version", "effective_from") else "parameters"
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)
        self.parameters = Policy.from_dict(self._policy_data()).to_dict()  # stored normalized, complete

    def as_policy(self) -> Policy:
        """The engine's policy object (validated)."""
        return Policy.from_dict(self._policy_data())


def all_waivable() -> list[str]:
    """Default of `Amnesty.waives`: surcharge, fine and interest."""
    return list(WAIVABLE)


class Amnesty(TimeStampedModel):
    """An amnesty granted by the institute (SPEC §4): a window, a scope, the components it waives.

    A record of its own, never a parameter of a policy version, so that no later version can erase
    it: every amnesty ever granted stays applied (statements and the recompute read them all
    through `selectors.policy_timeline`). Scope: periods whose contribution becomes fully paid by a
    payment inside the window (`paid_in_full`, waived from that payment on) and/or periods covered
    by a payment agreement signed inside it (`agreements`). Validated by the engine
    (`engine.timeline.Amnesty`) in `clean()`, together with every other amnesty
    (`check_amnesties`: overlapping windows must have the same terms). Never edited or deleted
    once saved: `services.amnesty_create` adds them; the admin adds and shows only.
    """

    name = models.CharField(
        "nombre",
        max_length=120,
        unique=True,
        error_messages={"unique": "Ya existe una amnistía con ese nombre."},
    )
    start = models.DateField("desde", help_text="Primer día de la ventana.")
    end = models.DateField("hasta", help_text="Último día de la ventana (inclusive).")
    paid_in_full = models.BooleanField(
        "pago total en la ventana",
        default=True,
        help_text="Períodos cuya cotización queda pagada por completo con un pago dentro de la ventana.",
    )
    agreements = models.BooleanField(
        "convenios firmados en la ventana",
        default=False,
        help_text="Períodos cubiertos por un convenio de pago firmado dentro de la ventana.",
    )
    waives = models.JSONField(
        "componentes condonados",
        default=all_waivable,
        help_text='Lista de componentes: "surcharge" (recargo), "fine" (multa), "interest" (interés).',
    )
    note = models.TextField("nota", blank=True, help_text="Decreto, acuerdo o fuente.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="creada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "amnistía"
        verbose_name_plural = "amnistías"
        ordering = ["start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="amnesty_window_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%d/%m/%Y}–{self.end:%d/%m/%Y})"

    def _amnesty_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start,
            "end": self.end,
            "paid_in_full": self.paid_in_full,
            "agreements": self.agreements,
            "waives": self.waives,
        }

    def clean(self) -> None:
        super().clean()
        if not self.name or not self.start or not self.end:
            return  # the field errors say what is missing
        errors: dict[str, list[str]] = {}
        for name, message in amnesty_problems(self._amnesty_data()):
            errors.setdefault(name if name in AMNESTY_FIELDS else "__all__", []).append(message)
        if errors:
            raise ValidationError(errors)
        mine = self.as_amnesty()
        problems = Amnesty.overlap_problems(mine, exclude_pk=self.pk)
        if problems:
            raise ValidationError({"start": problems})
        self.waives = mine.to_dict()["waives"]  # stored normalized (engine order, no repeats)

    def as_amnesty(self) -> EngineAmnesty:
        """The engine's amnesty record (validated)."""
        return EngineAmnesty.from_dict(self._amnesty_data())

    @classmethod
    def overlap_problems(cls, amnesty: EngineAmnesty, *, exclude_pk: int | None = None) -> list[str]:
        """One Spanish message per amnesty already granted whose window overlaps `amnesty`'s with
        other terms (`check_amnesties`); the same name is the unique constraint's business."""
        others = cls.objects.exclude(name=amnesty.name).filter(start__lte=amnesty.end, end__gte=amnesty.start)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        problems = []
        for other in others.order_by("start", "name"):
            try:
                check_amnesties([other.as_amnesty(), amnesty])
            except AmnestyError:
                problems.append(
                    f"La ventana de la amnistía «{amnesty.name}» ({amnesty.start:%d/%m/%Y}–{amnesty.end:%d/%m/%Y}) "
                    f"se superpone con la de «{other.name}» ({other.start:%d/%m/%Y}–{other.end:%d/%m/%Y}), "
                    "que tiene otro alcance o condona otros componentes: dos amnistías vigentes a la vez "
                    "deben tener los mismos términos."
                )
        return problems


class BalanceFigures(models.Model):
    """The figures of one employer's balance as of `as_of`: what a published snapshot
    (`BalanceSnapshot`) and a run's staged row (`BalanceSnapshotDraft`) both hold."""

    as_of = models.DateField("saldo al")
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name="versión de la política", on_delete=models.PROTECT, related_name="+"
    )
    contribution_outstanding = models.DecimalField("cotización pendiente", **MONEY)
    surcharge_outstanding = models.DecimalField("recargo pendiente", **MONEY)
    fine_outstanding = models.DecimalField("multa pendiente", **MONEY)
    interest_outstanding = models.DecimalField("interés pendiente", **MONEY)
    outstanding = models.DecimalField("saldo pendiente", **MONEY)
    overdue_outstanding = models.DecimalField(
        "saldo exigible",
        help_text="Lo pendiente de períodos cuyo vencimiento ya pasó: la mora (SPEC §5).",
        **MONEY,
    )
    current_outstanding = models.DecimalField(
        "saldo corriente (no vencido)",
        help_text="Lo pendiente de períodos que aún no vencen; exigible + corriente = saldo pendiente.",
        **MONEY,
    )
    worker_share_outstanding = models.DecimalField(
        "cuota laboral retenida no enterada",
        help_text="Cotización laboral declarada (retenida a los trabajadores) aún sin pagar.",
        **MONEY,
    )
    credit = models.DecimalField("saldo a favor", **MONEY)
    overdue_periods = models.PositiveIntegerField("períodos en mora")
    months_in_arrears = models.PositiveIntegerField("meses en mora")
    oldest_unpaid_period = models.CharField("período en mora más antiguo", max_length=7, blank=True)
    last_payment_date = models.DateField("último pago", null=True, blank=True)
    computed_at = models.DateTimeField("calculado el")

    class Meta:
        abstract = True


class SnapshotGenerationState(models.TextChoices):
    BUILDING = "building", "En cálculo"
    CURRENT = "current", "Vigente"
    SUPERSEDED = "superseded", "Reemplazada"
    ABANDONED = "abandoned", "Abandonada (corrida interrumpida)"


class SnapshotGeneration(models.Model):
    """One full recompute run (a generation of balance snapshots).

    A run writes its rows, chunk after chunk (each chunk its own transaction, so memory and lock
    time stay bounded), into `BalanceSnapshotDraft` tagged with its generation — invisible to every
    reader. Once every chunk is written, one transaction (`services.snapshot_generation_publish`)
    copies them into `BalanceSnapshot`, the only table readers use, and marks the generation
    current. So readers see the complete previous generation or the complete new one, never a
    mix, whatever the chunking; a run killed half-way stays `building` (its staged rows invisible)
    until the next run that completes marks it abandoned and deletes its rows.
    """

    as_of = models.DateField("saldos al")
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name="versión de la política", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "estado",
        max_length=12,
        choices=SnapshotGenerationState.choices,
        default=SnapshotGenerationState.BUILDING,
    )
    started_at = models.DateTimeField("iniciada el")
    published_at = models.DateTimeField("publicada el", null=True, blank=True)
    employers = models.PositiveIntegerField("patronos", default=0)
    chunks = models.PositiveIntegerField("lotes", default=0)

    class Meta:
        verbose_name = "generación de saldos"
        verbose_name_plural = "generaciones de saldos"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="current"),
                name="snapshot_generation_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"Saldos al {self.as_of:%d/%m/%Y} ({self.get_state_display().lower()})"


class BalanceSnapshot(BalanceFigures):
    """An employer's balance as of `as_of`, written by the recompute (`balances_recompute`).

    Derived data: one row per employer, read by lists, portfolios and reports so they need not
    compute statements. The statement itself is always computed live. This table only ever holds
    published figures: a full recompute stages its rows (`BalanceSnapshotDraft`) and publishes them
    all in one transaction (`SnapshotGeneration`), so readers need no filter to see one complete
    generation; a refresh of a few employers (after an import) updates their rows in place, in one
    transaction, tagged with the current generation.

    `outstanding` = `overdue_outstanding` (exigible: periods past their due date) +
    `current_outstanding` (not yet due). "In arrears" (en mora) means overdue only: lists, worklists,
    workload balancing and every criterion read `overdue_outstanding` (SPEC §5 "overdue vs current").
    """

    employer = models.OneToOneField(
        Employer, related_name="balance", on_delete=models.CASCADE, verbose_name="patrono"
    )
    generation = models.ForeignKey(
        SnapshotGeneration,
        verbose_name="generación",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="La corrida completa vigente cuando se escribió o actualizó esta fila.",
    )

    class Meta:
        verbose_name = "saldo calculado"
        verbose_name_plural = "saldos calculados"
        ordering = ["-overdue_outstanding", "-outstanding"]
        indexes = [
            models.Index(fields=["outstanding"], name="balance_outstanding_idx"),
            models.Index(fields=["overdue_outstanding"], name="balance_overdue_idx"),
            models.Index(fields=["months_in_arrears"], name="balance_months_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contribution_outstanding__gte=0)
                & Q(surcharge_outstanding__gte=0)
                & Q(fine_outstanding__gte=0)
                & Q(interest_outstanding__gte=0)
                & Q(outstanding__gte=0)
                & Q(credit__gte=0),
                name="balance_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(overdue_outstanding__gte=0)
                & Q(current_outstanding__gte=0)
                & Q(worker_share_outstanding__gte=0),
                name="balance_split_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} al {self.as_of:%d/%m/%Y}: {self.outstanding}"


class BalanceSnapshotDraft(BalanceFigures):
    """A row staged by a recompute run that is not published yet (see `SnapshotGeneration`).
    Never read by screens; deleted once its generation is published or abandoned."""

    generation = models.ForeignKey(
        SnapshotGeneration, verbose_name="generación", on_delete=models.CASCADE, related_name="drafts"
    )
    employer = models.ForeignKey(
        Employer, verbose_name="patrono", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "saldo en cálculo"
        verbose_name_plural = "saldos en cálculo"
        constraints = [
            models.UniqueConstraint(fields=["generation", "employer"], name="balance_draft_one_per_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} al {self.as_of:%d/%m/%Y} (generación {self.generation_id})"


class SuspendedPeriod(TimeStampedModel):
    """A period whose collection is suspended by a claim (SPEC §8 "service desk"), owned by the ledger.

    The desk writes it through ``ledger.services.period_suspension_open`` when a claim names the
    period and ``period_suspension_close`` when the claim is resolved, so the dependency runs one
    way (desk → ledger). While open (``closed_on`` empty or after the date asked), the period is
    "en reclamo": out of the worklist, letters, publication and referral
    (``selectors.suspended_periods``); its surcharge still accrues and the statement shows it.
    ``reference`` names the claim (e.g. «RC-2026-000012»). Never deleted.
    """

    employer = models.ForeignKey(
        Employer, related_name="suspended_periods", on_delete=models.PROTECT, verbose_name="patrono"
    )
    period = models.CharField("período", max_length=7)
    reference = models.CharField("reclamo", max_length=30, db_index=True)
    reason = models.CharField("motivo", max_length=300)
    opened_on = models.DateField("suspendido desde")
    closed_on = models.DateField("reanudado el", null=True, blank=True)

    class Meta:
        verbose_name = "período en reclamo"
        verbose_name_plural = "períodos en reclamo"
        ordering = ["employer", "period", "opened_on"]
        indexes = [models.Index(fields=["employer", "closed_on"], name="suspended_employer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="suspended_closed_after_opened",
            ),
            models.UniqueConstraint(
                fields=["employer", "period", "reference"], name="suspended_period_once_per_claim"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} en reclamo {self.reference}"

    def open_on(self, day: Any) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)


# ------------------------------------------------------------------------------ limitation (prescripción)
class LimitationCause(models.TextChoices):
    NOTICE = "notice", "Aviso documentado entregado"
    AGREEMENT = "agreement", "Convenio de pago firmado"
    LAWSUIT = "lawsuit", "Demanda presentada"


class LimitationRestart(models.Model):
    """A restart of a period's limitation clock (SPEC §4 "limitation", §8), owned by the ledger.

    Written through ``ledger.services.limitation_restart_record`` by whoever documents the act: the
    cases app when a notice letter is recorded as delivered, the agreements app when an agreement
    is signed, the legal unit when a lawsuit is filed. The new clock runs ``limitation_years`` from
    ``restarted_on`` (``selectors.limitation_dates``). Append-only: never edited nor deleted.
    """

    employer = models.ForeignKey(
        Employer, related_name="limitation_restarts", on_delete=models.PROTECT, verbose_name="patrono"
    )
    period = models.CharField("período", max_length=7)
    restarted_on = models.DateField("interrumpida el")
    cause = models.CharField("causa", max_length=20, choices=LimitationCause.choices)
    reference = models.CharField("referencia", max_length=60, blank=True)
    created_at = models.DateTimeField("registrada", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="registrada por",
    )

    class Meta:
        verbose_name = "interrupción de la prescripción"
        verbose_name_plural = "interrupciones de la prescripción"
        ordering = ["employer", "period", "restarted_on", "pk"]
        indexes = [models.Index(fields=["employer", "period"], name="limitation_restart_idx")]

    def __str__(self) -> str:
        return f"{self.period}: {self.get_cause_display()} el {self.restarted_on:%d/%m/%Y}"


class PrescribedPeriod(models.Model):
    """A period marked prescribed (SPEC §8): its limitation date passed with debt unpaid. It leaves
    the collectible debt (``selectors.prescribed_periods``, ``collectible_overdue``) and the
    statement shows it apart; it is never deleted.

    Written by ``services.prescribed_periods_mark`` (``cobranza limitation check`` and the nightly
    task). When a restart dated before ``limitation_date`` is recorded afterwards (a lawsuit filed
    in time but recorded late), the mark is annulled (``revoked_on``, audited) — the row stays, and
    a later check marks it again at the new date.
    """

    employer = models.ForeignKey(
        Employer, related_name="prescribed_periods", on_delete=models.PROTECT, verbose_name="patrono"
    )
    period = models.CharField("período", max_length=7)
    limitation_date = models.DateField("prescribió el")
    marked_on = models.DateField("marcado el")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="marcado por",
    )
    revoked_on = models.DateField("marca anulada el", null=True, blank=True)
    revoked_reason = models.CharField("motivo de la anulación", max_length=300, blank=True)

    class Meta:
        verbose_name = "período prescrito"
        verbose_name_plural = "períodos prescritos"
        ordering = ["employer", "period"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "period"], name="prescribed_period_once"),
        ]

    def __str__(self) -> str:
        return f"{self.period} prescrito el {self.limitation_date:%d/%m/%Y}"
