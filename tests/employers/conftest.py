"""Fixtures of the import tests: users, a small registry, and a helper that writes sample files."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from cobranza.common.roles import Role
from tests.factories import BranchFactory, EmployerFactory, make_user

IMPORT_DATA = Path(__file__).resolve().parents[1] / "data" / "import"
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
# "Today" of the import tests: payments after it are in the future, periods after 2024-12 too.
TODAY = date(2024, 12, 31)


@pytest.fixture
def importer_admin(db):
    return make_user("importador", Role.ADMIN)


@pytest.fixture
def importer_collector(db):
    return make_user("gestor_importa", Role.COLLECTOR)


@pytest.fixture
def registry(db):
    """Employers 100000001…100000005 of San Salvador, as in the worked examples."""
    branch = BranchFactory(code="san-salvador", name="San Salvador")
    employers = [
        EmployerFactory(employer_number=f"10000000{i}", legal_name=f"Patrono {i}", branch=branch)
        for i in range(1, 6)
    ]
    return SimpleNamespace(branch=branch, employers=employers)


@pytest.fixture
def sample(tmp_path) -> Callable[..., Path]:
    """Write a sample file: sample("pagos.csv", "payment_id,…\\n…", encoding="latin-1") → its path."""

    def write(name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.encode(encoding))
        return path

    return write
