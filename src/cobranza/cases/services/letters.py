"""Notices: one letter (PDF stored in the case + a letter action) or a batch for many employers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cobranza.cases.letters import letter_pdf
from cobranza.cases.models import (
    ActionKind,
    CaseFile,
    CollectionAction,
    DocumentType,
    LetterBatch,
    LetterTemplate,
    LetterType,
)
from cobranza.cases.services._common import CASE_WORKERS, require_role, require_visible
from cobranza.cases.services.actions import action_record
from cobranza.cases.services.cases import case_for_employer
from cobranza.cases.services.documents import document_store
from cobranza.common import audit
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.templatetags.cobranza import format_money
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers
from cobranza.portfolio.models import Assignment

LETTER_LABELS = dict(LetterType.choices)
MAX_BATCH = 500


def _collector_of(case: CaseFile) -> User | None:
    assignment = (
        Assignment.objects.filter(employer=case.employer, end__isnull=True)
        .select_related("collector")
        .first()
    )
    return assignment.collector if assignment else None


@transaction.atomic
def letter_generate(
    *, actor: User | None, case: CaseFile, letter_type: str, as_of: date | None = None
) -> CollectionAction:
    """Generate the notice with the live balance, store the PDF in the case (type «aviso de cobro»)
    and record a letter action whose next date is the reply deadline."""
    from cobranza.engine.calendar import add_business_days
    from cobranza.ledger.selectors import policy_for, statement_for_employer

    case = CaseFile.objects.select_related("employer", "employer__branch").get(pk=case.pk)
    require_visible(actor, case.employer)
    require_role(actor, *CASE_WORKERS, message="Su rol no permite generar cartas de cobro.")
    if letter_type not in LETTER_LABELS:
        raise ApplicationError(f"Tipo de carta desconocido: «{letter_type}».")
    if not case.is_active:
        raise ApplicationError(f"El expediente {case.code} está cerrado: no se generan cartas.")
    template = LetterTemplate.objects.filter(letter_type=letter_type).first()
    if template is None:
        raise ApplicationError(
            f"No hay plantilla para «{LETTER_LABELS[letter_type]}»; pídala al administrador."
        )
    today = business_date()
    statement = statement_for_employer(case.employer, as_of or today)
    if statement.totals.overdue_cents <= 0:  # a notice claims arrears: what is not yet due is not one
        raise ApplicationError(
            f"El patrono {case.employer.employer_number} no tiene deuda exigible (vencida): "
            "no se genera la carta."
        )
    collector = _collector_of(case)
    pdf = letter_pdf(case=case, statement=statement, template=template, collector=collector, issued_on=today)
    label = LETTER_LABELS[letter_type]
    document = document_store(
        actor=actor,
        case=case,
        content=pdf,
        filename=f"{letter_type.replace('_', '-')}-{case.employer.employer_number}-{today:%Y%m%d}.pdf",
        doc_type=DocumentType.NOTICE,
        title=f"{label} ({today:%d/%m/%Y})",
        document_date=today,
    )
    deadline = add_business_days(today, template.reply_days, policy_for(today))
    return action_record(
        actor=actor,
        case=case,
        kind=ActionKind.LETTER,
        outcome=None,
        notes=f"{label} generado con saldo exigible de {format_money(statement.totals.overdue_cents, cents=True)} "
        f"y corriente (no vencido) de {format_money(statement.totals.current_cents, cents=True)} "
        f"al {statement.as_of:%d/%m/%Y}; plazo de respuesta hasta el {deadline:%d/%m/%Y}.",
        next_action_on=deadline,
        document=document,
    )


@transaction.atomic
def letter_batch_create(*, actor: User, employers: Sequence[Employer], letter_type: str) -> LetterBatch:
    require_role(actor, *CASE_WORKERS, message="Su rol no permite generar cartas de cobro.")
    if letter_type not in LETTER_LABELS:
        raise ApplicationError(f"Tipo de carta desconocido: «{letter_type}».")
    ids = list(dict.fromkeys(e.pk for e in employers))
    if not ids:
        raise ApplicationError("Seleccione al menos un patrono.")
    if len(ids) > MAX_BATCH:
        raise ApplicationError(f"Un lote admite como máximo {MAX_BATCH} patronos.")
    visible = set(visible_employers(user=actor).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) != len(ids):
        raise ApplicationError("Algunos patronos seleccionados no son visibles para usted.")
    batch = LetterBatch(letter_type=letter_type, created_by=actor, employer_ids=ids)
    batch.full_clean()
    batch.save()
    audit.record(
        actor=actor,
        action="case.letter_batch_created",
        obj=batch,
        after={"letter_type": letter_type, "employers": len(ids)},
    )
    return batch


def letter_batch_step(*, actor: User, batch: LetterBatch, size: int = 3) -> LetterBatch:
    """Generate the next `size` letters of the batch; each letter commits on its own, so a refused
    one (no debt, closed case…) is reported and the others go on."""
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.created_by_id != actor.pk:
            raise ApplicationError("Solo quien solicitó el lote puede continuarlo.")
        if batch.finished_at is not None:
            return batch
        chunk = batch.employer_ids[batch.processed : batch.processed + size]
        employers = {e.pk: e for e in Employer.objects.filter(pk__in=chunk)}
        for employer_id in chunk:
            employer = employers.get(employer_id)
            result = {
                "employer_number": employer.employer_number if employer else str(employer_id),
                "ok": False,
            }
            try:
                with transaction.atomic():
                    if employer is None:
                        raise ApplicationError("El patrono ya no existe.")
                    case = case_for_employer(employer=employer, actor=actor, create=True)
                    action = letter_generate(actor=actor, case=case, letter_type=batch.letter_type)
                result.update(ok=True, message="Generada", document_id=action.document_id)
            except ApplicationError as error:
                result["message"] = error.message
            batch.results = [*batch.results, result]
            batch.processed += 1
        if batch.processed >= batch.total:
            batch.finished_at = timezone.now()
        batch.save(update_fields=["results", "processed", "finished_at"])
    return batch
