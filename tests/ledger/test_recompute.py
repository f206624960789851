"""The balance recompute: snapshots equal the one-employer statements, idempotent, chunked, Celery."""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from cobranza.common.models import AuditEvent
from cobranza.employers.models import Employer
from cobranza.engine.money import cents_to_decimal
from cobranza.ledger import services, tasks
from cobranza.ledger.models import BalanceSnapshot, PolicyVersion
from cobranza.ledger.selectors import statement_for_employer
from tests.factories import EmployerFactory
from tests.ledger.helpers import EXAMPLE_EMPLOYERS, expected_cases, load_expected

AS_OF_DATES = sorted({as_of for _, as_of, _ in expected_cases()})
SNAPSHOT_FIELDS = (
    "as_of",
    "policy_version_id",
    "contribution_outstanding",
    "surcharge_outstanding",
    "fine_outstanding",
    "interest_outstanding",
    "outstanding",
    "overdue_outstanding",
    "current_outstanding",
    "worker_share_outstanding",
    "credit",
    "overdue_periods",
    "months_in_arrears",
    "oldest_unpaid_period",
    "last_payment_date",
)


def snapshots() -> dict[str, dict]:
    return {
        s.employer.employer_number: {f: getattr(s, f) for f in SNAPSHOT_FIELDS}
        for s in BalanceSnapshot.objects.select_related("employer")
    }


def expected_snapshot(employer: Employer, as_of: date, version: PolicyVersion) -> dict:
    """What the one-employer statement says, in the snapshot's terms."""
    summary = statement_for_employer(employer, as_of).summary()
    return {
        "as_of": as_of,
        "policy_version_id": version.pk,
        "contribution_outstanding": cents_to_decimal(summary.contribution_outstanding_cents),
        "surcharge_outstanding": cents_to_decimal(summary.surcharge_outstanding_cents),
        "fine_outstanding": cents_to_decimal(summary.fine_outstanding_cents),
        "interest_outstanding": cents_to_decimal(summary.interest_outstanding_cents),
        "outstanding": cents_to_decimal(summary.outstanding_cents),
        "overdue_outstanding": cents_to_decimal(summary.overdue_outstanding_cents),
        "current_outstanding": cents_to_decimal(summary.current_outstanding_cents),
        "worker_share_outstanding": cents_to_decimal(summary.worker_share_outstanding_cents),
        "credit": cents_to_decimal(summary.credit_cents),
        "overdue_periods": summary.overdue_periods,
        "months_in_arrears": summary.months_in_arrears,
        "oldest_unpaid_period": summary.oldest_unpaid_period or "",
        "last_payment_date": summary.last_payment_date,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_snapshots_equal_the_single_employer_statements(examples, default_policy_version, as_of):
    out = io.StringIO()
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=out)
    assert f"Saldos recalculados al {as_of:%d/%m/%Y} con la política 2024.1: 6 patronos" in out.getvalue()
    got = snapshots()
    assert set(got) == set(EXAMPLE_EMPLOYERS)
    for employer in Employer.objects.all():
        assert got[employer.employer_number] == expected_snapshot(employer, as_of, default_policy_version)
    # and the totals the worked examples expect at their dates
    for number, day, path in expected_cases():
        if day == as_of:
            totals = load_expected(path)["totals"]
            row = got[number]
            for key in (
                "contribution_outstanding",
                "surcharge_outstanding",
                "fine_outstanding",
                "outstanding",
                "credit",
            ):
                assert row[key] == Decimal(totals[key]), (number, key)


@pytest.mark.django_db
def test_recompute_is_idempotent_and_audited_once_per_run(examples):
    first = services.balances_recompute(actor=None, as_of=date(2024, 6, 30))
    before = snapshots()
    ids = set(BalanceSnapshot.objects.values_list("pk", flat=True))
    second = services.balances_recompute(actor=None, as_of=date(2024, 6, 30))
    assert snapshots() == before
    assert set(BalanceSnapshot.objects.values_list("pk", flat=True)) == ids  # updated in place
    assert (first.employers, first.period_rows, first.payments) == (
        second.employers,
        second.period_rows,
        second.payments,
    )
    assert (first.employers, first.period_rows, first.payments) == (6, 23, 12)
    # the run's sums are the one-employer statements' sums; "in arrears" means something overdue
    totals = [statement_for_employer(e, date(2024, 6, 30)).totals for e in Employer.objects.all()]
    assert first.in_arrears == sum(1 for t in totals if t.overdue_cents > 0)
    assert first.outstanding_cents == sum(t.outstanding_cents for t in totals)
    assert (first.overdue_cents, first.current_cents) == (
        sum(t.overdue_cents for t in totals),
        sum(t.current_cents for t in totals),
    )
    assert first.current_cents == 204_75  # 100000001's June 2024 payroll, due in July
    events = AuditEvent.objects.filter(action="balances.recomputed")
    assert events.count() == 2
    assert events.first().after["employers"] == 6
    assert events.first().after["period_rows"] == 23


@pytest.mark.django_db
def test_a_later_date_replaces_the_snapshot(examples):
    services.balances_recompute(actor=None, as_of=date(2023, 10, 15))
    assert snapshots()["100000004"]["outstanding"] == Decimal("394.38")
    services.balances_recompute(actor=None, as_of=date(2024, 6, 30))
    assert snapshots()["100000004"]["outstanding"] == Decimal("89.99")
    assert BalanceSnapshot.objects.count() == 6


@pytest.mark.django_db
def test_small_chunks_give_the_same_rows_and_report_progress(examples):
    EmployerFactory.create_batch(3)  # employers without declarations or payments: a zero snapshot
    calls: list[tuple[int, int]] = []
    result = services.balances_recompute(
        actor=None, as_of=date(2024, 6, 30), chunk_size=2, progress=lambda d, t: calls.append((d, t))
    )
    small = snapshots()
    assert result.chunks == 5 and result.employers == 9
    assert calls[0] == (0, 9) and calls[-1] == (9, 9)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    BalanceSnapshot.objects.all().delete()
    services.balances_recompute(actor=None, as_of=date(2024, 6, 30))
    assert snapshots() == small
    empty = [row for number, row in small.items() if number not in EXAMPLE_EMPLOYERS]
    assert len(empty) == 3
    assert all(r["outstanding"] == 0 and r["credit"] == 0 and r["last_payment_date"] is None for r in empty)


@pytest.mark.django_db
def test_only_the_given_employers(examples):
    wanted = list(
        Employer.objects.filter(employer_number__in=["100000002", "100000005"]).values_list("pk", flat=True)
    )
    result = services.balances_recompute(actor=None, as_of=date(2024, 6, 30), employer_ids=wanted)
    assert result.employers == 2
    assert sorted(snapshots()) == ["100000002", "100000005"]
    assert AuditEvent.objects.get(action="balances.recomputed").after["scope"] == "employer_ids"


@pytest.mark.django_db
def test_the_policy_in_force_at_the_date_is_used(examples, default_policy_version):
    newer = services.policy_version_create(
        actor=None,
        version="2024.2",
        effective_from=date(2024, 1, 1),
        parameters={"surcharge_monthly_rate": "0.02"},
        note="prueba",
        retroactive=True,  # 2024 is before the business date
        reason="prueba",
    )
    services.balances_recompute(actor=None, as_of=date(2024, 6, 30))
    row = BalanceSnapshot.objects.get(employer__employer_number="100000004")
    assert row.policy_version == newer
    employer = row.employer
    statement = statement_for_employer(employer, date(2024, 6, 30))
    assert statement.policy_version == "2024.2"
    assert snapshots()["100000004"] == expected_snapshot(employer, date(2024, 6, 30), newer)
    assert row.surcharge_outstanding > Decimal("6.35")
    services.balances_recompute(actor=None, as_of=date(2023, 10, 15))
    assert BalanceSnapshot.objects.get(employer=employer).policy_version == default_policy_version


@pytest.mark.django_db
def test_no_policy_in_force_is_a_spanish_error(examples):
    out = io.StringIO()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No hay una versión de la política vigente al 01/01/2010"):
        call_command("recompute", "--as-of", "2010-01-01", stdout=out)
    with pytest.raises(CommandError, match="Fecha inválida"):
        call_command("recompute", "--as-of", "2024-13-01", stdout=out)


@pytest.mark.django_db
def test_celery_tasks_eager(examples, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    tasks.recompute_all.delay(as_of="2024-06-30")
    assert snapshots()["100000004"]["outstanding"] == Decimal("89.99")
    event = AuditEvent.objects.get(action="balances.recomputed")
    assert event.after["employers"] == 6 and event.after["period_rows"] == 23
    one = Employer.objects.get(employer_number="100000002")
    counts = tasks.recompute_chunk.delay(as_of="2024-01-31", employer_ids=[one.pk]).get()
    assert counts["employers"] == 1
    assert snapshots()["100000002"]["as_of"] == date(2024, 1, 31)


def test_beat_runs_the_recompute_nightly_at_half_past_one():
    from cobranza.config.celery import app

    entry = app.conf.beat_schedule["recalcular-saldos-cada-noche"]
    assert entry["task"] == tasks.recompute_all.name
    schedule = entry["schedule"]
    assert schedule.hour == {1} and schedule.minute == {30}
    assert str(app.conf.timezone) == "America/El_Salvador"


REDIS_URL = os.environ.get("COBRANZA_TEST_REDIS_URL", "")


@pytest.mark.celery_real
@pytest.mark.skipif(
    not REDIS_URL,
    reason="Defina COBRANZA_TEST_REDIS_URL (p. ej. redis://127.0.0.1:6379/15) para probar con un worker real",
)
@pytest.mark.django_db(transaction=True)
def test_recompute_through_a_real_worker(default_policy_version):
    """A real Redis broker and a real worker thread (not eager): recompute_all → chunks → callback."""
    import uuid

    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from cobranza.config.celery import app as main_app
    from cobranza.employers.imports import run_import
    from tests.ledger.helpers import EXAMPLES

    for kind in ("employers", "declarations", "payments"):
        run_import(kind=kind, source=EXAMPLES / f"{kind}.csv")
    EmployerFactory.create_batch(3)

    # The project's configuration with a real broker and result backend, not eager, on a queue of
    # its own; the project's tasks are shared tasks, so this app runs the very same code.
    redis_app = Celery("cobranza-prueba-redis", set_as_current=False)
    redis_app.config_from_object("django.conf:settings", namespace="CELERY")
    redis_app.conf.update(
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        task_always_eager=False,
        task_default_queue=f"cobranza-prueba-{uuid.uuid4().hex[:8]}",
    )

    def close_worker_connections(**kwargs):  # the worker threads' own database connections
        connections.close_all()

    saved_chunk = services.CHUNK_SIZE
    services.CHUNK_SIZE = 3  # several chunks, so the chord really fans out
    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(
            redis_app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
        ):
            chord_id = redis_app.tasks[tasks.recompute_all.name].delay(as_of="2024-06-30").get(timeout=60)
            outcome = redis_app.AsyncResult(chord_id).get(timeout=120)
    finally:
        task_postrun.disconnect(close_worker_connections)
        services.CHUNK_SIZE = saved_chunk
        main_app.set_current()
        main_app.set_default()
        redis_app.close()
    assert outcome["employers"] == 9
    assert outcome["period_rows"] == 23
    rows = snapshots()
    assert len(rows) == 9
    for number in EXAMPLE_EMPLOYERS:
        employer = Employer.objects.get(employer_number=number)
        assert rows[number] == expected_snapshot(employer, date(2024, 6, 30), default_policy_version)
    event = AuditEvent.objects.get(action="balances.recomputed")
    assert event.after["chunks"] == 3


@pytest.mark.django_db
def test_periods_frozen_by_an_agreement_are_honoured_by_statement_and_recompute(examples, world):
    """SPEC §6: the periods of a signed agreement stop accruing at the draft's date; the batch has no
    agreements, so the recompute computes those employers one by one (with the ledger's agreement
    terms and their interest line) and must still equal the statement."""
    employer = Employer.objects.get(employer_number="100000004")
    as_of = date(2024, 6, 30)
    before = statement_for_employer(employer, as_of).line("2023-12")
    services.agreement_terms_record(
        actor=world.users.jefe,
        employer=employer,
        number="CP-000099",
        drafted_on=date(2024, 2, 28),
        signed_on=date(2024, 2, 29),
        periods=["2023-12"],
        down_payment_cents=5000,
        down_payment_payment_id="E4-3",
        installments=[
            services.InstallmentTerms(1, date(2024, 3, 31), 2300, 88),
            services.InstallmentTerms(2, date(2024, 4, 30), 2300, 59),
            services.InstallmentTerms(3, date(2024, 5, 31), 2400, 30),
        ],
    )
    frozen = statement_for_employer(employer, as_of)
    line = frozen.line("2023-12")
    assert line.frozen_on == date(2024, 2, 28) and line.agreement == "CP-000099"
    assert frozen.agreements[0].interest_cents == 88 + 59 + 30
    assert line.surcharge_cents < before.surcharge_cents
    services.balances_recompute(actor=None, as_of=as_of)
    assert snapshots()["100000004"] == expected_snapshot(employer, as_of, PolicyVersion.objects.get())
    assert snapshots()["100000004"]["outstanding"] == cents_to_decimal(frozen.totals.outstanding_cents)
    # the others still come from the batch, unchanged
    other = Employer.objects.get(employer_number="100000002")
    assert snapshots()["100000002"] == expected_snapshot(other, as_of, PolicyVersion.objects.get())
