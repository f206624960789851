"""Reads of the cases app, always through the acting user's visibility (employers.selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cobranza.cases.models import (
    CaseDocument,
    CaseFile,
    CaseState,
    CloseReason,
    CollectionAction,
    PaymentPromise,
    PromiseStatus,
    ReviewStatus,
)
from cobranza.common import roles
from cobranza.common.models import AuditEvent
from cobranza.common.templatetags.cobranza import format_money
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers

AnyUser = User | AnonymousUser


def visible_cases(*, user: AnyUser) -> QuerySet[CaseFile]:
    return CaseFile.objects.filter(employer__in=visible_employers(user=user))


def case_detail(*, user: AnyUser, pk: int) -> CaseFile:
    """The case, or CaseFile.DoesNotExist when it does not exist or its employer is not visible."""
    return (
        visible_cases(user=user)
        .select_related("employer", "employer__branch", "collector", "opened_by")
        .get(pk=pk)
    )


def cases_of_employer(*, user: AnyUser, employer: Employer) -> list[CaseFile]:
    """All the employer's cases, the active one first (the caller already checked the employer)."""
    cases = list(CaseFile.objects.filter(employer=employer).order_by("-opened_at", "-id"))
    return sorted(cases, key=lambda c: (not c.is_active,))


def case_actions(*, case: CaseFile) -> QuerySet[CollectionAction]:
    return case.actions.select_related(
        "outcome", "created_by", "reviewed_by", "document", "promise"
    ).order_by("-performed_at", "-id")


def case_documents(*, case: CaseFile) -> QuerySet[CaseDocument]:
    return case.documents.select_related("uploaded_by").order_by("-uploaded_at", "-id")


def case_promises(*, case: CaseFile) -> QuerySet[PaymentPromise]:
    return case.promises.select_related("action", "action__created_by").order_by("-promised_on", "-id")


def visible_document(*, user: AnyUser, pk: int) -> CaseDocument:
    """The document, or CaseDocument.DoesNotExist when the user may not see its employer."""
    return CaseDocument.objects.select_related("case__employer").get(
        pk=pk, case__employer__in=visible_employers(user=user)
    )


@dataclass(frozen=True)
class ChronologyItem:
    at: datetime
    kind: str  # action | document | payment | event
    icon: str
    title: str
    detail: str
    who: str
    link: str = ""


# Audit events that tell the story of the case (actions and documents appear from their own rows).
CHRONOLOGY_EVENTS = (
    "case.opened",
    "case.transition",
    "case.promise_evaluated",
    "case.action_reviewed",
    "assignment.created",
    "assignment.closed",
    "agreement.restructuring_drafted",
    "agreement.restructuring_failed",
)
EVENT_TITLES = {
    "case.opened": "Expediente abierto",
    "case.transition": "Cambio de estado",
    "case.promise_evaluated": "Promesa de pago evaluada",
    "case.action_reviewed": "Gestión revisada por la jefatura",
    "assignment.created": "Asignación de gestor",
    "assignment.closed": "Fin de la asignación",
    "agreement.restructuring_drafted": "Convenio reestructurado",
    "agreement.restructuring_failed": "Reestructuración sin firmar",
}
STATE_LABELS = dict(CaseState.choices)
CLOSE_LABELS = dict(CloseReason.choices)
PROMISE_LABELS = {"pending": "pendiente", "kept": "cumplida", "broken": "incumplida"}
REVIEW_LABELS = dict(ReviewStatus.choices)


def _event_detail(event: AuditEvent) -> str:
    after = event.after or {}
    before = event.before or {}
    if event.action == "case.transition":
        text = f"{STATE_LABELS.get(before.get('state'), before.get('state'))} → {STATE_LABELS.get(after.get('state'), after.get('state'))}"
        if after.get("close_reason"):
            text += f" ({CLOSE_LABELS.get(after['close_reason'], after['close_reason'])})"
        return f"{text}. Motivo: {event.reason}" if event.reason else text
    if event.action == "case.promise_evaluated":
        return f"Promesa {PROMISE_LABELS.get(after.get('status'), after.get('status'))}. {event.reason}"
    if event.action == "case.action_reviewed":
        label = REVIEW_LABELS.get(after.get("review_status"), after.get("review_status"))
        return f"{label}. {after.get('comment') or ''}".strip()
    if event.action.startswith("assignment."):
        return f"{before.get('collector') or 'sin gestor'} → {after.get('collector') or 'sin gestor'}. {event.reason}"
    return event.reason


def case_chronology(*, case: CaseFile) -> list[ChronologyItem]:
    """Actions, documents, payments since the opening, and state changes, newest first (4 queries)."""
    from cobranza.ledger.models import Payment

    tz = timezone.get_current_timezone()
    items: list[ChronologyItem] = []
    for a in case_actions(case=case):
        detail = " · ".join(
            x
            for x in (
                a.outcome.name if a.outcome else "",
                f"Contacto: {a.contact_person}" if a.contact_person else "",
                a.notes,
                f"Promesa de pago: {format_money(a.promise.amount)} al {a.promise.promised_on:%d/%m/%Y} ({PROMISE_LABELS[a.promise.status]})"
                if hasattr(a, "promise")
                else "",
                f"Próxima gestión: {a.next_action_on:%d/%m/%Y}" if a.next_action_on else "",
            )
            if x
        )
        items.append(
            ChronologyItem(
                at=a.performed_at,
                kind="action",
                icon="bi-telephone"
                if a.kind == "call"
                else "bi-envelope-paper"
                if a.kind == "letter"
                else "bi-chat-left-text",
                title=f"Gestión: {a.get_kind_display()}",
                detail=detail,
                who=a.created_by.username if a.created_by else "sistema",
                link=reverse("cases:document_download", args=[a.document_id]) if a.document_id else "",
            )
        )
    for d in case_documents(case=case):
        items.append(
            ChronologyItem(
                at=d.uploaded_at,
                kind="document",
                icon="bi-file-earmark",
                title=f"Documento: {d.get_doc_type_display()}",
                detail=f"{d.title} ({d.document_date:%d/%m/%Y})",
                who=d.uploaded_by.username if d.uploaded_by else "sistema",
                link=reverse("cases:document_download", args=[d.pk]),
            )
        )
    opened_on = timezone.localtime(case.opened_at).date()
    payments = Payment.objects.filter(employer_id=case.employer_id, paid_on__gte=opened_on)
    if case.closed_at:
        payments = payments.filter(paid_on__lte=timezone.localtime(case.closed_at).date())
    for p in payments.order_by("paid_on", "payment_id"):
        items.append(
            ChronologyItem(
                at=datetime.combine(p.paid_on, time(12, 0), tzinfo=tz),
                kind="payment",
                icon="bi-cash-coin",
                title=f"Pago recibido: {format_money(p.amount)}",
                detail=" · ".join(
                    x for x in (p.payment_id, p.channel, f"período {p.period}" if p.period else "") if x
                ),
                who=p.channel or "",
            )
        )
    events = AuditEvent.objects.filter(
        employer_number=case.employer.employer_number, action__in=CHRONOLOGY_EVENTS, at__gte=case.opened_at
    ).select_related("actor")
    for ev in events:
        if (
            ev.action.startswith("case.")
            and ev.action != "case.opened"
            and ev.object_type == "cases.casefile"
            and ev.object_id != str(case.pk)
        ):
            continue
        if ev.action == "case.opened" and ev.object_id != str(case.pk):
            continue
        items.append(
            ChronologyItem(
                at=ev.at,
                kind="event",
                icon="bi-flag",
                title=EVENT_TITLES.get(ev.action, ev.action),
                detail=_event_detail(ev),
                who=ev.actor.username if ev.actor else "sistema",
            )
        )
    items.sort(key=lambda i: i.at, reverse=True)
    return items


def review_queue(*, user: AnyUser, status: str = ReviewStatus.PENDING) -> QuerySet[CollectionAction]:
    """Actions of the head's scope awaiting review (or in another review status), oldest first."""
    if not roles.has_role(user, roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD, roles.Role.ADMIN):
        return CollectionAction.objects.none()
    return (
        CollectionAction.objects.filter(case__employer__in=visible_employers(user=user), review_status=status)
        .select_related("case", "case__employer", "outcome", "created_by", "promise")
        .order_by("performed_at", "id")
    )


def returned_actions(*, user: AnyUser) -> QuerySet[CollectionAction]:
    """Actions the head returned to this collector (the ones it recorded), awaiting its answer."""
    return (
        CollectionAction.objects.filter(
            Q(created_by=user) & Q(review_status=ReviewStatus.RETURNED),
            case__employer__in=visible_employers(user=user),
        )
        .select_related("case", "case__employer", "reviewed_by", "outcome")
        .order_by("-reviewed_at")
    )


def broken_promises(*, user: AnyUser, limit: int = 500) -> QuerySet[PaymentPromise]:
    """Broken promises to pay of open cases the user may see, oldest promised date first: the call
    center's second list (SPEC §6, issue 5), worked from each case file."""
    return (
        PaymentPromise.objects.filter(
            status=PromiseStatus.BROKEN, case__in=visible_cases(user=user).exclude(state=CaseState.CLOSED)
        )
        .select_related("case__employer", "action__created_by")
        .order_by("promised_on", "id")[:limit]
    )
