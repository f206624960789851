"""The minimum down payment, rounded up to the cent, and the optional worker-share rule (SPEC §4),
through every interface that computes it: the command line, the options page, the draft service.

The employer owes exactly $461.46 on 01/03/2024: its January 2024 payroll (employer share $319.89,
worker share $137.00, filed on time) fell due on 14/02/2024 (10th business day of February), so on
01/03/2024 it is in its first month of delay: 1 % of $456.89 = $4.5689 → $4.57 of surcharge, no
fine; $456.89 + $4.57 = $461.46. 20 % of that is $92.292: the minimum is $92.30, not $92.29.
"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cobranza.agreements import services
from cobranza.common.errors import ApplicationError
from cobranza.ledger import services as ledger_services
from cobranza.ledger.models import Declaration
from cobranza.portfolio.models import Assignment
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 3, 1)
NUMBER = "100000461"


@pytest.fixture
def debtor(world, settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    employer = EmployerFactory(
        employer_number=NUMBER, legal_name="Ferretería La Exacta, S.A. de C.V.", branch=world.branches.ss
    )
    Declaration.objects.create(
        employer=employer,
        period="2024-01",
        workers=3,
        salary_base=Decimal("4566.67"),
        employer_contribution=Decimal("319.89"),
        worker_contribution=Decimal("137.00"),
        filed_on=date(2024, 2, 5),
        origin="employer",
    )
    Assignment.objects.create(employer=employer, collector=world.users.gestor1, reason="prueba")
    return employer


def worker_share_rule_on():
    """A policy version in force from the business date (01/03/2024) with the worker-share rule on."""
    ledger_services.policy_version_create(
        actor=None,
        version="2024.2",
        effective_from=AS_OF,
        parameters={"agreement_down_payment_worker_share": True},
        note="Prima con la cuota laboral completa",
    )


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("agreement", "simulate", *args, stdout=out)
    return out.getvalue()


def test_the_debt_is_exactly_461_46(debtor):
    from cobranza.ledger.selectors import statement_for_employer

    totals = statement_for_employer(debtor, AS_OF).totals
    assert (totals.outstanding_cents, totals.worker_share_outstanding_cents) == (46146, 13700)


def test_cli_refuses_92_29_and_accepts_92_30(debtor):
    with pytest.raises(CommandError) as info:
        simulate(NUMBER, "--down-payment", "92.29", "--installments", "3", "--as-of", "2024-03-01")
    message = str(info.value)
    assert "La prima mínima es $92.30 (20 % de $461.46, redondeado al centavo superior)" in message
    assert "$92.29 no la alcanza" in message and "prima entre $92.30 y $461.45" in message
    import json

    data = json.loads(
        simulate(
            NUMBER,
            "--down-payment",
            "92.30",
            "--installments",
            "3",
            "--as-of",
            "2024-03-01",
            "--format",
            "json",
        )
    )
    assert (data["debt"], data["down_payment"], data["financed"]) == ("461.46", "92.30", "369.16")


def test_options_page_offers_92_30_and_refuses_92_29(client, debtor, world):
    client.force_login(world.users.gestor1)
    url = reverse("agreements:options", args=[NUMBER])
    html = client.get(url).content.decode()
    assert "$461.46" in html
    assert "Prima mínima (20 % de la deuda)" in html and "$92.30" in html and "$92.29" not in html
    assert 'data-testid="options-min-down-payment-rule"' not in html  # the switch is off
    html = client.get(url, {"down_payment": "92.29", "installments": "3"}).content.decode()
    assert "La prima mínima es $92.30" in html and "Elaborar convenio" not in html
    html = client.get(url, {"down_payment": "92.30", "installments": "3"}).content.decode()
    assert "Elaborar convenio con esta opción" in html


def test_draft_service_refuses_92_29(debtor, world):
    with pytest.raises(ApplicationError, match=r"La prima mínima es \$92\.30"):
        services.agreement_draft(
            actor=world.users.gestor1, employer=debtor, down_payment="92.29", installments=3
        )
    agreement = services.agreement_draft(
        actor=world.users.gestor1, employer=debtor, down_payment="92.30", installments=3
    )
    assert agreement.down_payment == Decimal("92.30") and agreement.debt == Decimal("461.46")


# With the worker-share rule: $137.00 whole + 20 % of the rest ($324.46 → $64.892 → $64.90) = $201.90.
def test_worker_share_rule_shown_on_the_options_page(client, debtor, world):
    worker_share_rule_on()
    client.force_login(world.users.gestor1)
    url = reverse("agreements:options", args=[NUMBER])
    html = client.get(url).content.decode()
    assert "Prima mínima (100 % de la cuota laboral pendiente más 20 % del resto)" in html
    assert "100 % de la cuota laboral pendiente ($137.00) más 20 % del resto ($324.46)" in html
    assert "$201.90" in html and "$92.30" not in html
    html = client.get(url, {"down_payment": "201.89", "installments": "3"}).content.decode()
    assert "La prima mínima es $201.90" in html and "Elaborar convenio" not in html


def test_worker_share_rule_in_the_cli_and_the_draft(debtor, world):
    worker_share_rule_on()
    with pytest.raises(CommandError, match=r"La prima mínima es \$201\.90"):
        simulate(NUMBER, "--down-payment", "92.30", "--installments", "3", "--as-of", "2024-03-01")
    assert '"down_payment": "201.90"' in simulate(
        NUMBER, "--down-payment", "201.90", "--installments", "3", "--as-of", "2024-03-01", "--format", "json"
    )
    with pytest.raises(ApplicationError, match=r"cuota laboral pendiente \(\$137\.00\)"):
        services.agreement_draft(
            actor=world.users.gestor1, employer=debtor, down_payment="201.89", installments=3
        )
    agreement = services.agreement_draft(
        actor=world.users.gestor1, employer=debtor, down_payment="201.90", installments=3
    )
    assert agreement.down_payment == Decimal("201.90")
