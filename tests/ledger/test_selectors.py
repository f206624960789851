"""Ledger selectors: statements through visibility, in a fixed number of queries; payment drill-down."""

from __future__ import annotations

from datetime import date

import pytest

from cobranza.employers.models import Employer
from cobranza.ledger import services
from cobranza.ledger.selectors import (
    employer_statement,
    payments_by_id,
    policy_timeline,
    statement_for_employer,
    visible_balances,
)
from cobranza.ledger.services import balances_recompute
from tests.ledger.helpers import assert_statement_matches, expected_cases, load_expected

pytestmark = pytest.mark.django_db


def test_employer_statement_for_a_user_who_may_see_it(world, examples):
    for number, as_of, path in expected_cases():
        statement = employer_statement(user=world.users.jefe, employer_number=number, as_of=as_of)
        assert_statement_matches(statement.to_json_dict(), load_expected(path))


def test_employer_statement_refuses_what_the_user_may_not_see(world, examples):
    with pytest.raises(Employer.DoesNotExist):
        employer_statement(user=world.users.gestor1, employer_number="100000004", as_of=date(2024, 6, 30))
    with pytest.raises(Employer.DoesNotExist):
        employer_statement(user=world.users.jefe, employer_number="no-existe", as_of=date(2024, 6, 30))


def test_a_statement_costs_four_queries(examples, django_assert_num_queries):
    employer = Employer.objects.get(employer_number="100000004")
    statement_for_employer(employer, date(2024, 6, 30))  # the process reads the policy timeline once
    # the policy timeline's key (nothing changed: cached), agreements' freezes, declarations, payments
    with django_assert_num_queries(4):
        statement_for_employer(employer, date(2024, 6, 30))


def test_the_policy_timeline_is_read_again_only_when_a_version_or_an_amnesty_is_added(
    default_policy_version, django_assert_num_queries, settings
):
    settings.COBRANZA_BUSINESS_DATE = date(2025, 1, 1)
    first = policy_timeline()
    with django_assert_num_queries(1):
        assert policy_timeline() is first
    services.amnesty_create(actor=None, name="Amnistía 2025", start=date(2025, 3, 1), end=date(2025, 5, 31))
    with django_assert_num_queries(3):  # key, versions, amnesties
        second = policy_timeline()
    assert [a.name for a in second.amnesties] == ["Amnistía 2025"]
    services.policy_version_create(
        actor=None, version="2026.1", effective_from=date(2026, 1, 1), parameters={"fine_enabled": False}
    )
    third = policy_timeline()
    assert [v.version for v in third.versions] == ["2024.1", "2026.1"]
    assert [a.name for a in third.amnesties] == ["Amnistía 2025"]


def test_payments_by_id_explain_the_allocations(examples):
    employer = Employer.objects.get(employer_number="100000004")
    statement = statement_for_employer(employer, date(2024, 6, 30))
    payments = payments_by_id(employer=employer, payment_ids=(a.payment_id for a in statement.allocations))
    assert sorted(payments) == ["E4-1", "E4-2", "E4-3", "E4-4"]
    assert payments["E4-2"].reference == "NPE-E4-2"
    assert payments_by_id(employer=employer, payment_ids=[]) == {}
    assert sorted(payments_by_id(employer=employer)) == ["E4-1", "E4-2", "E4-3", "E4-4"]
    other = Employer.objects.get(employer_number="100000001")
    assert payments_by_id(employer=other, payment_ids=["E4-1"]) == {}


def test_visible_balances_follow_visibility(world, examples):
    balances_recompute(actor=None, as_of=date(2024, 6, 30))
    assert visible_balances(user=world.users.gestor1).count() == 1  # its own employer
    everyone = list(visible_balances(user=world.users.jefe))
    assert len(everyone) == 9
    assert everyone[0].employer.employer_number == "100000002"  # largest overdue (exigible) debt first
