"""Notices: one letter (PDF stored in the case + a letter action), the same letter e-mailed to a
contact (an e-mail action with its delivery outcome), or a batch for many employers (skipping those
with an agreement in force or a claim open)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cobranza.cases.letters import letter_pdf
from cobranza.cases.models import (
    LETTER_FILE_STEMS,
    ActionKind,
    ActionOutcome,
    CaseDocument,
    CaseFile,
    CollectionAction,
    DeliveryStatus,
    DocumentType,
    LetterBatch,
    LetterTemplate,
    LetterType,
)
from cobranza.cases.services._common import LETTER_WRITERS, require_role, require_visible
from cobranza.cases.services.actions import action_record
from cobranza.cases.services.cases import case_for_employer
from cobranza.cases.services.documents import document_store
from cobranza.common import audit
from cobranza.common.dates import business_date, date_in_words
from cobranza.common.errors import ApplicationError
from cobranza.common.templatetags.cobranza import format_money
from cobranza.employers.models import Contact, Employer
from cobranza.employers.selectors import visible_employers
from cobranza.portfolio.models import Assignment

logger = logging.getLogger(__name__)
LETTER_LABELS = dict(LetterType.choices)
MAX_BATCH = 500


def _collector_of(case: CaseFile) -> User | None:
    assignment = (
        Assignment.objects.filter(employer=case.employer, end__isnull=True)
        .select_related("collector")
        .first()
    )
    return assignment.collector if assignment else None


@dataclass(frozen=True)
class _Letter:
    case: CaseFile
    label: str
    document: CaseDocument
    pdf: bytes
    filename: str
    deadline: date
    summary: str
    subject: str


def letter_file_name(letter_type: str, employer_number: str, day: date) -> str:
    """`aviso-primero-300000001-20261129.pdf`: Spanish, with the employer number and the date."""
    return f"{LETTER_FILE_STEMS.get(letter_type, 'aviso')}-{employer_number}-{day:%Y%m%d}.pdf"


def _make_letter(*, actor: User | None, case: CaseFile, letter_type: str, as_of: date | None) -> _Letter:
    """Render the notice with the live balance and store the PDF in the case (type «aviso de cobro»)."""
    from cobranza.engine.calendar import add_business_days
    from cobranza.ledger.selectors import policy_for, statement_for_employer

    case = CaseFile.objects.select_related("employer", "employer__branch").get(pk=case.pk)
    require_visible(actor, case.employer)
    require_role(actor, *LETTER_WRITERS, message="Su rol no permite generar cartas de cobro.")
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
    from cobranza.ledger.selectors import collectible_overdue

    collectible = collectible_overdue(employer=case.employer, as_of=statement.as_of)
    if collectible.prescribed_cents and not collectible.overdue_cents and not collectible.suspended_cents:
        raise ApplicationError(
            f"Toda la deuda vencida del patrono {case.employer.employer_number} está prescrita "
            f"({', '.join(collectible.prescribed_periods)}): no se genera la carta."
        )
    collector = _collector_of(case)
    label = LETTER_LABELS[letter_type]
    filename = letter_file_name(letter_type, case.employer.employer_number, today)
    issued = _register_issued(
        actor=actor,
        case=case,
        label=label,
        filename=filename,
        statement=statement,
        render=lambda stamp: letter_pdf(
            case=case,
            statement=statement,
            template=template,
            collector=collector,
            issued_on=today,
            stamp=stamp,
        ),
    )
    from cobranza.documents.services import document_content

    pdf = document_content(issued)
    document = document_store(
        actor=actor,
        case=case,
        content=pdf,
        filename=filename,
        doc_type=DocumentType.NOTICE,
        title=f"{label} ({today:%d/%m/%Y})",
        document_date=today,
    )
    deadline = add_business_days(today, template.reply_days, policy_for(today))
    summary = (
        f"con saldo exigible de {format_money(statement.totals.overdue_cents, cents=True)} "
        f"y corriente (no vencido) de {format_money(statement.totals.current_cents, cents=True)} "
        f"al {statement.as_of:%d/%m/%Y}; plazo de respuesta hasta el {deadline:%d/%m/%Y}."
    )
    from cobranza.cases.letters import fill, placeholder_values

    values = placeholder_values(
        case=case, statement=statement, template=template, collector=collector, issued_on=today
    )
    return _Letter(case, label, document, pdf, filename, deadline, summary, fill(template.subject, values))


@transaction.atomic
def letter_generate(
    *,
    actor: User | None,
    case: CaseFile,
    letter_type: str,
    as_of: date | None = None,
    next_action_on: date | None = None,
) -> CollectionAction:
    """Generate the notice with the live balance, store the PDF in the case (type «aviso de cobro»)
    and record a letter action whose next date is the reply deadline (or `next_action_on` when the
    user typed one). The case's follow-up date becomes the deadline only when the case has none or
    it has passed: a date the user set on the case is not overwritten by a letter."""
    letter = _make_letter(actor=actor, case=case, letter_type=letter_type, as_of=as_of)
    return action_record(
        actor=actor,
        case=letter.case,
        kind=ActionKind.LETTER,
        outcome=None,
        notes=f"{letter.label} generado {letter.summary}",
        next_action_on=next_action_on or letter.deadline,
        keep_case_follow_up=next_action_on is None,
        document=letter.document,
    )


def _email_outcome(sent: bool) -> ActionOutcome:
    """The administrator's outcomes «Correo enviado» / «Correo rebotado» (created once if missing)."""
    name = "Correo enviado" if sent else "Correo rebotado"
    outcome = ActionOutcome.objects.filter(name=name).first()
    if outcome is None:
        outcome = ActionOutcome.objects.create(name=name, is_contact=False, order=900)
    return outcome


def _email_body(letter: _Letter, sender: User | None) -> str:
    employer = letter.case.employer
    who = (
        (sender.get_full_name() or sender.get_username())
        if sender
        else "Departamento de Recuperación Prejudicial"
    )
    return (
        f"Señores de {employer.legal_name} (número patronal {employer.employer_number}):\n\n"
        f"Adjuntamos el {letter.label.lower()} emitido el {date_in_words(business_date())}, con el detalle "
        f"de las cotizaciones pendientes. El plazo para responder vence el {date_in_words(letter.deadline)}.\n\n"
        "Si ya efectuó el pago, le rogamos hacer caso omiso de este aviso y enviarnos el comprobante.\n\n"
        f"Atentamente,\n{who}\nDepartamento de Recuperación Prejudicial\n"
        "Instituto Salvadoreño del Seguro Social\n"
    )


@transaction.atomic
def letter_email(
    *,
    actor: User | None,
    case: CaseFile,
    letter_type: str,
    contact: Contact | None = None,
    email: str = "",
    next_action_on: date | None = None,
) -> CollectionAction:
    """E-mail the notice (PDF attached) to a contact of the employer, or to an address typed by the
    user, through Django's e-mail backend (settings.EMAIL_BACKEND: a file per message in the demo,
    SMTP in production). The PDF is stored in the case and an e-mail action records where it went
    and the delivery outcome: «Enviado», or «No enviado» with the mail server's reason (the action
    is recorded either way; the caller shows the reason)."""
    if contact is not None:
        if contact.employer_id != case.employer_id or not contact.active:
            raise ApplicationError(f"El contacto «{contact.name}» no es un contacto vigente de este patrono.")
        email = email or contact.email
        if not email:
            raise ApplicationError(f"El contacto «{contact.name}» no tiene correo; agréguelo o elija otro.")
    email = (email or "").strip()
    if not email:
        raise ApplicationError("Indique el correo del destinatario (o elija un contacto con correo).")
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(f"Correo del destinatario no válido: «{email}».") from None
    letter = _make_letter(actor=actor, case=case, letter_type=letter_type, as_of=None)
    message = EmailMessage(
        subject=f"{letter.subject} · {letter.case.employer.employer_number}",
        body=_email_body(letter, actor if actor is not None and actor.is_authenticated else None),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
    )
    message.attach(letter.filename, letter.pdf, "application/pdf")
    try:
        sent = message.send(fail_silently=False) == 1
        detail = "" if sent else "El servidor de correo no aceptó el mensaje."
    except (smtplib.SMTPException, OSError, ValueError) as error:  # refused, unreachable, bad header
        sent = False
        detail = f"{type(error).__name__}: {error}"[:500]
        logger.warning("Correo de %s a %s no enviado: %s", letter.case.code, email, detail)
    status = DeliveryStatus.SENT if sent else DeliveryStatus.FAILED
    what = "enviado por correo a" if sent else "NO se pudo enviar por correo a"
    return action_record(
        actor=actor,
        case=letter.case,
        kind=ActionKind.EMAIL,
        outcome=_email_outcome(sent),
        contact=contact,
        notes=f"{letter.label} {what} {email}, {letter.summary}" + (f" Motivo: {detail}" if detail else ""),
        next_action_on=next_action_on or (letter.deadline if sent else None),
        keep_case_follow_up=next_action_on is None,
        document=letter.document,
        email_to=email,
        delivery_status=status,
        delivery_detail=detail,
    )


# -- batch letters: who is left out ----------------------------------------------------------------

AGREEMENT_IN_FORCE = ("approved", "active")


def employers_with_agreement_in_force(employer_ids: Iterable[int]) -> set[int]:
    """Employers with an approved or active payment agreement: a notice would contradict it. Read by
    model name, as `on_call_center_list` does (the feature apps do not import each other)."""
    try:
        agreement_model = apps.get_model("agreements", "Agreement")
    except LookupError:
        return set()
    return set(
        agreement_model.objects.filter(employer_id__in=list(employer_ids), state__in=AGREEMENT_IN_FORCE)
        .values_list("employer_id", flat=True)
        .distinct()
    )


def employers_with_open_claim(employer_ids: Iterable[int], as_of: date) -> set[int]:
    """Employers with a period whose collection a claim suspends (`ledger.selectors.suspended_periods`,
    SPEC §8): their notice waits until the claim is resolved."""
    from cobranza.ledger.selectors import suspended_periods

    return set(suspended_periods(employers=list(employer_ids), as_of=as_of))


def employers_only_prescribed(employer_ids: Iterable[int], as_of: date) -> set[int]:
    """Employers all of whose overdue debt is in prescribed periods (`ledger.selectors.
    prescribed_periods`, SPEC §8): nothing left to claim. One query, then a live statement only for
    the few employers with a period prescribed."""
    from cobranza.ledger.selectors import collectible_overdue, prescribed_periods

    prescribed = prescribed_periods(employers=list(employer_ids), as_of=as_of)
    out = set()
    for employer in Employer.objects.filter(pk__in=list(prescribed)):
        c = collectible_overdue(employer=employer, as_of=as_of, prescribed=prescribed[employer.pk])
        if c.prescribed_cents and not c.overdue_cents and not c.suspended_cents:
            out.add(employer.pk)
    return out


SKIP_AGREEMENT = "tiene un convenio de pago aprobado o vigente"
SKIP_CLAIM = "tiene un reclamo abierto que suspende el cobro"
SKIP_PRESCRIBED = "toda su deuda vencida está prescrita"


def letter_batch_exclusions(employer_ids: Iterable[int], as_of: date) -> dict[int, str]:
    """`{employer_id: why}` of the employers a batch of notices leaves out."""
    ids = list(employer_ids)
    out = {pk: SKIP_PRESCRIBED for pk in employers_only_prescribed(ids, as_of)}
    out.update({pk: SKIP_CLAIM for pk in employers_with_open_claim(ids, as_of)})
    out.update({pk: SKIP_AGREEMENT for pk in employers_with_agreement_in_force(ids)})
    return out


@transaction.atomic
def letter_batch_create(*, actor: User, employers: Sequence[Employer], letter_type: str) -> LetterBatch:
    """A batch of notices for the chosen employers, less those with an agreement in force or a claim
    open (kept in `skipped` with the reason, and shown on the batch's page)."""
    require_role(actor, *LETTER_WRITERS, message="Su rol no permite generar cartas de cobro.")
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
    excluded = letter_batch_exclusions(ids, business_date())
    numbers = dict(Employer.objects.filter(pk__in=list(excluded)).values_list("pk", "employer_number"))
    skipped = [{"employer_number": numbers.get(pk, str(pk)), "reason": why} for pk, why in excluded.items()]
    skipped.sort(key=lambda row: row["employer_number"])
    ids = [pk for pk in ids if pk not in excluded]
    if not ids:
        raise ApplicationError(
            f"Ninguno de los {len(excluded)} patronos seleccionados puede recibir la carta: "
            + "; ".join(f"{row['employer_number']} {row['reason']}" for row in skipped[:10])
            + "."
        )
    batch = LetterBatch(letter_type=letter_type, created_by=actor, employer_ids=ids, skipped=skipped)
    batch.full_clean()
    batch.save()
    audit.record(
        actor=actor,
        action="case.letter_batch_created",
        obj=batch,
        after={"letter_type": letter_type, "employers": len(ids), "skipped": len(skipped)},
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


def _register_issued(*, actor: User | None, case: CaseFile, label: str, filename: str, statement, render):  # type: ignore[no-untyped-def]
    """Every notice issued goes to the documents register (SPEC §8) with the figures it showed; the
    PDF is made once, with the register's number and verification code printed on it."""
    from cobranza.documents.models import DocumentKind
    from cobranza.documents.services import document_issue

    return document_issue(
        actor=actor,
        kind=DocumentKind.NOTICE,
        employer=case.employer,
        title=f"{label} ({statement.as_of:%d/%m/%Y})",
        filename=filename,
        render=render,
        figures={
            "case": case.code,
            "as_of": statement.as_of,
            "totals": statement.totals.to_json_dict(),
            "overdue_periods": [ln.period for ln in statement.periods if ln.overdue],
        },
    )
