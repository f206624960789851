"""Fixtures shared by the whole suite: one user per role, two branches, employers in portfolios."""

from types import SimpleNamespace

import pytest

from cobranza.common.roles import Role
from cobranza.portfolio.models import Assignment
from tests.factories import BranchFactory, EmployerFactory, make_user


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 costs ~0.7 s per user; tests create many. Login throttling and roles are unaffected."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def real_business_date(settings):
    """Tests run on the real today unless they set `settings.COBRANZA_BUSINESS_DATE` themselves,
    whatever COBRANZA_BUSINESS_DATE the shell that runs the suite exports (e.g. for a demo)."""
    settings.COBRANZA_BUSINESS_DATE = None


@pytest.fixture
def world(db):
    """Two branches; collectors with portfolios; one user for every role.

    - `own`: employer of San Salvador assigned to gestor1.
    - `colleague`: employer of San Salvador assigned to gestor2.
    - `elsewhere`: employer of Santa Ana, assigned to gestor_sa.
    """
    ss = BranchFactory(code="san-salvador", name="San Salvador")
    sa = BranchFactory(code="santa-ana", name="Santa Ana", department="Santa Ana")
    users = SimpleNamespace(
        admin=make_user("admin", Role.ADMIN, superuser=True),
        jefe=make_user("jefe", Role.DEPARTMENT_HEAD),
        jefe_sucursal=make_user("jefe_sucursal", Role.BRANCH_HEAD, branch=ss),
        gestor1=make_user("gestor1", Role.COLLECTOR, branch=ss),
        gestor2=make_user("gestor2", Role.COLLECTOR, branch=ss),
        gestor_sa=make_user("gestor_sa", Role.COLLECTOR, branch=sa),
        callcenter=make_user("callcenter", Role.CALL_CENTER),
        juridico=make_user("juridico", Role.LEGAL),
        atencion=make_user("atencion", Role.SERVICE_DESK),
        otras=make_user("otras", Role.OTHER_AREAS),
        sin_rol=make_user("sin_rol"),
    )
    own = EmployerFactory(employer_number="300000001", legal_name="Panadería Ñandú, S.A. de C.V.", branch=ss)
    colleague = EmployerFactory(employer_number="300000002", legal_name="Textiles Cuscatlán", branch=ss)
    elsewhere = EmployerFactory(employer_number="300000003", legal_name="Café Santaneco", branch=sa)
    Assignment.objects.create(employer=own, collector=users.gestor1, reason="prueba")
    Assignment.objects.create(employer=colleague, collector=users.gestor2, reason="prueba")
    Assignment.objects.create(employer=elsewhere, collector=users.gestor_sa, reason="prueba")
    return SimpleNamespace(
        users=users, branches=SimpleNamespace(ss=ss, sa=sa), own=own, colleague=colleague, elsewhere=elsewhere
    )
