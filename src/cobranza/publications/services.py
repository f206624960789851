"""Writes of the publication list: prepare, notify (letters), record replies, approve (freeze and
number), cancel, and mark employers regularized after publication.

Keyword-only, atomic, ``full_clean`` before ``save`` and an audit event in the same transaction;
the state changes only through ``publication_transition`` (``models.TRANSITIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cobranza.common.audit import record
from cobranza.common.dates import business_date, check_date_range
from cobranza.common.errors import ApplicationError
from cobranza.engine.calendar import add_business_days
from cobranza.publications import selectors
from cobranza.publications.models import (
    REPLIES_THAT_REMOVE,
    TRANSITIONS,
    ListState,
    PublicationEntry,
    PublicationList,
    Regularization,
    Reply,
)

STATE_LABELS = dict(ListState.choices)
REPLY_LABELS = dict(Reply.choices)
#: Why an employer that replied inside the window is not on the frozen list.
REMOVED_BECAUSE = {
    Reply.PAID: "Pagó dentro del plazo de respuesta",
    Reply.AGREEMENT: "Firmó convenio de pago dentro del plazo de respuesta",
    Reply.CLAIM: "Presentó reclamo dentro del plazo de respuesta",
}


def _require_head(actor: Any) -> None:
    if not selectors.can_prepare(actor):
        raise ApplicationError("Solo las jefaturas preparan, notifican y aprueban listas de publicación.")


def _check_visible(actor: Any, publication: PublicationList) -> None:
    if not selectors.visible_lists(user=actor).filter(pk=publication.pk).exists():
        raise ApplicationError("La lista no existe o no está a su cargo.")


# ----------------------------------------------------------------------------------- transitions
def publication_transition(
    *, actor: Any, publication: PublicationList, to_state: str, reason: str = ""
) -> PublicationList:
    """The one place a list's state changes: refuses any move outside ``TRANSITIONS`` and records it.
    Callers set the fields that go with the new state before calling (they are saved here)."""
    current = PublicationList.objects.get(pk=publication.pk).state
    if to_state not in TRANSITIONS.get(current, frozenset()):
        raise ApplicationError(
            f"La {publication.title.lower()} está «{STATE_LABELS.get(current, current).lower()}»: "
            f"no puede pasar a «{STATE_LABELS.get(to_state, to_state).lower()}»."
        )
    publication.state = to_state
    publication.full_clean()
    publication.save()
    record(
        actor=actor,
        action=f"publication.{to_state}",
        obj=publication,
        before={"state": current},
        after={"state": to_state, "number": publication.number},
        reason=reason,
    )
    return publication


# --------------------------------------------------------------------------------------- prepare
@transaction.atomic
def publication_prepare(
    *,
    actor: Any,
    employer_numbers: list[str],
    as_of: date | None = None,
    branch_id: int | None = None,
    note: str = "",
) -> PublicationList:
    """A new list with the selected candidates and their figures at `as_of` (today by default).

    Refused: nobody selected; an employer that is not a candidate for the acting head (named);
    an employer already on a list being prepared or notified (named)."""
    _require_head(actor)
    as_of = check_date_range(as_of or business_date(), field="fecha de los candidatos")
    if as_of > business_date():
        raise ApplicationError(f"La fecha de los candidatos ({as_of:%d/%m/%Y}) no puede ser futura.")
    numbers = [n.strip() for n in employer_numbers if n and n.strip()]
    if not numbers:
        raise ApplicationError("Seleccione al menos un patrono candidato para preparar la lista.")
    everything, own_branch = selectors._branch_scope(actor)
    if not everything:
        if own_branch is None:
            raise ApplicationError("Su usuario no tiene sucursal asignada: no puede preparar listas.")
        branch_id = own_branch
    criteria = selectors.criteria_at(as_of)
    found = {
        c.employer.employer_number: c
        for c in selectors.candidates(user=actor, as_of=as_of, branch_id=branch_id, criteria=criteria)
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ApplicationError(
            "No son candidatos a publicación al "
            f"{as_of:%d/%m/%Y} (o no están a su cargo): {', '.join(missing)}. No se preparó la lista."
        )
    busy = [f"{n} ({found[n].open_list.title})" for n in numbers if found[n].open_list]  # type: ignore[union-attr]
    if busy:
        raise ApplicationError(
            "Ya están en una lista en preparación o notificada: "
            + ", ".join(busy)
            + ". No se preparó la lista."
        )
    publication = PublicationList(
        as_of=as_of,
        branch_id=branch_id,
        criteria=criteria.as_dict(),
        prepared_by=actor,
        note=(note or "").strip()[:300],
    )
    publication.full_clean()
    publication.save()
    for n in dict.fromkeys(numbers):
        c = found[n]
        entry = PublicationEntry(
            publication=publication,
            employer=c.employer,
            overdue=c.figures.overdue,
            months_in_arrears=c.figures.months_in_arrears,
            overdue_periods=c.figures.overdue_periods,
            oldest_period=c.figures.oldest_period,
        )
        entry.full_clean()
        entry.save()
    record(
        actor=actor,
        action="publication.prepared",
        obj=publication,
        after={"as_of": as_of, "employers": len(dict.fromkeys(numbers))},
        reason=f"Lista preparada con {len(dict.fromkeys(numbers))} patronos candidatos al {as_of:%d/%m/%Y}.",
    )
    return publication


# ---------------------------------------------------------------------------------------- notify
def reply_deadline(notified_on: date) -> date:
    """The last day to reply: the policy's business days after the notification, by the business
    calendar (weekends, SV holidays and the policy's closed days skipped), so it is always a
    business day (one that would fall on a closed day moves to the next business day)."""
    from cobranza.engine.calendar import is_business_day
    from cobranza.ledger.selectors import policy_for

    policy = policy_for(notified_on)
    deadline = add_business_days(notified_on, policy.publication_reply_business_days, policy)
    while not is_business_day(deadline, policy):
        deadline = date.fromordinal(deadline.toordinal() + 1)
    return deadline


@dataclass
class NotifyResult:
    publication: PublicationList
    letters: int
    pdf: bytes


def publication_notify(*, actor: Any, publication: PublicationList) -> NotifyResult:
    """The prior-notification letters: one per employer, each registered in the documents register
    (``document_issue``), and the batch as one PDF (one letter per page), kept with the list. The
    notification date is today; the reply deadline is counted from it (``reply_deadline``)."""
    from cobranza.documents.models import DocumentKind
    from cobranza.documents.services import document_issue
    from cobranza.publications.documents import combine, notice_document

    _require_head(actor)
    _check_visible(actor, publication)
    if publication.state != ListState.PREPARING:
        raise ApplicationError(
            f"Los avisos de la {publication.title.lower()} ya se generaron: la lista está "
            f"«{publication.get_state_display().lower()}»."
        )
    notified_on = business_date()
    deadline = reply_deadline(notified_on)
    entries = selectors.list_entries(publication)
    rendered = []
    with transaction.atomic():
        for entry in entries:
            holder: dict[str, Any] = {}

            def render(stamp: Any, entry: PublicationEntry = entry, holder: dict[str, Any] = holder) -> bytes:
                doc = notice_document(
                    entry=entry,
                    publication=publication,
                    stamp=stamp,
                    notified_on=notified_on,
                    deadline=deadline,
                    signer=actor,
                )
                holder["doc"] = doc
                return doc.write_pdf()

            document = document_issue(
                actor=actor,
                kind=DocumentKind.PUBLICATION,
                employer=entry.employer,
                title=f"Aviso previo de publicación · plazo hasta el {deadline:%d/%m/%Y}",
                filename=f"aviso-publicacion-{entry.employer.employer_number}.pdf",
                figures={
                    "overdue": entry.overdue,
                    "months_in_arrears": entry.months_in_arrears,
                    "overdue_periods": entry.overdue_periods,
                    "oldest_period": entry.oldest_period,
                    "notified_on": notified_on,
                    "reply_deadline": deadline,
                },
                render=render,
                issued_on=notified_on,
            )
            rendered.append(holder["doc"])
            entry.notice = document
            entry.notified_on = notified_on
            entry.reply_deadline = deadline
            entry.full_clean()
            entry.save()
        pdf = combine(rendered)
        publication.notified_on = notified_on
        publication.reply_deadline = deadline
        publication.notices_file.save(f"avisos-lista-{publication.pk}.pdf", ContentFile(pdf), save=False)
        publication_transition(
            actor=actor,
            publication=publication,
            to_state=ListState.NOTIFIED,
            reason=(
                f"{len(entries)} avisos previos emitidos el {notified_on:%d/%m/%Y}; "
                f"plazo de respuesta hasta el {deadline:%d/%m/%Y}."
            ),
        )
    return NotifyResult(publication=publication, letters=len(entries), pdf=pdf)


# ----------------------------------------------------------------------------------------- reply
@transaction.atomic
def publication_reply_record(
    *, actor: Any, entry: PublicationEntry, reply: str, reply_on: date, note: str = ""
) -> PublicationEntry:
    """An employer's reply to its notice (paid, agreement signed, claim filed, no reply), dated
    between the notification and today, while the list is notified (not yet frozen)."""
    _require_head(actor)
    publication = entry.publication
    _check_visible(actor, publication)
    if publication.state != ListState.NOTIFIED:
        raise ApplicationError(
            f"Solo se registran respuestas de una lista con avisos enviados; la {publication.title.lower()} "
            f"está «{publication.get_state_display().lower()}»."
        )
    if reply not in (Reply.PAID, Reply.AGREEMENT, Reply.CLAIM, Reply.NO_REPLY):
        raise ApplicationError("Respuesta: elija pagó, firmó convenio, presentó reclamo o no respondió.")
    reply_on = check_date_range(reply_on, field="fecha de la respuesta")
    if entry.notified_on and reply_on < entry.notified_on:
        raise ApplicationError(
            f"Fecha de la respuesta: {reply_on:%d/%m/%Y} es anterior al aviso ({entry.notified_on:%d/%m/%Y})."
        )
    if reply_on > business_date():
        raise ApplicationError(f"Fecha de la respuesta: {reply_on:%d/%m/%Y} es futura.")
    before = {"reply": REPLY_LABELS[entry.reply], "reply_on": entry.reply_on, "reply_note": entry.reply_note}
    entry.reply = reply
    entry.reply_on = reply_on
    entry.reply_note = (note or "").strip()[:500]
    entry.reply_by = actor
    entry.full_clean()
    entry.save()
    late = bool(entry.reply_deadline and reply_on > entry.reply_deadline)
    record(
        actor=actor,
        action="publication.reply_recorded",
        obj=publication,
        employer_number=entry.employer.employer_number,
        before=before,
        after={"reply": REPLY_LABELS[reply], "reply_on": reply_on, "reply_note": entry.reply_note},
        reason=f"{REPLY_LABELS[reply]} ({reply_on:%d/%m/%Y})" + (" — fuera del plazo" if late else ""),
    )
    return entry


# --------------------------------------------------------------------------------------- approve
def _next_number(year: int) -> str:
    taken = PublicationList.objects.filter(frozen_on__year=year).exclude(number="").count()
    return f"{year}-{taken + 1}"


@transaction.atomic
def publication_approve(*, actor: Any, publication: PublicationList) -> PublicationList:
    """Approve (four eyes) once every reply window has elapsed: the list is frozen and numbered,
    with the figures as of today copied into its rows. Left out, with the reason: employers that
    paid, signed an agreement or filed a claim inside the window, and those that no longer meet the
    criteria today (an agreement in force, debt under the minimum, everything in claim)."""
    _require_head(actor)
    publication = PublicationList.objects.select_for_update().get(pk=publication.pk)
    _check_visible(actor, publication)
    if publication.state != ListState.NOTIFIED:
        raise ApplicationError(
            f"Solo se aprueba una lista con avisos enviados; la {publication.title.lower()} está "
            f"«{publication.get_state_display().lower()}»."
        )
    if publication.prepared_by_id == actor.pk:
        raise ApplicationError(
            "Usted preparó esta lista: debe aprobarla otra jefatura (control de cuatro ojos)."
        )
    today = business_date()
    entries = selectors.list_entries(publication)
    last_deadline = max((e.reply_deadline for e in entries if e.reply_deadline), default=None)
    if last_deadline is None or today <= last_deadline:
        shown = f"{last_deadline:%d/%m/%Y}" if last_deadline else "—"
        raise ApplicationError(
            f"No se puede aprobar todavía: el plazo de respuesta vence el {shown}; "
            "podrá aprobarse a partir del día siguiente."
        )
    criteria = selectors.criteria_at(today)
    published = 0
    for entry in entries:
        if entry.reply in REPLIES_THAT_REMOVE:
            entry.published = False
            entry.excluded_reason = REMOVED_BECAUSE[entry.reply]
        else:
            meets, figures, why = selectors.still_meets(entry.employer, today, criteria)
            entry.published = meets
            entry.excluded_reason = "" if meets else why
            if meets:
                entry.published_overdue = figures.overdue
                entry.published_months = figures.months_in_arrears
                published += 1
            if entry.reply == Reply.PENDING:
                entry.reply = Reply.NO_REPLY
        entry.full_clean()
        entry.save()
    if not published:
        raise ApplicationError(
            "Ningún patrono queda en la lista (todos respondieron o ya no cumplen los criterios): "
            "anúlela en lugar de aprobarla."
        )
    publication.number = _next_number(today.year)
    publication.frozen_on = today
    publication.approved_by = actor
    publication.approved_at = timezone.now()
    return publication_transition(
        actor=actor,
        publication=publication,
        to_state=ListState.FROZEN,
        reason=f"Lista {publication.number} aprobada y congelada al {today:%d/%m/%Y} con {published} patronos.",
    )


@transaction.atomic
def publication_cancel(*, actor: Any, publication: PublicationList, reason: str) -> PublicationList:
    _require_head(actor)
    _check_visible(actor, publication)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Motivo de anulación: escriba por qué se anula la lista.")
    publication.cancelled_reason = reason[:300]
    return publication_transition(
        actor=actor, publication=publication, to_state=ListState.CANCELLED, reason=reason[:300]
    )


# ------------------------------------------------------------------------------- regularizations
@dataclass
class RegularizationResult:
    checked: int
    marked: int

    @property
    def summary(self) -> str:
        return f"{self.checked} patronos publicados revisados; {self.marked} marcados como regularizados."


@transaction.atomic
def publication_regularizations_check(*, actor: Any, as_of: date | None = None) -> RegularizationResult:
    """Mark "regularizado" (with its date) every published employer of a frozen list that, after
    the list's date, signed an agreement (the signature date) or has no collectible overdue debt
    left (the date of its last payment). The list itself never changes; the next list's candidates
    follow from the ordinary criteria. Run nightly (``tasks.regularizations``) and from the list page."""
    from cobranza.agreements.models import Agreement
    from cobranza.ledger.models import Payment

    as_of = as_of or business_date()
    entries = list(
        PublicationEntry.objects.filter(
            publication__state=ListState.FROZEN,
            published=True,
            regularized_on__isnull=True,
            publication__frozen_on__lte=as_of,
        ).select_related("employer", "publication")
    )
    ids = [e.employer_id for e in entries]
    in_force = selectors.agreements_in_force(ids, as_of)
    signed = {
        a.employer_id: a.signed_on
        for a in Agreement.objects.filter(employer_id__in=ids, signed_on__lte=as_of).order_by("signed_on")
    }
    last_paid = dict(
        Payment.objects.filter(employer_id__in=ids, paid_on__lte=as_of)
        .values("employer_id")
        .annotate(last=Max("paid_on"))
        .values_list("employer_id", "last")
    )
    marked = 0
    for entry in entries:
        frozen_on = entry.publication.frozen_on
        assert frozen_on is not None
        if (
            entry.employer_id in in_force
            and signed.get(entry.employer_id)
            and signed[entry.employer_id] >= frozen_on
        ):
            entry.regularization = Regularization.AGREEMENT
            entry.regularized_on = signed[entry.employer_id]
        else:
            figures = selectors.live_figures(entry.employer, as_of)
            if figures.overdue_cents > 0 or figures.suspended_cents > 0:
                continue
            paid = last_paid.get(entry.employer_id)
            entry.regularization = Regularization.PAID
            entry.regularized_on = paid if paid and paid >= frozen_on else as_of
        entry.full_clean()
        entry.save()
        marked += 1
        record(
            actor=actor,
            action="publication.regularized",
            obj=entry.publication,
            employer_number=entry.employer.employer_number,
            after={
                "regularization": entry.get_regularization_display(),
                "regularized_on": entry.regularized_on,
            },
            reason=f"{entry.get_regularization_display()} el {entry.regularized_on:%d/%m/%Y}.",
        )
    return RegularizationResult(checked=len(entries), marked=marked)


def published_total(publication: PublicationList) -> Decimal:
    return sum(
        (e.published_overdue or Decimal("0.00") for e in selectors.published_entries(publication)),
        Decimal("0.00"),
    )
