"""Ledger fixtures: the worked examples (tests/data/examples) imported through the real import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cobranza.employers.imports import run_import
from cobranza.engine.policy import default_policy
from cobranza.ledger.models import PolicyVersion
from tests.factories import DeclarationFactory, EmployerFactory, PaymentFactory
from tests.ledger.helpers import EXAMPLE_EMPLOYERS, EXAMPLES


@pytest.fixture
def default_policy_version(db) -> PolicyVersion:
    """The migration's first version (re-created if a transactional test flushed it)."""
    policy = default_policy()
    version, _ = PolicyVersion.objects.get_or_create(
        version=policy.version,
        defaults={"effective_from": policy.effective_from, "parameters": policy.to_dict()},
    )
    return version


@pytest.fixture
def examples(default_policy_version) -> SimpleNamespace:
    """The five example employers with their declarations and payments, imported like a user's files."""
    results = {
        kind: run_import(kind=kind, source=EXAMPLES / f"{kind}.csv")
        for kind in ("employers", "declarations", "payments")
    }
    return SimpleNamespace(results=results, numbers=EXAMPLE_EMPLOYERS)


@pytest.fixture
def overdue_and_current(default_policy_version):
    """Two employers as of 05/06/2024 (worked by hand in tests/ledger/test_snapshot_overdue_current.py):
    400000001 owes 2024-04 (partly paid, overdue $85.85) and 2024-05 (not yet due, $105.00), worker
    share not remitted $40.00; 400000002 owes only 2024-05 ($105.00 not yet due)."""
    mixed = EmployerFactory(employer_number="400000001", legal_name="Mixta, S.A. de C.V.")
    DeclarationFactory(employer=mixed, period="2024-04", filed_on=date(2024, 5, 3))
    DeclarationFactory(employer=mixed, period="2024-05", filed_on=date(2024, 6, 3))
    PaymentFactory(
        employer=mixed, payment_id="M-1", paid_on=date(2024, 5, 6), amount=Decimal("20.00"), period="2024-04"
    )
    current_only = EmployerFactory(employer_number="400000002", legal_name="Al Día, S.A. de C.V.")
    DeclarationFactory(employer=current_only, period="2024-05", filed_on=date(2024, 6, 3))
    return mixed, current_only
