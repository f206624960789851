"""Fixtures of the agreement tests: the worked examples loaded through the real importer."""

from datetime import date
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
IMPORT_TODAY = date(2026, 11, 24)


def load_examples() -> None:
    from cobranza.employers.imports import run_import

    for kind in ("employers", "declarations", "payments"):
        path = EXAMPLES / f"{kind}.csv"
        run_import(kind=kind, source=path, filename=path.name, actor=None, today=IMPORT_TODAY)


@pytest.fixture
def examples(db):
    load_examples()


@pytest.fixture
def agr(world):
    """`world` plus the worked examples; 100000002 (Textiles del Pacífico, $1,434.90 owed at
    30/06/2024) and 100000004 in gestor1's portfolio."""
    from types import SimpleNamespace

    from cobranza.employers.models import Employer
    from cobranza.portfolio.models import Assignment

    load_examples()
    e2 = Employer.objects.get(employer_number="100000002")
    e4 = Employer.objects.get(employer_number="100000004")
    for employer in (e2, e4):
        Assignment.objects.create(employer=employer, collector=world.users.gestor1, reason="prueba")
    return SimpleNamespace(world=world, users=world.users, e2=e2, e4=e4)
