"""The publication scenario: three employers of `world` with their balance snapshots at the
selection date 28/06/2024 (a Friday), as the nightly recompute would publish them.

* own (San Salvador, gestor1): overdue $500.00, 3 months in arrears — exactly at both minimums.
* colleague (San Salvador, gestor2): overdue $499.99, 5 months — one cent under the minimum.
* elsewhere (Santa Ana): overdue $1,200.00, 4 months — a candidate of the department head only.
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cobranza.ledger.models import BalanceSnapshot
from tests.factories import make_balance_snapshot

SELECTED_ON = date(2024, 6, 28)  # Friday
# 10 business days after Friday 28/06/2024: 1-5 July (5) and 8-12 July (10) → Friday 12/07/2024.
DEADLINE = date(2024, 7, 12)
APPROVE_ON = date(2024, 7, 15)  # Monday, the first day after the deadline


def snapshot_at(employer, day, overdue, months):
    """The snapshot the recompute of `day` would write (the figures a frozen list copies)."""
    BalanceSnapshot.objects.filter(employer=employer).update(
        as_of=day,
        overdue_outstanding=Decimal(overdue),
        outstanding=Decimal(overdue),
        contribution_outstanding=Decimal(overdue),
        months_in_arrears=months,
        overdue_periods=1 if Decimal(overdue) > 0 else 0,
    )


@pytest.fixture
def pub(world, settings, tmp_path):
    settings.COBRANZA_BUSINESS_DATE = SELECTED_ON
    settings.MEDIA_ROOT = tmp_path
    make_balance_snapshot(world.own, overdue="500.00", months=3, oldest="2024-02", as_of=SELECTED_ON)
    make_balance_snapshot(world.colleague, overdue="499.99", months=5, oldest="2023-12", as_of=SELECTED_ON)
    make_balance_snapshot(world.elsewhere, overdue="1200.00", months=4, oldest="2024-01", as_of=SELECTED_ON)
    return SimpleNamespace(world=world, users=world.users, settings=settings)
