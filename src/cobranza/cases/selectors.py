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
    CollectionAction,
    PaymentPromise,
    PromiseStatus,
    ReviewStatus,
)
from cobranza.common import roles
from cobranza.common.audit_display import describe_events
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
    "hygiene.request_created",
    "hygiene.request_resolved",
    "hygiene.request_rejected",
    "legal.referral_requested",
    "legal.referral_transition",
    "legal.step_recorded",
)
PROMISE_LABELS = {"pending": "pendiente", "kept": "cumplida", "broken": "incumplida"}


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
    )
    own_events = [
        ev
        for ev in events
        if not (
            ev.action.startswith("case.")
            and ev.object_type == "cases.casefile"
            and ev.object_id != str(case.pk)
        )
    ]
    for view in describe_events(own_events):  # the one presentation layer of audit events
        detail = "; ".join(c.text for c in view.changes)
        if view.subject and view.event.object_type != "cases.casefile":
            detail = f"{view.subject.capitalize()}. {detail}" if detail else view.subject.capitalize()
        if view.reason:
            detail = f"{detail}. Motivo: {view.reason}" if detail else view.reason
        items.append(
            ChronologyItem(
                at=view.at, kind="event", icon="bi-flag", title=view.title, detail=detail, who=view.actor
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
