"""What a judicial referral checks and what it refers (SPEC §4 row "judicial referral", §8).

- **Figures** (`debt_figures`): the statement's overdue lines at the date, without the periods in
  claim (suspended) and the prescribed periods, which are listed apart as left out. Ordinary
  referral: every component still owed (contribution — with the worker share inside it —,
  surcharge, fine, interest) plus the agreement interest overdue; its total equals the statement's
  overdue total to the cent when nothing is left out. Worker-share referral (Código Penal art. 245):
  only the worker share withheld and not remitted.
- **Criteria** (`referral_check`): every item that is missing, named in Spanish, so a refusal lists
  them all at once:
  * the case is active and in «En gestión de cobro» or «Convenio incumplido»;
  * no other referral of the employer in course;
  * debt overdue and final (exigible), no period in claim (SPEC §8 "no open claim");
  * no payment agreement in force (approved or active);
  * and either a lapsed agreement (SPEC §4: the alternative route), or at least
    `referral_min_notices` documented notices with `referral_days` days since the first one.
  A **documented notice** is a notice the case records as sent with its PDF: a letter action with its
  notice document, or an e-mailed letter that the mail server accepted (not a bounced one), or a
  notice document uploaded to the case by hand (one sent outside the system). Notices are counted by
  day: the same notice printed and e-mailed on one day is one notice.
- **Checklist** (`document_checklist`): the administrator's list of required documents, ticked from
  the case's documents.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cobranza.cases.models import (
    ActionKind,
    CaseDocument,
    CaseFile,
    CaseState,
    CollectionAction,
    DeliveryStatus,
    DocumentType,
)
from cobranza.common.errors import ApplicationError
from cobranza.common.templatetags.cobranza import format_money, periodo
from cobranza.employers.models import Employer
from cobranza.legal.models import (
    OPEN_STATES,
    DocumentApplies,
    Referral,
    ReferralKind,
    RequiredDocument,
)

#: The case states a referral may start from (cases.models.CASE_TRANSITIONS).
REFERABLE_CASE_STATES = frozenset({CaseState.IN_COLLECTION, CaseState.LAPSED})


def _d(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


# ------------------------------------------------------------------------------------------ figures
@dataclass(frozen=True)
class CertificateLine:
    """One period of the certificate, in cents (what is still owed of each component)."""

    period: str
    due_date: date
    months_late: int
    contribution_cents: int
    worker_share_cents: int
    surcharge_cents: int
    fine_cents: int
    interest_cents: int
    total_cents: int

    @property
    def label(self) -> str:
        return periodo(self.period)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "due_date": self.due_date.isoformat(),
            "months_late": self.months_late,
            "contribution": self.contribution_cents,
            "worker_share": self.worker_share_cents,
            "surcharge": self.surcharge_cents,
            "fine": self.fine_cents,
            "interest": self.interest_cents,
            "total": self.total_cents,
        }


@dataclass(frozen=True)
class DebtFigures:
    """What a referral refers at a date (integer cents)."""

    as_of: date
    kind: str
    lines: list[CertificateLine]
    agreement_interest: list[tuple[str, int]]  # (agreement number, overdue interest cents)
    left_out: dict[str, str]  # period → why it is left out ("en reclamo …", "prescrito")
    statement_overdue_cents: int
    policy_version: str

    @property
    def is_worker_share(self) -> bool:
        return self.kind == ReferralKind.WORKER_SHARE

    def _sum(self, attr: str) -> int:
        return sum(getattr(ln, attr) for ln in self.lines)

    @property
    def contribution_cents(self) -> int:
        return self._sum("contribution_cents")

    @property
    def worker_share_cents(self) -> int:
        return self._sum("worker_share_cents")

    @property
    def surcharge_cents(self) -> int:
        return self._sum("surcharge_cents")

    @property
    def fine_cents(self) -> int:
        return self._sum("fine_cents")

    @property
    def interest_cents(self) -> int:
        return self._sum("interest_cents")

    @property
    def agreement_interest_cents(self) -> int:
        return sum(c for _, c in self.agreement_interest)

    @property
    def total_cents(self) -> int:
        """The amount referred: every component (ordinary) or the worker share only (art. 245)."""
        if self.is_worker_share:
            return self.worker_share_cents
        return self._sum("total_cents") + self.agreement_interest_cents

    @property
    def periods(self) -> list[str]:
        return [ln.period for ln in self.lines]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "kind": self.kind,
            "policy_version": self.policy_version,
            "lines": [ln.to_json() for ln in self.lines],
            "agreement_interest": [{"agreement": n, "interest": c} for n, c in self.agreement_interest],
            "left_out": self.left_out,
            "totals": {
                "contribution": self.contribution_cents,
                "worker_share": self.worker_share_cents,
                "surcharge": self.surcharge_cents,
                "fine": self.fine_cents,
                "interest": self.interest_cents,
                "agreement_interest": self.agreement_interest_cents,
                "total": self.total_cents,
            },
            "statement_overdue": self.statement_overdue_cents,
        }


def _prescribed(employer: Employer, as_of: date) -> set[str]:
    """The employer's prescribed periods at `as_of` (they leave the debt referred, SPEC §8)."""
    from cobranza.ledger.selectors import prescribed_periods

    return set(prescribed_periods(employers=employer, as_of=as_of).get(employer.pk, set()))


def debt_figures(*, employer: Employer, as_of: date, kind: str = ReferralKind.ORDINARY) -> DebtFigures:
    """The figures of a referral of `kind` at `as_of` from the employer's statement (module docstring)."""
    from cobranza.ledger.selectors import period_claims, statement_for_employer

    if kind not in ReferralKind.values:
        raise ApplicationError(f"Tipo de remisión desconocido: «{kind}».")
    statement = statement_for_employer(employer, as_of)
    claims = period_claims(employer=employer, as_of=as_of)
    prescribed = _prescribed(employer, as_of)
    left_out: dict[str, str] = {}
    lines: list[CertificateLine] = []
    for ln in statement.periods:
        if not ln.overdue:
            continue
        if ln.period in claims:
            left_out[ln.period] = f"en reclamo {', '.join(claims[ln.period])}"
            continue
        if ln.period in prescribed:
            left_out[ln.period] = "prescrito"
            continue
        if kind == ReferralKind.WORKER_SHARE and ln.worker_share_outstanding_cents <= 0:
            continue
        lines.append(
            CertificateLine(
                period=ln.period,
                due_date=ln.due_date,
                months_late=ln.months_late,
                contribution_cents=ln.contribution_outstanding_cents,
                worker_share_cents=ln.worker_share_outstanding_cents,
                surcharge_cents=ln.surcharge_outstanding_cents,
                fine_cents=ln.fine_outstanding_cents,
                interest_cents=ln.interest_outstanding_cents,
                total_cents=ln.outstanding_cents,
            )
        )
    agreement_interest = []
    if kind == ReferralKind.ORDINARY:
        for a in statement.agreements:
            overdue = sum(
                item.interest_cents - item.interest_paid_cents for item in a.items if item.due_date < as_of
            )
            if overdue > 0:
                agreement_interest.append((a.number, overdue))
    return DebtFigures(
        as_of=as_of,
        kind=kind,
        lines=lines,
        agreement_interest=agreement_interest,
        left_out=left_out,
        statement_overdue_cents=statement.totals.overdue_cents,
        policy_version=statement.policy_version,
    )


# ------------------------------------------------------------------------------------------ notices
@dataclass(frozen=True)
class Notice:
    on: date
    description: str


def documented_notices(case: CaseFile) -> list[Notice]:
    """The case's documented notices, one per day, oldest first (module docstring)."""
    from django.utils import timezone

    found: dict[date, str] = {}
    linked: set[int] = set()
    actions = (
        CollectionAction.objects.filter(
            case=case,
            kind__in=[ActionKind.LETTER, ActionKind.EMAIL],
            document__isnull=False,
            document__doc_type=DocumentType.NOTICE,
        )
        .exclude(delivery_status=DeliveryStatus.FAILED)
        .select_related("document")
        .order_by("performed_at", "id")
    )
    for a in actions:
        assert a.document is not None
        linked.add(a.document_id)  # type: ignore[arg-type]
        day = timezone.localtime(a.performed_at).date()
        how = "por correo electrónico" if a.kind == ActionKind.EMAIL else "por carta"
        found.setdefault(day, f"{a.document.title} ({how})")
    uploaded = CaseDocument.objects.filter(case=case, doc_type=DocumentType.NOTICE).exclude(pk__in=linked)
    for d in uploaded.order_by("document_date", "id"):
        found.setdefault(d.document_date, f"{d.title} (documento del expediente)")
    return [Notice(on=day, description=text) for day, text in sorted(found.items())]


# --------------------------------------------------------------------------------------- checklist
def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", (text or "").casefold()) if not unicodedata.combining(c)
    )


@dataclass(frozen=True)
class ChecklistItem:
    name: str
    present: bool
    documents: list[str]
    blocking: bool
    generated: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "present": self.present,
            "documents": self.documents,
            "blocking": self.blocking,
            "generated": self.generated,
        }


def document_checklist(*, case: CaseFile, kind: str, lapsed_agreement: bool) -> list[ChecklistItem]:
    """The administrator's checklist for this referral, ticked from the case's documents."""
    documents = list(CaseDocument.objects.filter(case=case).order_by("document_date", "id"))
    items = []
    for required in RequiredDocument.objects.filter(active=True):
        if required.applies == DocumentApplies.LAPSED_AGREEMENT and not lapsed_agreement:
            continue
        if required.applies == DocumentApplies.WORKER_SHARE and kind != ReferralKind.WORKER_SHARE:
            continue
        types = set(required.doc_types or [])
        words = [_fold(w.strip()) for w in (required.keywords or "").split(",") if w.strip()]
        matching = [
            d.title if _d(d.document_date) in d.title else f"{d.title} ({_d(d.document_date)})"
            for d in documents
            if d.doc_type in types or any(w in _fold(d.title) for w in words)
        ]
        items.append(
            ChecklistItem(
                name=required.name,
                present=bool(matching) or required.generated,
                documents=matching or (["se emite con la remisión"] if required.generated else []),
                blocking=required.blocking,
                generated=required.generated,
            )
        )
    return items


# ------------------------------------------------------------------------------------------- check
@dataclass
class ReferralCheck:
    """The result of checking a case against the referral criteria at a date."""

    case: CaseFile
    kind: str
    as_of: date
    missing: list[str] = field(default_factory=list)
    # The missing items that time or one more notice will cure (the "close" cases of the CLI).
    waiting: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    min_notices: int = 2
    days_required: int = 90
    days_elapsed: int | None = None
    lapsed_agreements: list[str] = field(default_factory=list)
    route: str = ""
    figures: DebtFigures | None = None
    checklist: list[ChecklistItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def close(self) -> bool:
        """Not yet, but only notices or days are missing."""
        return bool(self.missing) and len(self.missing) == len(self.waiting)

    @property
    def checklist_missing(self) -> list[str]:
        return [c.name for c in self.checklist if not c.present]

    def criteria_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "route": self.route,
            "notices": [{"on": n.on.isoformat(), "description": n.description} for n in self.notices],
            "min_notices": self.min_notices,
            "days_required": self.days_required,
            "days_elapsed": self.days_elapsed,
            "lapsed_agreements": self.lapsed_agreements,
            "checklist": [c.to_json() for c in self.checklist],
            "left_out": self.figures.left_out if self.figures else {},
        }


def _agreements(employer: Employer) -> tuple[list[str], list[str]]:
    """(agreements in force or approved, lapsed agreements) of the employer, by number."""
    from cobranza.agreements.models import Agreement, AgreementState

    in_force, lapsed = [], []
    for a in Agreement.objects.filter(
        employer=employer, state__in=[AgreementState.ACTIVE, AgreementState.APPROVED, AgreementState.LAPSED]
    ).order_by("id"):
        (lapsed if a.state == AgreementState.LAPSED else in_force).append((a.number, a.get_state_display()))
    return [f"{n} ({s.lower()})" for n, s in in_force], [n for n, _ in lapsed]


def referral_check(
    *, case: CaseFile, as_of: date, kind: str = ReferralKind.ORDINARY, exclude: Referral | None = None
) -> ReferralCheck:
    """Check the case against every criterion; `missing` names each one that fails (Spanish).
    `exclude`: the referral being approved (it is the one in course)."""
    from cobranza.ledger.selectors import period_claims, policy_for

    if kind not in ReferralKind.values:
        raise ApplicationError(f"Tipo de remisión desconocido: «{kind}».")
    employer = case.employer
    policy = policy_for(as_of)
    check = ReferralCheck(
        case=case,
        kind=kind,
        as_of=as_of,
        min_notices=policy.referral_min_notices,
        days_required=policy.referral_days,
    )
    missing = check.missing
    if not case.is_active:
        missing.append(f"el expediente {case.code} está cerrado")
    elif case.state not in REFERABLE_CASE_STATES:
        missing.append(
            f"el expediente está «{case.get_state_display()}»: solo se remite desde «En gestión de cobro» "
            "o «Convenio incumplido»"
        )
    others = Referral.objects.filter(employer=employer, state__in=OPEN_STATES)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.first()
    if other is not None:
        missing.append(f"ya tiene la remisión {other.code} en curso ({other.get_state_display().lower()})")

    figures = debt_figures(employer=employer, as_of=as_of, kind=kind)
    check.figures = figures
    if figures.total_cents <= 0:
        if kind == ReferralKind.WORKER_SHARE:
            missing.append("no hay cuota laboral retenida no enterada exigible")
        else:
            missing.append("no hay deuda exigible")
    claims = period_claims(employer=employer, as_of=as_of)
    for period in sorted(claims):
        missing.append(f"tiene un reclamo abierto sobre {periodo(period)} ({', '.join(claims[period])})")

    in_force, lapsed = _agreements(employer)
    check.lapsed_agreements = lapsed
    for text in in_force:
        missing.append(f"tiene el convenio de pago {text}: no se remite un patrono con convenio en curso")

    notices = documented_notices(case)
    check.notices = notices
    if lapsed and not in_force:
        check.route = f"convenio de pago incumplido {', '.join(lapsed)}"
    else:
        short = check.min_notices - len(notices)
        if short > 0:
            check.waiting.append(
                f"falta{'n' if short > 1 else ''} {short} {_plural(short, 'aviso documentado', 'avisos documentados')}"
                f" (hay {len(notices)} de {check.min_notices})"
            )
        if notices:
            elapsed = (as_of - notices[0].on).days
            check.days_elapsed = elapsed
            if elapsed < check.days_required:
                check.waiting.append(
                    f"han pasado {elapsed} de {check.days_required} días desde el primer aviso "
                    f"({_d(notices[0].on)}); se podrá remitir desde el "
                    f"{_d(date.fromordinal(notices[0].on.toordinal() + check.days_required))}"
                )
        missing.extend(check.waiting)
        check.route = (
            f"{len(notices)} {_plural(len(notices), 'aviso documentado', 'avisos documentados')}, "
            f"{check.days_elapsed or 0} días desde el primero, sin convenio"
        )
    check.checklist = document_checklist(case=case, kind=kind, lapsed_agreement=bool(lapsed))
    for item in check.checklist:
        if item.blocking and not item.present:
            missing.append(f"falta el documento «{item.name}» en el expediente")
    return check


def refusal_message(check: ReferralCheck) -> str:
    """The Spanish refusal listing every missing item."""
    items = "; ".join(check.missing)
    return (
        f"No se puede remitir el expediente {check.case.code} a cobro judicial al {_d(check.as_of)}: {items}."
    )


def money(cents: int) -> str:
    return format_money(cents, cents=True)
