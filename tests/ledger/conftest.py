"""Ledger fixtures: the worked examples (tests/data/examples) imported through the real import."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cobranza.employers.imports import run_import
from cobranza.engine.policy import default_policy
from cobranza.ledger.models import PolicyVersion
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
