"""Writes of the service desk (SPEC §8): register, answer, resolve and close inquiries and claims,
attachments, the worker's question, and solvency certificates. Keyword-only, atomic, validated,
audited in the same transaction (ARCHITECTURE conventions 1 and 4)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from cobranza.common import audit
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import Role, has_role
from cobranza.desk.models import (
    TRANSITIONS,
    Channel,
    DeskCounter,
    Inquiry,
    InquiryAttachment,
    InquiryKind,
    InquiryStatus,
    RequesterType,
    SolvencyOutcome,
    SolvencyRequest,
    Subject,
)
from cobranza.desk.solvency import Solvency, closed_refusal, solvency_of
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers

#: Who works the desk: register, answer, resolve and close inquiries and claims.
DESK_ROLES = (Role.SERVICE_DESK, Role.DEPARTMENT_HEAD, Role.BRANCH_HEAD, Role.ADMIN)
#: Who may issue a solvency certificate: the desk and the employer's collector (visibility decides
#: which employers: a collector sees its own portfolio).
SOLVENCY_ROLES = (*DESK_ROLES, Role.COLLECTOR)
PREFIX = {InquiryKind.INQUIRY: "AT", InquiryKind.CLAIM: "RC"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _require(actor: Any, *roles: str, message: str) -> None:
    if not has_role(actor, *roles):
        raise ApplicationError(message)


def _require_visible(actor: Any, employer: Employer) -> None:
    if not visible_employers(user=actor).filter(pk=employer.pk).exists():
        raise ApplicationError(f"El patrono {employer.employer_number} no existe o no es visible para usted.")


def _full_clean(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        messages = [
            f"{obj._meta.get_field(k).verbose_name}: {' '.join(v)}" if k != "__all__" else " ".join(v)
            for k, v in error.message_dict.items()
        ]
        raise ApplicationError("; ".join(messages)) from None


def _next_number(kind: str, year: int) -> str:
    counter, _ = DeskCounter.objects.select_for_update().get_or_create(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{PREFIX[InquiryKind(kind)]}-{year}-{counter.last:06d}"


def _policy(day: date):  # type: ignore[no-untyped-def]
    from cobranza.ledger.selectors import policy_for

    try:
        return policy_for(day)
    except ApplicationError:
        from cobranza.engine.policy import default_policy

        return default_policy()


def deadline_for(kind: str, opened_on: date) -> date:
    """The answer's deadline: the policy's business days for a consulta or a reclamo."""
    from cobranza.engine.calendar import add_business_days

    policy = _policy(opened_on)
    days = (
        policy.claim_resolution_business_days
        if kind == InquiryKind.CLAIM
        else policy.inquiry_reply_business_days
    )
    return add_business_days(opened_on, days, policy)


def parse_periods(text: str | Sequence[str]) -> list[str]:
    """Periods typed as «2024-01, 2024-02» (or 01/2024); refused naming the bad one."""
    items = re.split(r"[\s,;]+", text.strip()) if isinstance(text, str) else [str(p).strip() for p in text]
    out = []
    for item in items:
        if not item:
            continue
        m = re.fullmatch(r"(\d{1,2})/(\d{4})", item)
        value = f"{m.group(2)}-{int(m.group(1)):02d}" if m else item
        if not PERIOD_RE.match(value):
            raise ApplicationError(
                f"Períodos: «{item}» no es un período válido (use AAAA-MM, p. ej. 2024-03)."
            )
        out.append(value)
    return sorted(set(out))


@transaction.atomic
def inquiry_register(
    *,
    actor: Any,
    kind: str,
    channel: str,
    requester_type: str,
    requester_name: str,
    subject: str,
    description: str,
    employer: Employer | None = None,
    requester_document: str = "",
    periods: Sequence[str] = (),
    attachments: Sequence[tuple[str, bytes]] = (),
) -> Inquiry:
    """Register a consulta or a reclamo. A reclamo needs its employer and the periods it disputes,
    which must be declared; their collection is suspended at once (ledger) until it is resolved."""
    _require(actor, *DESK_ROLES, message="Su rol no permite registrar consultas ni reclamos.")
    if kind not in InquiryKind.values:
        raise ApplicationError(f"Tipo: «{kind}» no es consulta ni reclamo.")
    if channel not in Channel.values:
        raise ApplicationError(f"Canal: «{channel}» no es ventanilla, teléfono, correo ni carta.")
    if requester_type not in RequesterType.values:
        raise ApplicationError(f"Quién consulta: «{requester_type}» no es patrono ni trabajador.")
    if subject not in Subject.values:
        raise ApplicationError(f"Asunto: «{subject}» no es un asunto conocido.")
    if not (requester_name or "").strip():
        raise ApplicationError("Nombre de quien consulta: indique el nombre.")
    if not (description or "").strip():
        raise ApplicationError("Detalle: describa la consulta o el reclamo.")
    periods = parse_periods(list(periods))
    if kind == InquiryKind.CLAIM:
        if employer is None:
            raise ApplicationError("Patrono: un reclamo debe indicar el patrono.")
        if not periods:
            raise ApplicationError("Períodos: un reclamo debe indicar los períodos que reclama.")
    if employer is not None:
        _require_visible(actor, employer)
    today = business_date()
    inquiry = Inquiry(
        number=_next_number(kind, today.year),
        kind=kind,
        channel=channel,
        requester_type=requester_type,
        requester_name=requester_name.strip()[:200],
        requester_document=(requester_document or "").strip()[:40],
        subject=subject,
        employer=employer,
        periods=periods,
        description=description.strip(),
        opened_on=today,
        due_on=deadline_for(kind, today),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _full_clean(inquiry)
    inquiry.save()
    if kind == InquiryKind.CLAIM:
        from cobranza.ledger.services import period_suspension_open

        assert employer is not None
        period_suspension_open(
            actor=actor,
            employer=employer,
            periods=periods,
            reference=inquiry.number,
            reason=f"Reclamo {inquiry.number}: {inquiry.get_subject_display()}",
            opened_on=today,
        )
    audit.record(
        actor=actor,
        action="desk.inquiry_registered",
        obj=inquiry,
        employer_number=employer.employer_number if employer else "",
        after={
            "number": inquiry.number,
            "kind": kind,
            "channel": channel,
            "subject": subject,
            "periods": periods,
            "due_on": inquiry.due_on,
        },
        reason=f"{inquiry.get_kind_display()} {inquiry.number} de {inquiry.requester_name} ({inquiry.get_channel_display()}).",
    )
    for filename, content in attachments:
        attachment_add(actor=actor, inquiry=inquiry, filename=filename, content=content)
    return inquiry


def _sniff(content: bytes) -> tuple[str, str] | None:
    if content.startswith(b"%PDF"):
        return "pdf", "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    return None


@transaction.atomic
def attachment_add(*, actor: Any, inquiry: Inquiry, filename: str, content: bytes) -> InquiryAttachment:
    """Attach a PDF, JPG or PNG (judged from its content, at most 10 MB) to an inquiry."""
    _require(actor, *DESK_ROLES, message="Su rol no permite adjuntar documentos a consultas.")
    if not content:
        raise ApplicationError("Adjunto: el archivo está vacío.")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ApplicationError(
            f"Adjunto: el archivo pesa {len(content) / 1024 / 1024:.1f} MB; el máximo es 10 MB."
        )
    sniffed = _sniff(content)
    if sniffed is None:
        raise ApplicationError("Adjunto: solo se aceptan PDF, JPG o PNG (según su contenido).")
    ext, content_type = sniffed
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or f"adjunto.{ext}"
    attachment = InquiryAttachment(
        inquiry=inquiry,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(content), save=False)
    try:
        _full_clean(attachment)
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    audit.record(
        actor=actor,
        action="desk.attachment_added",
        obj=attachment,
        employer_number=inquiry.employer.employer_number if inquiry.employer else "",
        after={"inquiry": inquiry.number, "name": name, "sha256": attachment.sha256},
    )
    return attachment


@transaction.atomic
def inquiry_transition(*, actor: Any, inquiry: Inquiry, to: str, note: str) -> Inquiry:
    """Move an inquiry or claim to `to` (TRANSITIONS) with the answer or resolution `note`.

    - consulta: «respondida» (the answer), «cerrada»;
    - reclamo: «aceptado» (the periods stay suspended until the correction is made and the claim
      closed), «rechazado» (collection resumes today), «cerrada» (collection resumes today).
    """
    _require(actor, *DESK_ROLES, message="Su rol no permite responder ni resolver consultas o reclamos.")
    inquiry = Inquiry.objects.select_for_update(of=("self",)).select_related("employer").get(pk=inquiry.pk)
    if inquiry.employer is not None:
        _require_visible(actor, inquiry.employer)
    labels = dict(InquiryStatus.choices)
    if to not in TRANSITIONS[inquiry.kind].get(inquiry.status, set()):
        raise ApplicationError(
            f"{inquiry.get_kind_display()} {inquiry.number}: no puede pasar de «{labels[inquiry.status]}» a "
            f"«{labels.get(to, to)}»."
        )
    note = (note or "").strip()
    if to != InquiryStatus.CLOSED and not note:
        raise ApplicationError("Respuesta: escriba la respuesta o el fundamento de la resolución.")
    before = {"status": inquiry.status}
    today = business_date()
    inquiry.status = to
    if to in (InquiryStatus.ANSWERED, InquiryStatus.ACCEPTED, InquiryStatus.REJECTED):
        inquiry.answer = note
        inquiry.answered_on = today
        inquiry.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    elif note:
        inquiry.answer = f"{inquiry.answer}\n\n{note}".strip() if inquiry.answer else note
    if to == InquiryStatus.CLOSED:
        inquiry.closed_on = today
        if inquiry.answered_on is None:
            inquiry.answered_on = today
    _full_clean(inquiry)
    inquiry.save()
    if inquiry.is_claim and to in (InquiryStatus.REJECTED, InquiryStatus.CLOSED):
        from cobranza.ledger.services import period_suspension_close

        period_suspension_close(
            actor=actor,
            reference=inquiry.number,
            closed_on=today,
            reason=f"reclamo {labels[to].lower()}",
        )
    audit.record(
        actor=actor,
        action="desk.inquiry_transition",
        obj=inquiry,
        employer_number=inquiry.employer.employer_number if inquiry.employer else "",
        before=before,
        after={"status": to},
        reason=f"{inquiry.number}: {labels[to]}. {note}"[:500],
    )
    return inquiry


# ------------------------------------------------------------------------------ worker's question
@dataclass(frozen=True)
class CoverageAnswer:
    employer: Employer
    up_to_date: bool
    missing_since: str  # the oldest overdue period ("" when up to date)
    text: str


def coverage_answer(*, employer: Employer, as_of: date) -> CoverageAnswer:
    """Whether the employer is up to date and since which period coverage payments are missing —
    no amounts (what a worker may be told)."""
    from cobranza.common.templatetags.cobranza import periodo
    from cobranza.ledger.selectors import statement_for_employer

    statement = statement_for_employer(employer, as_of)
    overdue = [ln for ln in statement.periods if ln.overdue]
    unpaid_worker = [
        ln for ln in overdue if ln.worker_share_outstanding_cents > 0 or ln.contribution_outstanding_cents > 0
    ]
    if not unpaid_worker:
        text = (
            f"Al {as_of:%d/%m/%Y}, el patrono {employer.legal_name} ({employer.employer_number}) está al día en "
            "el pago de las cotizaciones de sus trabajadores."
        )
        if overdue:
            text += " Tiene recargos o multas pendientes, que no afectan la cobertura."
        return CoverageAnswer(employer=employer, up_to_date=True, missing_since="", text=text)
    first = unpaid_worker[0].period
    return CoverageAnswer(
        employer=employer,
        up_to_date=False,
        missing_since=first,
        text=(
            f"Al {as_of:%d/%m/%Y}, el patrono {employer.legal_name} ({employer.employer_number}) no está al día: "
            f"faltan pagos de cotizaciones desde el período {periodo(first)} "
            f"({len(unpaid_worker)} período{'s' if len(unpaid_worker) != 1 else ''} vencido{'s' if len(unpaid_worker) != 1 else ''})."
        ),
    )


@transaction.atomic
def worker_inquiry_answer(
    *,
    actor: Any,
    employer: Employer,
    requester_name: str,
    requester_document: str = "",
    channel: str = Channel.WINDOW,
) -> tuple[Inquiry, CoverageAnswer]:
    """Answer a worker's «¿mi patrono está al día?» and record it as an answered consulta."""
    _require(actor, *DESK_ROLES, message="Su rol no permite atender consultas de trabajadores.")
    _require_visible(actor, employer)
    answer = coverage_answer(employer=employer, as_of=business_date())
    inquiry = inquiry_register(
        actor=actor,
        kind=InquiryKind.INQUIRY,
        channel=channel,
        requester_type=RequesterType.WORKER,
        requester_name=requester_name,
        requester_document=requester_document,
        subject=Subject.COVERAGE,
        description="¿Está al día mi patrono con las cotizaciones?",
        employer=employer,
    )
    inquiry = inquiry_transition(actor=actor, inquiry=inquiry, to=InquiryStatus.ANSWERED, note=answer.text)
    return inquiry, answer


# ------------------------------------------------------------------------------ solvency
def solvency_check(*, employer: Employer, as_of: date | None = None) -> Solvency:
    """The employer's standing today (or at `as_of`) per SPEC §4, without issuing anything."""
    from cobranza.ledger.selectors import period_claims, statement_for_employer

    as_of = as_of or business_date()
    refused = closed_refusal(employer, as_of)
    if refused is not None:
        return refused
    statement = statement_for_employer(employer, as_of)
    return solvency_of(employer, statement, claims=period_claims(employer=employer, as_of=as_of))


@transaction.atomic
def solvency_issue(*, actor: Any, employer: Employer) -> SolvencyRequest:
    """Issue the solvency certificate today when SPEC §4 allows it, else record the refusal.

    Returns the request: `outcome` «emitida» with its `document` (numbered PDF with verification
    code and QR, valid `solvency_validity_days` from the day after issue), or «denegada» with the
    reason and the overdue periods. Either way it is recorded (reports count both)."""
    _require(actor, *SOLVENCY_ROLES, message="Su rol no permite emitir constancias de solvencia.")
    _require_visible(actor, employer)
    today = business_date()
    result = solvency_check(employer=employer, as_of=today)
    request = SolvencyRequest(
        employer=employer,
        requested_on=today,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        outcome=SolvencyOutcome.ISSUED if result.solvent else SolvencyOutcome.REFUSED,
        standing=result.standing,
        reason=result.reason[:500],
        overdue_periods=[
            {"period": p.period, "outstanding": _cents(p.outstanding_cents), "note": p.note}
            for p in result.overdue
        ],
    )
    if result.solvent:
        request.document = _certificate_issue(actor=actor, employer=employer, result=result, today=today)
    _full_clean(request)
    request.save()
    audit.record(
        actor=actor,
        action="desk.solvency_issued" if result.solvent else "desk.solvency_refused",
        obj=request,
        employer_number=employer.employer_number,
        after={
            "outcome": request.outcome,
            "standing": result.standing,
            "document": request.document.number if request.document else None,
            "overdue_periods": [p.period for p in result.blocking],
        },
        reason=result.reason,
    )
    return request


def _cents(cents: int) -> str:
    from cobranza.engine.money import fmt_cents

    return fmt_cents(cents)


def _certificate_issue(*, actor: Any, employer: Employer, result: Solvency, today: date):  # type: ignore[no-untyped-def]
    from cobranza.desk.documents import certificate_pdf
    from cobranza.documents.models import DocumentKind
    from cobranza.documents.services import document_issue

    validity = _policy(today).solvency_validity_days
    valid_from, valid_until = today + timedelta(days=1), today + timedelta(days=validity)
    issued_by = (
        (actor.get_full_name() or actor.get_username())
        if getattr(actor, "is_authenticated", False)
        else "sistema"
    )
    figures = {
        "employer_number": employer.employer_number,
        "legal_name": employer.legal_name,
        "nit": employer.nit,
        "standing": result.standing,
        "reason": result.reason,
        "as_of": today,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "agreements": result.agreements,
    }
    return document_issue(
        actor=actor,
        kind=DocumentKind.SOLVENCY,
        employer=employer,
        title=f"Constancia de solvencia ({result.standing})",
        filename=f"constancia-solvencia-{employer.employer_number}-{today:%Y%m%d}.pdf",
        figures=figures,
        issued_on=today,
        valid_until=valid_until,
        render=lambda stamp: certificate_pdf(
            employer=employer,
            result=result,
            stamp=stamp,
            valid_from=valid_from,
            valid_until=valid_until,
            issued_by=issued_by,
        ),
    )
