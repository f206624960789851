"""A full recompute is atomic for readers, whatever its chunking (issue 10, item 4).

The portfolio: `N` employers, each with one declaration of January 2024 filed on 05/02/2024 —
employer $75.00 + worker $30.00 = $105.00 of contribution, due on 14/02/2024, no payment.

- As of 10/02/2024 (`FIRST`) nothing is due yet: saldo corriente $105.00, exigible $0.00,
  pendiente $105.00.
- As of 01/03/2024 (`SECOND`) January is overdue with 1 % of surcharge: $105.00 + $1.05 = $106.05,
  all of it exigible.

A run that stops after some chunks (an exception here; `kill -9` of the command on PostgreSQL
below) leaves every reader on the complete previous generation (all `N` rows at 10/02/2024); the
next run publishes all `N` rows at 01/03/2024 and deletes the orphan rows of the stopped run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from cobranza.employers.models import Employer
from cobranza.ledger import services, tasks
from cobranza.ledger.models import (
    BalanceSnapshot,
    BalanceSnapshotDraft,
    Declaration,
    SnapshotGeneration,
    SnapshotGenerationState,
)
from cobranza.ledger.selectors import visible_balances
from tests.factories import BranchFactory, SectorFactory, make_user

FIRST = date(2024, 2, 10)
SECOND = date(2024, 3, 1)
STATE = SnapshotGenerationState


@pytest.fixture
def jefe(db):
    """A department head: sees every employer."""
    from cobranza.common.roles import Role

    return make_user("jefe", Role.DEPARTMENT_HEAD)


def seed(n: int) -> list[int]:
    branch, sector = BranchFactory(code="sonsonate-gen", name="Sonsonate (generaciones)"), SectorFactory()
    employers = Employer.objects.bulk_create(
        Employer(
            employer_number=f"{500000000 + i}",
            legal_name=f"Patrono de prueba {i}, S.A. de C.V.",
            branch=branch,
            sector=sector,
        )
        for i in range(n)
    )
    Declaration.objects.bulk_create(
        Declaration(
            employer=e,
            period="2024-01",
            workers=2,
            salary_base=Decimal("1000.00"),
            employer_contribution=Decimal("75.00"),
            worker_contribution=Decimal("30.00"),
            filed_on=date(2024, 2, 5),
            origin="employer",
        )
        for e in employers
    )
    return [e.pk for e in employers]


def published() -> dict[int, tuple[date, Decimal, Decimal, Decimal, int | None]]:
    return {
        row["employer_id"]: (
            row["as_of"],
            row["outstanding"],
            row["overdue_outstanding"],
            row["current_outstanding"],
            row["generation_id"],
        )
        for row in BalanceSnapshot.objects.values(
            "employer_id",
            "as_of",
            "outstanding",
            "overdue_outstanding",
            "current_outstanding",
            "generation_id",
        )
    }


def assert_complete(ids: list[int], as_of: date, generation: SnapshotGeneration, user) -> None:
    """Every reader's view: one row per employer, all of `generation`, all with its figures."""
    figures = {
        FIRST: (Decimal("105.00"), Decimal("0.00"), Decimal("105.00")),
        SECOND: (Decimal("106.05"), Decimal("106.05"), Decimal("0.00")),
    }[as_of]
    rows = published()
    assert sorted(rows) == sorted(ids)
    assert set(rows.values()) == {(as_of, *figures, generation.pk)}
    assert SnapshotGeneration.objects.get(state=STATE.CURRENT) == generation
    seen = visible_balances(user=user)  # what the lists, worklists and reports start from
    assert seen.count() == len(ids) and {b.as_of for b in seen} == {as_of}
    listed = Employer.objects.filter(pk__in=ids).select_related("balance")
    assert {e.balance.outstanding for e in listed} == {figures[0]}


@pytest.mark.django_db
def test_a_run_that_stops_midway_leaves_the_previous_generation_and_the_next_run_completes(
    jefe, default_policy_version, monkeypatch
):
    ids = seed(50)
    first = services.balances_recompute(actor=None, as_of=FIRST, chunk_size=10)
    assert first.employers == 50 and first.chunks == 5
    g1 = SnapshotGeneration.objects.get()
    assert (g1.state, g1.employers, g1.chunks) == (STATE.CURRENT, 50, 5)
    assert_complete(ids, FIRST, g1, jefe)
    assert not BalanceSnapshotDraft.objects.exists()  # staged rows deleted once published

    real_chunk = services.balances_recompute_chunk
    calls = []

    def dies_on_the_third_chunk(**kwargs):
        calls.append(kwargs["id_range"])
        if len(calls) == 3:
            raise RuntimeError("el proceso murió")
        return real_chunk(**kwargs)

    monkeypatch.setattr(services, "balances_recompute_chunk", dies_on_the_third_chunk)
    with pytest.raises(RuntimeError):
        services.balances_recompute(actor=None, as_of=SECOND, chunk_size=10)
    monkeypatch.setattr(services, "balances_recompute_chunk", real_chunk)
    g2 = SnapshotGeneration.objects.get(state=STATE.BUILDING)
    assert BalanceSnapshotDraft.objects.filter(generation=g2).count() == 20  # two chunks staged
    assert_complete(ids, FIRST, g1, jefe)  # readers: still all of the first run

    services.balances_recompute(actor=None, as_of=SECOND, chunk_size=10)
    g3 = SnapshotGeneration.objects.get(state=STATE.CURRENT)
    assert_complete(ids, SECOND, g3, jefe)
    g1.refresh_from_db()
    g2.refresh_from_db()
    assert (g1.state, g2.state) == (STATE.SUPERSEDED, STATE.ABANDONED)
    assert not BalanceSnapshotDraft.objects.exists()  # the stopped run's orphans are gone too


@pytest.mark.django_db
def test_a_refresh_updates_the_current_generation_in_place_and_a_later_publish_keeps_it(
    jefe, default_policy_version
):
    """A refresh that began after a run began wins over that run's row: publishing never puts
    back an older computation."""
    ids = seed(3)
    services.balances_recompute(actor=None, as_of=FIRST)
    g1 = SnapshotGeneration.objects.get(state=STATE.CURRENT)
    # A run begins (one chunk staged, not published yet) ...
    version = services.policy_version_for(SECOND)
    run = services.snapshot_generation_start(
        as_of=SECOND, version=version, started_at=services.timezone.now()
    )
    services.balances_recompute_chunk(
        as_of=SECOND,
        version=version,
        id_range=(ids[0], ids[-1]),
        generation_id=run.pk,
        computed_at=run.started_at,
    )
    assert {r[0] for r in published().values()} == {FIRST}  # staged rows are invisible
    # ... then one employer's balance is refreshed (a payment arrived): in place, in g1.
    tasks.recompute_chunk.delay(as_of="2024-03-02", employer_ids=[ids[0]])
    assert published()[ids[0]][0] == date(2024, 3, 2) and published()[ids[0]][4] == g1.pk
    services.balances_recompute_publish(
        actor=None,
        generation_id=run.pk,
        result=services.RecomputeResult.combine(
            as_of=SECOND,
            policy_version=version.version,
            chunks=[services.ChunkResult(3, 3, 0, 3, 0, 0)],
            seconds=0,
        ),
    )
    rows = published()
    assert rows[ids[0]][0] == date(2024, 3, 2)  # the later refresh kept
    assert {rows[i][0] for i in ids[1:]} == {SECOND}
    assert {r[4] for r in rows.values()} == {run.pk}  # every published row now of the new generation


@pytest.mark.django_db
def test_publishing_is_refused_when_rows_are_missing_or_a_later_run_published(default_policy_version):
    from cobranza.common.errors import ApplicationError

    ids = seed(4)
    version = services.policy_version_for(FIRST)
    old = services.snapshot_generation_start(as_of=FIRST, version=version, started_at=services.timezone.now())
    services.balances_recompute_chunk(
        as_of=FIRST, version=version, id_range=(ids[0], ids[1]), generation_id=old.pk
    )
    counts = services.RecomputeResult.combine(
        as_of=FIRST,
        policy_version=version.version,
        chunks=[services.ChunkResult(4, 4, 0, 0, 0, 0)],
        seconds=0,
    )
    with pytest.raises(ApplicationError, match="está incompleta: se calcularon 4 patronos pero hay 2 saldos"):
        services.balances_recompute_publish(actor=None, generation_id=old.pk, result=counts)
    assert not BalanceSnapshot.objects.exists()
    services.balances_recompute(actor=None, as_of=FIRST)  # a later run publishes
    with pytest.raises(ApplicationError, match=r"ya no está en cálculo \(abandonada"):
        services.balances_recompute_publish(actor=None, generation_id=old.pk, result=counts)


@pytest.mark.django_db
def test_the_celery_chord_stages_its_chunks_and_its_callback_publishes(
    jefe, default_policy_version, monkeypatch
):
    ids = seed(7)
    monkeypatch.setattr(services, "CHUNK_SIZE", 3)  # three chunks
    tasks.recompute_all.delay(as_of=SECOND.isoformat())
    generation = SnapshotGeneration.objects.get(state=STATE.CURRENT)
    assert (generation.employers, generation.chunks) == (7, 3)
    assert_complete(ids, SECOND, generation, jefe)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "Necesita PostgreSQL: la base de pruebas de SQLite vive en la memoria del proceso de pytest y "
        "un subproceso no puede verla (la prueba en el mismo proceso de arriba cubre SQLite)."
    ),
)
@pytest.mark.django_db(transaction=True)
def test_kill_9_during_the_recompute_command_leaves_the_previous_generation(
    jefe, default_policy_version, tmp_path
):
    """`cobranza recompute --chunk-size 200` over 1,200 employers (six chunks), killed with SIGKILL
    after two chunks were staged: readers still see all 1,200 rows of the previous run; the next
    run completes."""
    ids = seed(1200)
    services.balances_recompute(actor=None, as_of=FIRST)
    g1 = SnapshotGeneration.objects.get(state=STATE.CURRENT)
    assert_complete(ids, FIRST, g1, jefe)

    env = {**os.environ, "DATABASE_URL": _database_url(), "COBRANZA_DATA_DIR": str(tmp_path)}
    command = [
        sys.executable,
        "-m",
        "cobranza.cli",
        "recompute",
        "--as-of",
        SECOND.isoformat(),
        "--chunk-size",
        "200",
    ]
    process = subprocess.Popen(
        [*command, "--pause", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 300
        while BalanceSnapshotDraft.objects.count() < 400:
            assert process.poll() is None, process.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "el recálculo no avanzó"
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    killed = SnapshotGeneration.objects.get(state=STATE.BUILDING)
    assert 400 <= BalanceSnapshotDraft.objects.filter(generation=killed).count() < 1200
    assert_complete(ids, FIRST, g1, jefe)  # nothing of the killed run is visible

    done = subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    # the command is incremental by default: every employer is recomputed here (new data since g1)
    assert "Saldos actualizados al 01/03/2024" in done.stdout.decode(), done.stdout.decode()
    assert "1,200 de 1,200 patronos recalculados" in done.stdout.decode()
    assert "Traceback" not in done.stderr.decode() and "Error" not in done.stderr.decode()
    g3 = SnapshotGeneration.objects.get(state=STATE.CURRENT)
    assert_complete(ids, SECOND, g3, jefe)
    killed.refresh_from_db()
    assert killed.state == STATE.ABANDONED
    assert not BalanceSnapshotDraft.objects.exists()
