"""The demo data of account hygiene, for `cobranza seed` (one hook call at its end).

``seed_demo(today=…)``:

1. the three "otras áreas" users ``afiliacion``, ``contabilidad``, ``inspeccion`` (password demo),
   each in its area;
2. a few discrepancies of every kind put into the synthetic portfolio through the ordinary imports
   (a declaration corrected with a wrong contribution, payments for an undeclared period and for a
   period before the registration, a payment entered twice, an old credit of a closed employer, a
   debtor registered as closed), since the synthetic files are consistent by construction;
3. a scan 40 days back (its automatic requests are overdue today) and one today;
4. requests in every state: pending, overdue, resolved with a note, resolved by the corrected
   import, rejected.

Idempotent enough for `seed --if-empty`: a second call finds the users, the imported rows (natural
keys) and the findings (stable keys) already there.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from cobranza.common.roles import Role
from cobranza.employers.models import Employer, ImportBatch
from cobranza.engine.calendar import add_months
from cobranza.hygiene.models import Area, CleanupRequest, Finding, FindingStatus, FindingType, RequestStatus

AREA_USERS = (
    ("afiliacion", Area.AFILIACION, "Lucía Beatriz", "Campos de Aguilar"),
    ("contabilidad", Area.CONTABILIDAD, "Óscar Armando", "Villalta Rosales"),
    ("inspeccion", Area.INSPECCION, "René Alfredo", "Sosa Martínez"),
)
DECLARATION_COLUMNS = [
    "employer_number",
    "period",
    "workers",
    "salary_base",
    "employer_contribution",
    "worker_contribution",
    "filed_on",
    "origin",
]
PAYMENT_COLUMNS = ["payment_id", "employer_number", "paid_on", "amount", "period", "channel", "reference"]
EMPLOYER_COLUMNS = [
    "employer_number",
    "nit",
    "legal_name",
    "trade_name",
    "sector",
    "branch",
    "address",
    "phone",
    "email",
    "legal_representative",
    "status",
    "registered_on",
]


def area_users() -> dict[str, User]:
    from cobranza.hygiene.services import area_member_set
    from cobranza.portfolio.services import staff_user_upsert

    users = {}
    demo_hash = make_password("demo")
    for username, area, first, last in AREA_USERS:
        exists = User.objects.filter(username=username).exists()
        user = staff_user_upsert(
            actor=None,
            username=username,
            password=None,
            password_hash=None if exists else demo_hash,
            roles=[Role.OTHER_AREAS],
            branch=None,
            first_name=first,
            last_name=last,
        )
        area_member_set(actor=None, user=user, area=area)
        users[username] = user
    return users


def _write(path: Path, columns: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def _period(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _discrepancies(*, today: date, folder: Path) -> tuple[list[int], ImportBatch | None]:
    """Import a few inconsistent rows; returns the employers touched and the declarations batch."""
    from cobranza.employers.imports import run_import
    from cobranza.ledger.models import Declaration

    past = today - timedelta(days=45)
    active = list(
        Employer.objects.filter(status="active", registered_on__isnull=False, declarations__isnull=False)
        .distinct()
        .order_by("employer_number")[:40]
    )
    closed = list(Employer.objects.filter(status="closed").order_by("employer_number")[:2])
    debtors = list(
        Employer.objects.filter(status="active", balance__overdue_outstanding__gt=0)
        .exclude(pk__in=[e.pk for e in active])
        .order_by("employer_number")[:2]
    )
    if len(active) < 12:
        return [], None
    touched: list[int] = []
    # Declarations corrected with a contribution $5.00 / $12.50 off the rates.
    rows = []
    for employer, extra in ((active[0], Decimal("5.00")), (active[1], Decimal("12.50"))):
        d = (
            Declaration.objects.filter(employer=employer, period__lte=_period(past))
            .order_by("-period")
            .first()
        )
        if d is None:
            continue
        rows.append(
            [
                employer.employer_number,
                d.period,
                d.workers,
                d.salary_base,
                d.employer_contribution + extra,
                d.worker_contribution,
                (d.filed_on or past).isoformat(),
                d.origin,
            ]
        )
        touched.append(employer.pk)
    batch = None
    if rows:
        result = run_import(
            kind="declarations",
            source=_write(folder / "correcciones.csv", DECLARATION_COLUMNS, rows),
            filename="correcciones-depuracion-demo.csv",
            actor=None,
            today=today,
        )
        batch = ImportBatch.objects.filter(pk=result.batch_id).first()
    payments = []
    for i, employer in enumerate(active[2:4]):  # a period before its first declaration: undeclared
        first = Declaration.objects.filter(employer=employer).order_by("period").first()
        assert first is not None
        y, m = int(first.period[:4]), int(first.period[5:7])
        period = f"{y - 1:04d}-{m:02d}" if y > 1955 else first.period
        payments.append(
            [f"DEP-SINPLANILLA-{i + 1}", employer.employer_number, past, "87.30", period, "ventanilla", ""]
        )
    for i, employer in enumerate(active[4:6]):  # before its registration: outside its life
        registered = employer.registered_on
        assert registered is not None
        payments.append(
            [
                f"DEP-FUERA-{i + 1}",
                employer.employer_number,
                past,
                "45.00",
                _period(add_months(registered, -3)),
                "banco",
                "",
            ]
        )
    for i, employer in enumerate(active[6:8]):  # entered twice
        for copy in ("A", "B"):
            payments.append(
                [
                    f"DEP-DOBLE-{i + 1}{copy}",
                    employer.employer_number,
                    past,
                    "152.25",
                    "",
                    "banco",
                    "pago planilla",
                ]
            )
    for i, employer in enumerate(closed):  # an old credit of a closed employer
        payments.append(
            [
                f"DEP-SALDOFAVOR-{i + 1}",
                employer.employer_number,
                add_months(today, -9),
                "230.00",
                "",
                "banco",
                "",
            ]
        )
    for row in payments:
        row[2] = row[2].isoformat()
        touched.append(Employer.objects.get(employer_number=row[1]).pk)
    run_import(
        kind="payments",
        source=_write(folder / "pagos.csv", PAYMENT_COLUMNS, payments),
        filename="pagos-depuracion-demo.csv",
        actor=None,
        today=today,
    )
    # Debtors registered as closed.
    rows = []
    for employer in debtors:
        rows.append(
            [
                employer.employer_number,
                employer.nit,
                employer.legal_name,
                employer.trade_name,
                employer.sector.name if employer.sector else "",
                employer.branch.name,
                employer.address,
                employer.phone,
                employer.email,
                employer.legal_representative,
                "closed",
                employer.registered_on.isoformat() if employer.registered_on else "",
            ]
        )
        touched.append(employer.pk)
    if rows:
        run_import(
            kind="employers",
            source=_write(folder / "patronos.csv", EMPLOYER_COLUMNS, rows),
            filename="patronos-cierres-demo.csv",
            actor=None,
            today=today,
        )
    return sorted(set(touched)), batch


@dataclass(frozen=True)
class DemoSummary:
    findings: int
    requests: int
    by_status: dict[str, int]

    def lines(self) -> list[str]:
        states = ", ".join(f"{n} {label.lower()}" for label, n in self.by_status.items())
        return [
            f"Depuración de cuentas: {self.findings} hallazgos, {self.requests} solicitudes ({states}).",
            "  afiliacion, contabilidad, inspeccion   Otras áreas (contraseña: demo)",
        ]


def _summary() -> DemoSummary:
    labels = dict(RequestStatus.choices)
    counts = {labels[s]: CleanupRequest.objects.filter(status=s).count() for s in RequestStatus.values}
    return DemoSummary(
        findings=Finding.objects.count(), requests=CleanupRequest.objects.count(), by_status=counts
    )


def seed_demo(*, today: date, users: dict[str, User] | None = None) -> DemoSummary:
    """Users, discrepancies, two scans and requests in every state (see the module docstring);
    a `cobranza seed` hook (`DEMO_HOOKS`)."""
    from cobranza.hygiene.services import (
        cleanup_request_create,
        cleanup_request_reject,
        cleanup_request_resolve,
        hygiene_scan,
    )
    from cobranza.ledger.services import balances_recompute

    area = area_users()
    if Finding.objects.exists():
        return _summary()
    with tempfile.TemporaryDirectory(prefix="cobranza-depuracion-") as folder:
        touched, batch = _discrepancies(today=today, folder=Path(folder))
    if touched:
        balances_recompute(actor=None, as_of=today, employer_ids=touched)
    hygiene_scan(actor=None, as_of=today - timedelta(days=40))
    hygiene_scan(actor=None, as_of=today)
    head = (users or {}).get("jefe") or User.objects.filter(username="jefe").first()
    open_findings = Finding.objects.filter(status=FindingStatus.OPEN).exclude(
        requests__status=RequestStatus.PENDING
    )
    by_type = {
        kind: list(open_findings.filter(finding_type=kind).order_by("key")[:3]) for kind in FindingType.values
    }
    sent = []
    for kind in (FindingType.RATE_MISMATCH, FindingType.CLOSED_WITH_DEBT, FindingType.STALE_CREDIT):
        for finding in by_type.get(kind, [])[:2]:
            sent.append(
                cleanup_request_create(
                    actor=head,
                    employer=finding.employer,
                    finding=finding,
                    note="Revisar y corregir la cuenta del patrono antes de seguir la gestión de cobro.",
                )
            )
    # Each demo collector asks afiliación about one employer of its own portfolio (from the case
    # file), so "Solicitudes de depuración" shows the collector's own requests.
    from cobranza.portfolio.models import Assignment

    for username in ("gestor1", "gestor2"):
        collector = (users or {}).get(username) or User.objects.filter(username=username).first()
        if collector is None:
            continue
        held = (
            Assignment.objects.filter(collector=collector, end_on__isnull=True)
            .order_by("employer__employer_number")
            .select_related("employer")
            .first()
        )
        if held is not None:
            sent.append(
                cleanup_request_create(
                    actor=collector,
                    employer=held.employer,
                    area=Area.AFILIACION,
                    note="El patrono dice que dio de baja a dos trabajadores; confirmar la planilla vigente.",
                )
            )
    # Answers: one of each kind where there is something to answer.
    afiliacion, contabilidad = area["afiliacion"], area["contabilidad"]
    rate = [r for r in sent if r.finding and r.finding.finding_type == FindingType.RATE_MISMATCH]
    if rate and batch is not None:
        cleanup_request_resolve(
            actor=afiliacion,
            request=rate[0],
            answer="Planilla corregida por el patrono y cargada de nuevo.",
            import_batch=batch,
        )
    closed = [r for r in sent if r.finding and r.finding.finding_type == FindingType.CLOSED_WITH_DEBT]
    if closed:
        cleanup_request_reject(
            actor=afiliacion,
            request=closed[0],
            reason="El cierre está documentado; la deuda debe cobrarse por la vía judicial.",
        )
    duplicates = CleanupRequest.objects.filter(
        status=RequestStatus.PENDING, finding__finding_type=FindingType.DUPLICATE_PAYMENT
    ).order_by("id")
    first = duplicates.first()
    if first is not None:
        cleanup_request_resolve(
            actor=contabilidad,
            request=first,
            answer="El banco confirmó el pago doble; se acreditó el segundo al período siguiente.",
        )
    return _summary()
