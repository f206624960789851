"""`cobranza seed` end to end: generated files → the users' import path → demo users → portfolios."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from cobranza.cases.models import CaseFile
from cobranza.employers.management.commands.seed import debts_in_arrears
from cobranza.employers.models import Branch, Employer, ImportBatch
from cobranza.employers.synthetic import generate_portfolio
from cobranza.ledger.models import BalanceSnapshot, Declaration, Payment
from cobranza.portfolio.models import Assignment

pytestmark = pytest.mark.django_db(transaction=False)

TODAY = date(2025, 6, 15)
DEMO_ROLES = {
    "admin": "administrador",
    "jefe": "jefe_departamento",
    "jefe_sucursal": "jefe_sucursal",
    "gestor1": "gestor",
    "gestor2": "gestor",
    "callcenter": "centro_llamadas",
    "juridico": "juridico",
    "atencion": "atencion",
}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed", employers=60, years=1, seed=1, today=TODAY, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def collectors_of(employers) -> dict[str, str]:
    rows = Assignment.objects.filter(employer__in=employers, end__isnull=True)
    return dict(rows.values_list("employer__employer_number", "collector__username"))


@pytest.fixture
def no_hooks(monkeypatch):
    """The portfolio alone: the demo hooks (agreements, payments, findings…) change who is in arrears."""
    monkeypatch.setattr("cobranza.employers.management.commands.seed.DEMO_HOOKS", ())


def test_seed_loads_the_portfolio_through_the_import_and_assigns_the_arrears(tmp_path, no_hooks):
    output = seed()

    # The data went through run_import: one batch per file, the same counts as the files.
    expected = generate_portfolio(tmp_path, employers=60, years=1, seed=1, today=TODAY)
    assert Employer.objects.count() == 60
    assert Declaration.objects.count() == expected.declarations
    # (the demo hooks import payments of their own through the same import, in batches of their own)
    synthetic = ImportBatch.objects.filter(filename__startswith="sintetico-")
    assert Payment.objects.filter(import_batch__in=synthetic).count() == expected.payments
    assert sorted(synthetic.values_list("kind", flat=True)) == ["declarations", "employers", "payments"]
    assert Declaration.objects.filter(origin="de_oficio", filed_on__isnull=True).count() == expected.de_oficio

    # Demo users, their groups, password demo.
    for username, role in DEMO_ROLES.items():
        user = User.objects.get(username=username)
        assert role in set(user.groups.values_list("name", flat=True)), username
        assert user.check_password("demo"), username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    san_salvador = Branch.objects.get(name="San Salvador")
    for username in ("jefe_sucursal", "gestor1", "gestor2"):
        assert User.objects.get(username=username).staff_profile.branch == san_salvador

    # The engine finds exactly the employers the generator built as debtors.
    debts = debts_in_arrears(today=TODAY)
    assert {e.employer_number for e, _ in debts} == set(expected.debtors)
    assert all(cents > 0 for _, cents in debts)

    # Every employer in arrears of San Salvador is in gestor1's or gestor2's portfolio, both have one.
    in_arrears_ss = [e for e, _ in debts if e.branch_id == san_salvador.pk]
    assigned = collectors_of(in_arrears_ss)
    assert set(assigned) == {e.employer_number for e in in_arrears_ss}
    assert set(assigned.values()) == {"gestor1", "gestor2"}
    assert Assignment.objects.filter(collector__username="gestor1", end__isnull=True).exists()
    # Every other employer in arrears is with its own branch's collector; nobody else is assigned.
    for employer, _ in debts:
        collector = User.objects.get(assignments__employer=employer, assignments__end__isnull=True)
        assert collector.staff_profile.branch_id == employer.branch_id
    assert Assignment.objects.filter(end__isnull=True).count() == len(debts)

    # In arrears means overdue (exigible): the debt weighed is the overdue balance, and only those
    # employers get a case (one owing only what is not yet due would get none).
    balances = {b.employer_id: b for b in BalanceSnapshot.objects.all()}
    assert all(cents == int(balances[e.pk].overdue_outstanding * 100) > 0 for e, cents in debts)
    with_case = set(CaseFile.objects.values_list("employer_id", flat=True))
    assert with_case == {e.pk for e, _ in debts}
    assert with_case == {pk for pk, b in balances.items() if b.overdue_outstanding > 0}

    assert "Patronos en mora:" in output and "saldo exigible $" in output
    assert "gestor1" in output and "contraseña: demo" in output


def test_seed_is_idempotent_and_if_empty_does_nothing(no_hooks):
    seed()
    counts = (
        User.objects.count(),
        Employer.objects.count(),
        Payment.objects.count(),
        Assignment.objects.count(),
    )
    gestor1 = User.objects.get(username="gestor1")
    gestor1.set_password("cambiada")
    gestor1.save()

    seed()  # again: nothing duplicated, the existing users keep their password
    assert (
        User.objects.count(),
        Employer.objects.count(),
        Payment.objects.count(),
        Assignment.objects.count(),
    ) == counts
    assert User.objects.get(username="gestor1").check_password("cambiada")

    output = seed(if_empty=True)
    assert "no se generó nada" in output
    assert ImportBatch.objects.filter(filename__startswith="sintetico-").count() == 6


def test_seed_refuses_bad_options():
    with pytest.raises(CommandError, match="--today"):
        call_command("seed", "--today", "2025-02-30", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="--employers"):
        call_command("seed", employers=0, stdout=StringIO(), stderr=StringIO())
    assert not Employer.objects.exists()


def test_only_overdue_debt_is_in_arrears_for_the_seed():
    """At 05/06/2024 `mixed` owes 2024-04 (overdue: $105.00 + 1 % surcharge = $106.05) and 2024-05
    (due in mid-June: not yet due); `current_only` owes only 2024-05. Only `mixed` is in arrears,
    weighing its overdue $106.05, not its $211.05 total."""
    from decimal import Decimal

    from tests.factories import DeclarationFactory, EmployerFactory

    mixed, current_only = EmployerFactory(), EmployerFactory()
    for employer, periods in ((mixed, ("2024-04", "2024-05")), (current_only, ("2024-05",))):
        for period in periods:
            DeclarationFactory(employer=employer, period=period, filed_on=date(2024, 5, 3))
    assert debts_in_arrears(today=date(2024, 6, 5)) == [(mixed, 106_05)]
    assert current_only.balance.current_outstanding == Decimal("105.00")


def test_demo_life_is_seeded_through_the_services_and_only_once(monkeypatch):
    """The demo life (cobranza.reports.demo_life) alone: agreements in several states, actions,
    promises and goals; a second seed adds none of them."""
    from cobranza.agreements.models import Agreement
    from cobranza.cases.models import CollectionAction, PaymentPromise
    from cobranza.reports.models import Goal

    monkeypatch.setattr(
        "cobranza.employers.management.commands.seed.DEMO_HOOKS", ("cobranza.reports.demo_life.seed_life",)
    )
    output = seed()
    assert "Vida de la demostración: convenios (" in output
    states = set(Agreement.objects.values_list("state", flat=True))
    assert {"draft", "approved", "active"} <= states and len(states) >= 5, states
    assert Goal.objects.filter(collector__username="gestor1").exists()
    assert CollectionAction.objects.exists() and PaymentPromise.objects.exists()
    assert Payment.objects.filter(payment_id__startswith="DEMO-", import_batch__isnull=False).exists()
    counts = (Agreement.objects.count(), Goal.objects.count(), CollectionAction.objects.count())
    assert "ya estaba" in seed()
    assert (Agreement.objects.count(), Goal.objects.count(), CollectionAction.objects.count()) == counts
