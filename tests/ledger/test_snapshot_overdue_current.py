"""The recompute splits each snapshot's outstanding into overdue (exigible) and current (not yet due)
and writes the worker share withheld and not remitted (SPEC §5 "overdue vs current", "worker share").

The worked scenario (fixture `overdue_and_current` in conftest.py; default policy 2024.1: due on the 10th business day of the next month,
surcharge 1 % per month or fraction, fine only for late payrolls, worker share paid first), as of
05/06/2024:

- 2024-04: contribution $105.00 ($75.00 employer + $30.00 worker), filed on time, due in mid-May.
  $20.00 paid on 06/05/2024, before the due date, referencing it: contribution outstanding $85.00,
  1 month late at 05/06/2024, surcharge round(85.00 × 1 × 1 %) = $0.85, no fine → outstanding
  $85.85, status partial: **overdue $85.85**. Worker share $30.00, of which $20.00 paid → $10.00.
- 2024-05: contribution $105.00, filed on time, due in mid-June (after 05/06/2024), nothing paid →
  not due: **current $105.00**, no surcharge. Worker share not remitted $30.00.

So: outstanding $190.85 = overdue $85.85 + current $105.00; worker share not remitted $40.00; the
employer is in arrears (one overdue period, one month).
A second employer owes only 2024-05 ($105.00 not yet due): outstanding $105.00, all of it current,
not in arrears.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from cobranza.common.models import AuditEvent
from cobranza.ledger import services, tasks
from cobranza.ledger.models import BalanceSnapshot
from cobranza.ledger.selectors import statement_for_employer

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 5)
SPLIT = ("outstanding", "overdue_outstanding", "current_outstanding", "worker_share_outstanding")


def split(employer) -> tuple[Decimal, ...]:
    row = BalanceSnapshot.objects.get(employer=employer)
    return tuple(getattr(row, f) for f in SPLIT)


MIXED = (Decimal("190.85"), Decimal("85.85"), Decimal("105.00"), Decimal("40.00"))
CURRENT_ONLY = (Decimal("105.00"), Decimal("0.00"), Decimal("105.00"), Decimal("30.00"))


def test_the_hand_computed_scenario_is_what_the_statement_says(overdue_and_current):
    mixed, _ = overdue_and_current
    statement = statement_for_employer(mixed, AS_OF)
    assert [(ln.period, ln.status) for ln in statement.periods] == [
        ("2024-04", "partial"),
        ("2024-05", "not_due"),
    ]
    t = statement.totals
    assert (t.outstanding_cents, t.overdue_cents, t.current_cents, t.worker_share_outstanding_cents) == (
        19085,
        8585,
        10500,
        4000,
    )


def test_batch_path_writes_overdue_current_and_worker_share(overdue_and_current):
    mixed, current_only = overdue_and_current
    result = services.balances_recompute(actor=None, as_of=AS_OF)
    assert split(mixed) == MIXED
    assert split(current_only) == CURRENT_ONLY
    assert BalanceSnapshot.objects.get(employer=current_only).overdue_periods == 0
    assert (result.in_arrears, result.overdue_cents, result.current_cents, result.outstanding_cents) == (
        1,  # the employer owing only what is not yet due is not in arrears
        8585,
        21000,
        29585,
    )


def test_one_by_one_path_writes_the_same_split(overdue_and_current, monkeypatch):
    """Employers with agreements are computed with `compute_statement`, one by one, and their rows
    replace the batch's: the same figures, so the rows must be exactly the batch's."""
    mixed, current_only = overdue_and_current
    monkeypatch.setattr(services, "employers_with_agreements", lambda **kwargs: [mixed.pk, current_only.pk])
    monkeypatch.setattr(services, "agreements_in", lambda employer, as_of: [])
    result = services.balances_recompute(actor=None, as_of=AS_OF)
    assert split(mixed) == MIXED
    assert split(current_only) == CURRENT_ONLY
    assert (result.in_arrears, result.overdue_cents, result.current_cents) == (1, 8585, 21000)


def test_summary_shows_overdue_and_current_apart_in_the_command_and_the_audit(overdue_and_current):
    out = io.StringIO()
    call_command("recompute", "--as-of", "05/06/2024", stdout=out)
    assert "1 patronos en mora, saldo exigible $85.85 y corriente (no vencido) $210.00;" in out.getvalue()
    assert "saldo pendiente total" not in out.getvalue()
    event = AuditEvent.objects.get(action="balances.recomputed")
    assert "saldo exigible $85.85 y corriente (no vencido) $210.00" in event.reason
    assert (event.after["overdue"], event.after["current"], event.after["outstanding"]) == (
        "85.85",
        "210.00",
        "295.85",
    )


def test_celery_chunks_carry_the_split_to_the_run_summary(overdue_and_current):
    counts = tasks.recompute_chunk.delay(as_of=AS_OF.isoformat(), first_id=0, last_id=10**9).get()
    assert (counts["overdue_cents"], counts["current_cents"], counts["in_arrears"]) == (8585, 21000, 1)
    summary = tasks.recompute_finished([counts], as_of=AS_OF.isoformat(), policy_version="2024.1", started=0)
    assert "saldo exigible $85.85 y corriente (no vencido) $210.00" in summary["summary"]
    assert services.ChunkResult.from_dict(counts).to_dict() == counts


def test_the_refresh_after_an_import_writes_the_split(
    overdue_and_current, django_capture_on_commit_callbacks
):
    """An import schedules the refresh of its employers' snapshots after commit: the same chunk
    recompute (through the Celery task), so the refreshed row has the split too."""
    mixed, current_only = overdue_and_current
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.schedule_balance_refresh(employer_ids=[mixed.pk], as_of=AS_OF)
    assert len(callbacks) == 1
    assert split(mixed) == MIXED
    assert not BalanceSnapshot.objects.filter(employer=current_only).exists()
