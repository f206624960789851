"""Writes of account hygiene (SPEC §8): the scan that stores findings, and the clean-up requests.

* ``hygiene_scan`` loads the portfolio in employer-id chunks straight into Polars (the recompute's
  loaders: one SQL per table and chunk, COPY on PostgreSQL), lets ``engine.hygiene.detect`` find
  what is wrong, and upserts the findings by their stable key: a re-scan never repeats a finding; a
  finding no longer detected is marked "ya no se detecta"; a resolved finding stays resolved while
  its figures stay the same. New findings of a type the policy table sends by itself become
  requests to the owning area. One audit event for the run.
* ``cleanup_request_create`` (a collector from the case file, or the scan), and the answers
  ``cleanup_request_resolve`` / ``cleanup_request_reject`` through the one
  ``cleanup_request_transition``. A resolution recomputes the employer's balance after commit and
  both leave an event the case chronology shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cobranza.common import roles
from cobranza.common.audit import bulk_record, record
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent, actor_display_name
from cobranza.employers.models import Employer, ImportBatch
from cobranza.engine import hygiene as engine
from cobranza.engine.calendar import add_business_days, add_months, period_from_index, period_index
from cobranza.engine.money import fmt_usd
from cobranza.engine.timeline import PolicyTimeline
from cobranza.hygiene.models import (
    TRANSITIONS,
    Area,
    AreaMember,
    CleanupRequest,
    Finding,
    FindingStatus,
    FindingType,
    HygieneRule,
    RequestStatus,
    Resolution,
    ScanRun,
)
from cobranza.ledger.models import BalanceSnapshot, Declaration, Payment
from cobranza.ledger.selectors import policy_for, policy_timeline
from cobranza.ledger.services import CHUNK_SIZE, _cents, _read, employer_id_chunks

Progress = Callable[[int, int], None]

#: Defaults of the policy table (the migration writes them; an admin edits them).
DEFAULT_RULES: dict[str, dict[str, Any]] = {
    FindingType.RATE_MISMATCH: {"area": Area.AFILIACION, "deadline_business_days": 10, "auto_request": False},
    FindingType.UNDECLARED_PAYMENT: {
        "area": Area.CONTABILIDAD,
        "deadline_business_days": 10,
        "auto_request": True,
    },
    FindingType.OUT_OF_LIFE_PAYMENT: {
        "area": Area.AFILIACION,
        "deadline_business_days": 10,
        "auto_request": True,
    },
    FindingType.DUPLICATE_PAYMENT: {
        "area": Area.CONTABILIDAD,
        "deadline_business_days": 5,
        "auto_request": True,
    },
    FindingType.STALE_CREDIT: {
        "area": Area.CONTABILIDAD,
        "deadline_business_days": 15,
        "auto_request": False,
        "min_age_months": 6,
    },
    FindingType.STOPPED_FILER: {"area": Area.INSPECCION, "deadline_business_days": 20, "auto_request": True},
    FindingType.CLOSED_WITH_DEBT: {
        "area": Area.AFILIACION,
        "deadline_business_days": 10,
        "auto_request": False,
    },
}
AREA_LABELS = dict(Area.choices)
TYPE_LABELS = dict(FindingType.choices)
STATUS_LABELS = dict(RequestStatus.choices)
REQUESTERS = {roles.Role.COLLECTOR, roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD, roles.Role.ADMIN}


# ------------------------------------------------------------------------------ who may do what
def area_of(user: Any) -> str | None:
    """The area of an "otras áreas" user (None for everyone else)."""
    if not getattr(user, "is_authenticated", False) or not roles.has_role(user, roles.Role.OTHER_AREAS):
        return None
    cached = getattr(user, "_hygiene_area", "unset")
    if cached == "unset":
        cached = AreaMember.objects.filter(user=user).values_list("area", flat=True).first()
        user._hygiene_area = cached
    return cached  # type: ignore[no-any-return]


def can_request(user: Any) -> bool:
    return roles.has_role(user, *REQUESTERS)


def can_answer(user: Any, request: CleanupRequest) -> bool:
    return area_of(user) == request.area


def rules() -> dict[str, HygieneRule]:
    """The policy table by finding type (the defaults for a type missing from it)."""
    stored = {r.finding_type: r for r in HygieneRule.objects.all()}
    for kind, values in DEFAULT_RULES.items():
        stored.setdefault(kind, HygieneRule(finding_type=kind, **values))
    return stored


def _who(user: Any) -> str:
    return actor_display_name(user) or "el sistema"


# ------------------------------------------------------------------------------ the scan
def last_closed_period(as_of: date, timeline: PolicyTimeline) -> str:
    """The latest period whose payroll was due by `as_of` (its due date under the policy)."""
    previous = period_from_index(period_index(f"{as_of.year:04d}-{as_of.month:02d}") - 1)
    if as_of >= timeline.due_date(previous):
        return previous
    return period_from_index(period_index(previous) - 1)


def _rate_versions(timeline: PolicyTimeline) -> list[engine.RateVersion]:
    return [
        engine.RateVersion(
            effective_from=p.effective_from,
            employer_rate=p.employer_rate,
            worker_rate=p.worker_rate,
            salary_ceiling_cents=p.salary_ceiling_cents,
        )
        for p in timeline.versions
    ]


def load_input(
    *, as_of: date, timeline: PolicyTimeline, credit_months: int, **scope: Any
) -> engine.HygieneInput:
    """The frames of the employers in `scope` (an ORM filter on `employer_id`): one query per table."""
    employer_scope = {k.replace("employer_id", "pk"): v for k, v in scope.items()}
    last_period = f"{as_of.year:04d}-{as_of.month:02d}"
    employers = _read(
        Employer.objects.filter(**employer_scope).order_by().values_list("pk", "status", "registered_on"),
        engine.EMPLOYERS_SCHEMA,
    )
    declarations = _read(
        Declaration.objects.filter(period__lte=last_period, **scope)
        .order_by()
        .annotate(
            base_cents=_cents("salary_base"),
            employer_cents=_cents("employer_contribution"),
            worker_cents=_cents("worker_contribution"),
        )
        .values_list("employer_id", "period", "workers", "base_cents", "employer_cents", "worker_cents"),
        engine.DECLARATIONS_SCHEMA,
    )
    payments = _read(
        Payment.objects.filter(paid_on__lte=as_of, **scope)
        .order_by()
        .annotate(amount_cents=_cents("amount"))
        .values_list("payment_id", "employer_id", "paid_on", "amount_cents", "period"),
        engine.PAYMENTS_SCHEMA,
    )
    balances = _read(
        BalanceSnapshot.objects.filter(**scope)
        .order_by()
        .annotate(credit_cents=_cents("credit"), overdue_cents=_cents("overdue_outstanding"))
        .values_list("employer_id", "credit_cents", "overdue_cents"),
        engine.BALANCES_SCHEMA,
    )
    return engine.HygieneInput(
        employers=employers,
        declarations=declarations,
        payments=payments.with_columns(
            pl.when(pl.col("period") == "").then(None).otherwise(pl.col("period")).alias("period")
        ),
        balances=balances,
        rates=_rate_versions(timeline),
        last_closed_period=last_closed_period(as_of, timeline),
        credit_since=add_months(as_of, -credit_months),
    )


@dataclass
class ScanResult:
    as_of: date
    employers: int = 0
    found: dict[str, int] = field(default_factory=dict)  # detected this run, by type
    new: dict[str, int] = field(default_factory=dict)
    reopened: int = 0
    gone: int = 0
    requests_created: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None

    @property
    def total_found(self) -> int:
        return sum(self.found.values())

    @property
    def total_new(self) -> int:
        return sum(self.new.values())

    @property
    def summary(self) -> str:
        return (
            f"Revisión de depuración al {self.as_of:%d/%m/%Y}: {self.employers:,} patronos, "
            f"{self.total_found:,} hallazgos ({self.total_new:,} nuevos, {self.reopened:,} reabiertos), "
            f"{self.gone:,} ya no se detectan, {self.requests_created:,} solicitudes automáticas, "
            f"{self.seconds:.1f} s."
        )


def _cents_to_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(int(value)).scaleb(-2)


def _fingerprint(periods: list[str], payment_ids: list[str], amount: Decimal | None) -> tuple[Any, ...]:
    return (tuple(periods or ()), tuple(payment_ids or ()), amount)


def _store_chunk(
    *, found: pl.DataFrame, run: ScanRun, as_of: date, result: ScanResult, **scope: Any
) -> list[Finding]:
    """Upsert the chunk's findings by key; returns the findings created (for automatic requests)."""
    existing = {f.key: f for f in Finding.objects.filter(**scope)}
    to_create: list[Finding] = []
    to_update: list[Finding] = []
    unchanged: list[int] = []
    now = timezone.now()
    for row in found.iter_rows(named=True):  # one per finding, not per employer
        kind = row["finding_type"]
        result.found[kind] = result.found.get(kind, 0) + 1
        amount = _cents_to_decimal(row["amount_cents"])
        values = {
            "periods": list(row["periods"] or []),
            "payment_ids": list(row["payment_ids"] or []),
            "amount": amount,
            "base_amount": _cents_to_decimal(row["base_cents"]),
            "declared_amount": _cents_to_decimal(row["declared_cents"]),
        }
        finding = existing.get(row["key"])
        if finding is None:
            to_create.append(
                Finding(
                    key=row["key"],
                    finding_type=kind,
                    employer_id=row["employer_id"],
                    first_seen_on=as_of,
                    last_seen_on=as_of,
                    last_scan=run,
                    **values,
                )
            )
            result.new[kind] = result.new.get(kind, 0) + 1
            continue
        changed = _fingerprint(finding.periods, finding.payment_ids, finding.amount) != _fingerprint(
            values["periods"], values["payment_ids"], amount
        ) or (finding.base_amount, finding.declared_amount) != (
            values["base_amount"],
            values["declared_amount"],
        )
        if finding.status == FindingStatus.GONE or (finding.status == FindingStatus.RESOLVED and changed):
            finding.status = FindingStatus.OPEN
            finding.gone_on = None
            finding.resolved_on = None
            result.reopened += 1
            changed = True
        if not changed:
            unchanged.append(finding.pk)  # only seen again: one UPDATE for all of them below
            continue
        for name, value in values.items():
            setattr(finding, name, value)
        finding.last_seen_on = as_of
        finding.last_scan = run
        finding.updated_at = now
        to_update.append(finding)
    Finding.objects.bulk_create(to_create, batch_size=2000)
    Finding.objects.bulk_update(
        to_update,
        [
            "status",
            "gone_on",
            "resolved_on",
            "periods",
            "payment_ids",
            "amount",
            "base_amount",
            "declared_amount",
            "last_seen_on",
            "last_scan",
            "updated_at",
        ],
        batch_size=2000,
    )
    for i in range(0, len(unchanged), 5000):
        Finding.objects.filter(pk__in=unchanged[i : i + 5000]).update(last_seen_on=as_of, last_scan=run)
    return to_create


def hygiene_scan(
    *,
    actor: Any,
    as_of: date | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ScanResult:
    """Scan the whole portfolio as of `as_of` (default: the business date) and store the findings.

    Chunks of `chunk_size` employers (keyset by id), each loaded and written in its own transaction;
    `progress(done, total)` after each. Idempotent: scanning twice leaves the same findings.
    """
    started = time.perf_counter()
    as_of = as_of or business_date()
    timeline = policy_timeline()
    table = rules()
    credit_months = table[FindingType.STALE_CREDIT].min_age_months or 6
    auto = {kind for kind, rule in table.items() if rule.auto_request}
    result = ScanResult(as_of=as_of)
    run = ScanRun.objects.create(
        as_of=as_of, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    total = Employer.objects.count()
    if progress is not None:
        progress(0, total)
    timings = {"load": 0.0, "detect": 0.0, "write": 0.0}
    for ids in employer_id_chunks(chunk_size):
        scope = {"employer_id__gte": ids[0], "employer_id__lte": ids[-1]}
        t0 = time.perf_counter()
        with transaction.atomic():
            inp = load_input(as_of=as_of, timeline=timeline, credit_months=credit_months, **scope)
            t1 = time.perf_counter()
            found = engine.detect(inp)
            t2 = time.perf_counter()
            created = _store_chunk(found=found, run=run, as_of=as_of, result=result, **scope)
            automatic = [f for f in created if f.finding_type in auto]
            if automatic:
                result.requests_created += _auto_requests(findings=automatic, rules=table, today=as_of)
        t3 = time.perf_counter()
        timings["load"] += t1 - t0
        timings["detect"] += t2 - t1
        timings["write"] += t3 - t2
        result.employers += len(ids)
        if progress is not None:
            progress(result.employers, max(total, result.employers))
    with transaction.atomic():
        result.gone = (
            Finding.objects.filter(status=FindingStatus.OPEN)
            .filter(Q(last_scan__isnull=True) | ~Q(last_scan=run))
            .update(status=FindingStatus.GONE, gone_on=as_of, updated_at=timezone.now())
        )
        result.seconds = time.perf_counter() - started
        result.timings = timings
        run.seconds = Decimal(f"{result.seconds:.2f}")
        run.employers = result.employers
        run.counts = {
            "found": result.found,
            "new": result.new,
            "reopened": result.reopened,
            "gone": result.gone,
            "requests_created": result.requests_created,
        }
        run.save()
        record(
            actor=actor,
            action="hygiene.scanned",
            obj=run,
            after={
                "as_of": as_of,
                "employers": result.employers,
                "found": result.total_found,
                "new": result.total_new,
                "reopened": result.reopened,
                "gone": result.gone,
                "requests_created": result.requests_created,
            },
            reason=result.summary,
        )
    result.run_id = run.pk
    return result


# ------------------------------------------------------------------------------ requests
def _deadline(today: date, business_days: int) -> date:
    return add_business_days(today, business_days, policy_for(today))


def _finding_sentence(finding: Finding | None) -> str:
    if finding is None:
        return "solicitud sin hallazgo asociado"
    text = TYPE_LABELS.get(finding.finding_type, finding.finding_type)
    if finding.periods_text:
        text += f", períodos {finding.periods_text}"
    label = "estimado" if finding.is_estimate else "importe"
    return f"{text} ({label} {fmt_usd(int(finding.amount * 100))})"


def _auto_requests(*, findings: list[Finding], rules: dict[str, HygieneRule], today: date) -> int:
    """Requests of the new findings whose type the policy table sends by itself (bulk, one event each)."""
    saved = {
        f.key: f for f in Finding.objects.filter(key__in=[f.key for f in findings]).select_related("employer")
    }
    policy = policy_for(today)
    deadlines: dict[int, date] = {}
    requests = []
    for f in saved.values():
        rule = rules[f.finding_type]
        n = rule.deadline_business_days
        if n not in deadlines:
            deadlines[n] = add_business_days(today, n, policy)
        requests.append(
            CleanupRequest(
                employer=f.employer, finding=f, area=rule.area, created_on=today, due_on=deadlines[n]
            )
        )
    created = CleanupRequest.objects.bulk_create(requests, batch_size=2000)
    if created and created[0].pk is None:  # backends without RETURNING ids on bulk insert
        created = list(CleanupRequest.objects.filter(finding__in=list(saved.values()), created_on=today))
    bulk_record(
        [
            AuditEvent(
                action="hygiene.request_created",
                object_type="hygiene.cleanuprequest",
                object_id=str(r.pk),
                employer_number=r.employer.employer_number,
                after={
                    "area": r.area,
                    "subject": _finding_sentence(r.finding),
                    "due_on": r.due_on.isoformat(),
                },
                reason="Detectado por la revisión automática de la cartera.",
            )
            for r in created
        ]
    )
    return len(created)


@transaction.atomic
def cleanup_request_create(
    *,
    actor: Any,
    employer: Employer,
    note: str,
    finding: Finding | None = None,
    area: str | None = None,
) -> CleanupRequest:
    """A collector's (or head's) request from the case file: about one of the employer's open
    findings (the area and deadline from the policy table) or, without one, to the `area` chosen,
    with the default deadline. Refuses a finding that already has a pending request."""
    if actor is not None and not can_request(actor):
        raise ApplicationError("Solo los gestores y las jefaturas envían solicitudes de depuración.")
    note = (note or "").strip()
    if finding is not None:
        if finding.employer_id != employer.pk:
            raise ApplicationError("El hallazgo no es de este patrono.")
        if finding.status != FindingStatus.OPEN:
            raise ApplicationError("El hallazgo ya no está abierto: no se puede enviar una solicitud.")
        if CleanupRequest.objects.filter(finding=finding, status=RequestStatus.PENDING).exists():
            raise ApplicationError("Ese hallazgo ya tiene una solicitud pendiente.")
        rule = rules()[finding.finding_type]
        area, days = rule.area, rule.deadline_business_days
    else:
        if area not in AREA_LABELS:
            raise ApplicationError(
                "Indique el área a la que se envía la solicitud (afiliación, contabilidad o inspección)."
            )
        if not note:
            raise ApplicationError("Una solicitud sin hallazgo necesita una nota que diga qué depurar.")
        days = 10
    today = business_date()
    req = CleanupRequest(
        employer=employer,
        finding=finding,
        area=area,
        note=note[:2000],
        created_on=today,
        due_on=_deadline(today, days),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    req.full_clean()
    req.save()
    record(
        actor=actor,
        action="hygiene.request_created",
        obj=req,
        employer_number=employer.employer_number,
        after={"area": area, "subject": _finding_sentence(finding), "due_on": req.due_on},  # note: the reason
        reason=note,
    )
    return req


def cleanup_request_transition(
    *, actor: Any, request: CleanupRequest, to_status: str, reason: str
) -> CleanupRequest:
    """The one place a request's state changes: refuses any move outside ``TRANSITIONS``."""
    current = request.status
    if to_status not in TRANSITIONS.get(current, frozenset()):
        raise ApplicationError(
            f"La solicitud {request.code} está {STATUS_LABELS[current].lower()}: "
            f"no puede quedar {STATUS_LABELS.get(to_status, to_status).lower()}."
        )
    request.status = to_status
    request.answered_on = business_date()
    request.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    request.full_clean()
    request.save()
    record(
        actor=actor,
        action=f"hygiene.request_{to_status}",
        obj=request,
        employer_number=request.employer.employer_number,
        before={"status": current},
        # the answer is the event's reason; the import batch is named in it too
        after={"status": to_status},
        reason=reason,
    )
    return request


def _check_answerer(actor: Any, request: CleanupRequest) -> None:
    if actor is not None and not can_answer(actor, request):
        raise ApplicationError(
            f"Solo el área de {AREA_LABELS[request.area]} responde la solicitud {request.code}."
        )


@transaction.atomic
def cleanup_request_resolve(
    *, actor: Any, request: CleanupRequest, answer: str, import_batch: ImportBatch | None = None
) -> CleanupRequest:
    """Resolved with a note, or by a corrected import (the batch is linked). The finding is marked
    resolved and the employer's balance is recomputed after commit."""
    from cobranza.ledger.tasks import schedule_balance_refresh

    _check_answerer(actor, request)
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError("Escriba la respuesta: qué se corrigió.")
    request.resolution = Resolution.IMPORT if import_batch is not None else Resolution.NOTE
    request.answer = answer[:2000]
    request.import_batch = import_batch
    sentence = answer
    if import_batch is not None:
        batch_day = timezone.localtime(import_batch.created_at)
        sentence += f" Importación corregida: {import_batch.get_kind_display()} «{import_batch.filename}» del {batch_day:%d/%m/%Y}."
    sentence += " Saldo del patrono recalculado."
    cleanup_request_transition(
        actor=actor, request=request, to_status=RequestStatus.RESOLVED, reason=sentence
    )
    if request.finding_id is not None:
        Finding.objects.filter(pk=request.finding_id).update(
            status=FindingStatus.RESOLVED, resolved_on=request.answered_on, updated_at=timezone.now()
        )
    schedule_balance_refresh(employer_ids=[request.employer_id])
    return request


@transaction.atomic
def cleanup_request_reject(*, actor: Any, request: CleanupRequest, reason: str) -> CleanupRequest:
    """Rejected with the reason; the finding stays open (a collector may send it again)."""
    _check_answerer(actor, request)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Escriba el motivo del rechazo.")
    request.answer = reason[:2000]
    request.resolution = ""
    return cleanup_request_transition(
        actor=actor, request=request, to_status=RequestStatus.REJECTED, reason=reason
    )


@transaction.atomic
def area_member_set(*, actor: Any, user: Any, area: str) -> AreaMember:
    """Put an "otras áreas" user in an area (the seed and the admin)."""
    if area not in AREA_LABELS:
        raise ApplicationError(f"Área desconocida: «{area}».")
    member, _ = AreaMember.objects.update_or_create(user=user, defaults={"area": area})
    record(
        actor=actor, action="hygiene.area_member_set", obj=member, after={"user": user.username, "area": area}
    )
    return member
