"""Fixtures for portfolio services: two branches, collectors, a branch head, employers."""

from types import SimpleNamespace

import pytest

from cobranza.common.roles import Role
from tests.factories import BranchFactory, EmployerFactory, make_user


@pytest.fixture
def staff(db):
    ss = BranchFactory(code="san-salvador", name="San Salvador")
    sa = BranchFactory(code="santa-ana", name="Santa Ana", department="Santa Ana")
    return SimpleNamespace(
        ss=ss,
        sa=sa,
        admin=make_user("admin", Role.ADMIN, superuser=True),
        jefe=make_user("jefe", Role.DEPARTMENT_HEAD),
        jefe_sucursal=make_user("jefe_sucursal", Role.BRANCH_HEAD, branch=ss),
        gestor1=make_user("gestor1", Role.COLLECTOR, branch=ss),
        gestor2=make_user("gestor2", Role.COLLECTOR, branch=ss),
        gestor_sa=make_user("gestor_sa", Role.COLLECTOR, branch=sa),
        atencion=make_user("atencion", Role.SERVICE_DESK),
    )


@pytest.fixture
def employer(staff):
    return EmployerFactory(
        employer_number="300000001", legal_name="Panadería La Espiga, S.A. de C.V.", branch=staff.ss
    )
