"""The service desk's demo data, for `cobranza seed` (one line in its DEMO_HOOKS).

`seed_demo(today=…, users=…)`, deterministic (employers taken by number), through the services:
inquiries answered and open, claims open (collection suspended), accepted and rejected, a worker's
question, and solvency certificates issued and refused — so the desk page, the overdue list, the
statement's «en reclamo» marks, the register of documents and `/verificar/` have something to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.test.utils import override_settings

from cobranza.desk.models import Inquiry, InquiryStatus


@dataclass
class DeskDemo:
    inquiries: int = 0
    claims: int = 0
    certificates: list[str] = field(default_factory=list)
    refused: int = 0

    def lines(self) -> list[str]:
        out = [
            f"Atención a usuarios: {self.inquiries} consultas, {self.claims} reclamos, "
            f"{len(self.certificates)} constancias de solvencia emitidas y {self.refused} denegadas."
        ]
        if self.certificates:
            out.append(f"  Verifique una constancia en /verificar/ con el código {self.certificates[0]}.")
        return out


def seed_demo(*, today: date, users: dict[str, Any]) -> DeskDemo:
    from cobranza.desk import services
    from cobranza.ledger.models import BalanceSnapshot
    from cobranza.ledger.selectors import statement_for_employer

    summary = DeskDemo()
    desk = users.get("atencion")
    if desk is None or Inquiry.objects.exists():
        return summary
    in_arrears = list(
        BalanceSnapshot.objects.filter(overdue_periods__gte=2, employer__status="active")
        .select_related("employer", "employer__branch")
        .order_by("employer__employer_number")[:12]
    )
    solvent = list(
        BalanceSnapshot.objects.filter(overdue_outstanding=0, employer__status="active")
        .select_related("employer")
        .order_by("employer__employer_number")[:2]
    )

    def overdue_periods(employer: Any) -> list[str]:
        return [ln.period for ln in statement_for_employer(employer, today).periods if ln.overdue]

    # Claims: open, accepted (still suspended until corrected) and rejected (collection resumed).
    outcomes = [None, InquiryStatus.ACCEPTED, InquiryStatus.REJECTED]
    subjects = ["planilla", "pago", "recargos"]
    texts = [
        "Los trabajadores de esos meses ya estaban dados de baja: la planilla de oficio no corresponde.",
        "Pagamos en el banco con el número patronal equivocado; adjuntamos el comprobante.",
        "El recargo se calculó desde una fecha anterior al vencimiento.",
    ]
    # Employers whose overdue periods are all under an agreement have nothing to claim: take the
    # first three with overdue periods of their own.
    # The open one (first) is on an employer of the demo heads' branch, so the branch head's
    # overdue list has it too.
    in_arrears.sort(key=lambda s: (s.employer.branch.name != "San Salvador", s.employer.employer_number))
    claimable = [(s, p[:2]) for s in in_arrears if (p := overdue_periods(s.employer))][:3]
    for (snapshot, periods), outcome, subject, text in zip(
        claimable, outcomes, subjects, texts, strict=False
    ):
        # The open claim was filed five weeks ago: past its deadline, on the heads' overdue list.
        filed_on = today - timedelta(days=35) if outcome is None else today
        with override_settings(COBRANZA_BUSINESS_DATE=filed_on):
            claim = services.inquiry_register(
                actor=desk,
                kind="reclamo",
                channel="ventanilla",
                requester_type="patrono",
                requester_name=snapshot.employer.legal_representative or "Representante legal",
                subject=subject,
                description=text,
                employer=snapshot.employer,
                periods=periods,
            )
        summary.claims += 1
        if outcome is not None:
            note = (
                "Procede: se solicita la corrección de la planilla a afiliación."
                if outcome == InquiryStatus.ACCEPTED
                else "No procede: el pago corresponde a otro patrono y los recargos están bien calculados."
            )
            services.inquiry_transition(actor=desk, inquiry=claim, to=outcome, note=note)

    # Inquiries: one answered, one still open; and a worker's question.
    if in_arrears:
        employer = in_arrears[-1].employer
        answered = services.inquiry_register(
            actor=desk,
            kind="consulta",
            channel="telefono",
            requester_type="patrono",
            requester_name="Contador del patrono",
            subject="saldo",
            description="¿Cuál es el saldo y cómo se puede pagar en cuotas?",
            employer=employer,
        )
        services.inquiry_transition(
            actor=desk,
            inquiry=answered,
            to=InquiryStatus.ANSWERED,
            note="Se envió el estado de cuenta por correo y se explicaron las opciones de convenio.",
        )
        services.inquiry_register(
            actor=desk,
            kind="consulta",
            channel="correo",
            requester_type="patrono",
            requester_name="Gerente administrativo",
            subject="convenio",
            description="Solicitan información sobre la prima mínima de un convenio.",
            employer=employer,
        )
        services.worker_inquiry_answer(
            actor=desk,
            employer=in_arrears[0].employer,
            requester_name="José Martínez",
            requester_document="04567890-1",
            channel="ventanilla",
        )
        summary.inquiries += 3
    # An open question from an employer of the demo heads' branch, so the branch head's desk view
    # has something to follow.
    branch_employer = (
        BalanceSnapshot.objects.filter(overdue_periods__gte=1, employer__branch__name="San Salvador")
        .select_related("employer")
        .order_by("employer__employer_number")
        .first()
    )
    if branch_employer is not None:
        services.inquiry_register(
            actor=desk,
            kind="consulta",
            channel="ventanilla",
            requester_type="patrono",
            requester_name="Encargada de planillas",
            subject="saldo",
            description="Pide el detalle de los recargos de los meses en mora antes de pagar.",
            employer=branch_employer.employer,
        )
        summary.inquiries += 1
    # Solvency: issued for solvent employers, refused for one in arrears.
    for snapshot in solvent:
        request = services.solvency_issue(actor=desk, employer=snapshot.employer)
        if request.document is not None:
            summary.certificates.append(request.document.code_display)
    if len(in_arrears) > 3:
        services.solvency_issue(actor=desk, employer=in_arrears[3].employer)
        summary.refused += 1
    return summary
