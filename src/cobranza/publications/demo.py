"""The demo data of the publication list, for `cobranza seed` (one hook call at its end).

1. A list of the San Salvador branch prepared by the branch head 120 days ago (candidates of that
   date), notified the same day, approved by the department head after the reply window and frozen,
   then checked for regularizations today (the synthetic payments since then regularize some);
2. a list of the whole institute prepared by the department head today with the six largest
   candidates, notified today, with two replies recorded (window open: not approvable yet).

Idempotent enough for `seed --if-empty`: nothing is done when a list exists already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.test import override_settings


@dataclass
class DemoSummary:
    lists: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"Publicaciones: {', '.join(self.lists) or 'sin listas (no hubo candidatos)'}"]


def seed_demo(*, today: date, users: dict[str, Any] | None = None) -> DemoSummary:
    from django.contrib.auth.models import User

    from cobranza.common.errors import ApplicationError
    from cobranza.publications import selectors, services
    from cobranza.publications.models import PublicationList, Reply

    summary = DemoSummary()
    if PublicationList.objects.exists():
        return summary
    users = users or {}
    jefe = users.get("jefe") or User.objects.filter(username="jefe").first()
    branch_head = users.get("jefe_sucursal") or User.objects.filter(username="jefe_sucursal").first()
    if jefe is None or branch_head is None:
        return summary
    past = today - timedelta(days=120)
    try:
        with override_settings(COBRANZA_BUSINESS_DATE=past):
            rows = selectors.candidates(user=branch_head, as_of=past)[:8]
            if rows:
                old = services.publication_prepare(
                    actor=branch_head,
                    employer_numbers=[c.employer.employer_number for c in rows],
                    note="Publicación del semestre (demostración)",
                )
                services.publication_notify(actor=branch_head, publication=old)
                entries = list(old.entries.all())
                if len(entries) > 2:
                    services.publication_reply_record(
                        actor=branch_head,
                        entry=entries[0],
                        reply=Reply.CLAIM,
                        reply_on=past,
                        note="Reclamo por planilla duplicada",
                    )
        if rows:
            old.refresh_from_db()
            approve_on = old.reply_deadline + timedelta(days=3)  # type: ignore[operator]
            with override_settings(COBRANZA_BUSINESS_DATE=approve_on):
                services.publication_approve(actor=jefe, publication=old)
            services.publication_regularizations_check(actor=None, as_of=today)
            old.refresh_from_db()
            summary.lists.append(old.title)
        with override_settings(COBRANZA_BUSINESS_DATE=today):
            rows = [c for c in selectors.candidates(user=jefe, as_of=today) if c.open_list is None][:6]
            if rows:
                current = services.publication_prepare(
                    actor=jefe, employer_numbers=[c.employer.employer_number for c in rows]
                )
                services.publication_notify(actor=jefe, publication=current)
                entries = list(current.entries.all())
                services.publication_reply_record(
                    actor=jefe,
                    entry=entries[0],
                    reply=Reply.PAID,
                    reply_on=today,
                    note="Presentó comprobante de pago",
                )
                if len(entries) > 1:
                    services.publication_reply_record(
                        actor=jefe,
                        entry=entries[1],
                        reply=Reply.NO_REPLY,
                        reply_on=today,
                        note="Sin contacto",
                    )
                summary.lists.append(current.title)
    except ApplicationError as error:
        summary.lists.append(f"(no completada: {error.message})")
    return summary
