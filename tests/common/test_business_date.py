"""COBRANZA_BUSINESS_DATE moves "today" everywhere (SPEC §10): the employer's page and its
documents, the statement command, the API, the worklist, the services' checks and the seed.

Each test sets a business date far from the real today, so it fails if any of these still reads
the clock.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from cobranza.cases import services as case_services
from cobranza.cases.models import ActionOutcome, CaseFile
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.synthetic import generate_portfolio

pytestmark = pytest.mark.django_db

BUSINESS_DAY = date(2024, 6, 30)


@pytest.fixture
def business_day(settings):
    settings.COBRANZA_BUSINESS_DATE = BUSINESS_DAY
    return BUSINESS_DAY


def test_business_date_reads_the_setting(business_day):
    assert business_date() == BUSINESS_DAY


def test_employer_page_defaults_to_the_business_date(client, world, business_day):
    client.force_login(world.users.jefe)
    response = client.get(reverse("employers:detail", args=[world.own.employer_number]))
    assert response.status_code == 200
    statement = response.context["statement"]
    assert statement.as_of == BUSINESS_DAY
    content = response.content.decode()
    assert "Estado de cuenta al 30/06/2024" in content
    assert 'name="as_of" value="30/06/2024"' in content
    assert "estado-de-cuenta.pdf?as_of=2024-06-30" in content  # the downloads follow the page


def test_statement_downloads_default_to_the_business_date(client, world, business_day):
    client.force_login(world.users.jefe)
    number = world.own.employer_number
    pdf = client.get(reverse("ledger:statement_pdf", args=[number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f"estado-de-cuenta-{number}-20240630.pdf" in pdf["Content-Disposition"]
    xlsx = client.get(reverse("ledger:statement_xlsx", args=[number]))
    assert xlsx.status_code == 200
    assert f"estado-de-cuenta-{number}-20240630.xlsx" in xlsx["Content-Disposition"]


def test_statement_command_defaults_to_the_business_date(world, business_day):
    out = io.StringIO()
    call_command("statement", world.own.employer_number, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["as_of"] == "2024-06-30"


def test_api_statement_defaults_to_the_business_date(client, world, business_day):
    token = client.post(
        "/api/auth/token", {"username": "jefe", "password": "demo"}, content_type="application/json"
    ).json()["token"]
    response = client.get(
        f"/api/employers/{world.own.employer_number}/statement", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response.json()["as_of"] == "2024-06-30"


def test_worklist_works_the_business_date(client, world, business_day):
    """A next action due on the business date is "for today"; the day before is overdue."""
    due_today = case_services.case_for_employer(employer=world.own)
    CaseFile.objects.filter(pk=due_today.pk).update(next_action_on=BUSINESS_DAY, state="in_collection")
    client.force_login(world.users.gestor1)

    def listed(reason: str) -> list[str]:
        page = client.get(reverse("cases:worklist"), {"motivo": reason}).context["page"]
        return [item.employer.employer_number for item in page.object_list]

    assert listed("today") == [world.own.employer_number]
    assert listed("overdue") == []
    CaseFile.objects.filter(pk=due_today.pk).update(next_action_on=BUSINESS_DAY - timedelta(days=1))
    assert listed("today") == []
    assert listed("overdue") == [world.own.employer_number]


def test_services_judge_past_and_future_by_the_business_date(world, business_day):
    case = case_services.case_for_employer(employer=world.own)
    outcome = ActionOutcome.objects.filter(active=True).first()
    with pytest.raises(ApplicationError, match=r"no puede ser anterior a hoy \(30/06/2024\)"):
        case_services.action_record(
            actor=world.users.gestor1,
            case=case,
            kind="call",
            outcome=outcome,
            next_action_on=date(2024, 6, 29),
        )
    action = case_services.action_record(
        actor=world.users.gestor1, case=case, kind="call", outcome=outcome, next_action_on=BUSINESS_DAY
    )
    assert action.next_action_on == BUSINESS_DAY


def test_synthetic_portfolio_defaults_to_the_business_date(tmp_path, business_day):
    """`cobranza seed` without --today generates up to the business date."""
    summary = generate_portfolio(tmp_path, employers=2, years=1, seed=1)
    assert summary.today == BUSINESS_DAY
    assert summary.last_period == "2024-05"
