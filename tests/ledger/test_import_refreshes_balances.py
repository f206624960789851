"""A payment import refreshes the balance snapshots of the employers it touched, after commit."""

from datetime import date

import pytest

from cobranza.employers.imports import run_import
from cobranza.ledger.models import BalanceSnapshot
from tests.ledger.helpers import EXAMPLES


@pytest.mark.django_db
def test_payment_import_refreshes_snapshots_of_its_employers(
    default_policy_version, django_capture_on_commit_callbacks
):
    today = date(2026, 11, 24)
    run_import(kind="employers", source=EXAMPLES / "employers.csv", today=today)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(kind="declarations", source=EXAMPLES / "declarations.csv", today=today)
    unpaid = BalanceSnapshot.objects.get(employer__employer_number="100000004")
    assert unpaid.contribution_outstanding == sum(
        (d.employer_contribution + d.worker_contribution) for d in unpaid.employer.declarations.all()
    )

    with django_capture_on_commit_callbacks(execute=True):
        run_import(kind="payments", source=EXAMPLES / "payments.csv", today=today)
    after = BalanceSnapshot.objects.get(employer__employer_number="100000004")
    assert after.contribution_outstanding < unpaid.contribution_outstanding
    assert after.last_payment_date == date(2024, 5, 31)
    # An employer without payments in the file keeps its snapshot from the declarations import.
    assert BalanceSnapshot.objects.filter(employer__employer_number="100000002").exists()
