"""Recovered per SPEC §9, worked by hand, and goals versus actuals.

The employer declares $105.00 a month ($75.00 employer + $30.00 worker share), filed on time. Due
dates (10th business day of the next month, no holidays in those weeks): 2024-01 → 14/02/2024,
2024-02 → 14/03/2024, 2024-03 → 12/04/2024. Payments go first to the period they name, the
contribution before any surcharge (default allocation order).

Assignment history: gestor1 holds the employer from 01/02/2024; the head reassigns it to gestor2
from 01/04/2024.

| payment | date       | amount | period  | overdue that day?          | recovered | credited to |
|---------|------------|--------|---------|----------------------------|-----------|-------------|
| P1      | 10/03/2024 | 105.00 | 2024-02 | no (due 14/03): current    | 0.00      | —           |
| P2      | 20/03/2024 |  60.00 | 2024-01 | yes (due 14/02)            | 60.00     | gestor1     |
| P3      | 05/04/2024 |  45.00 | 2024-01 | yes                        | 45.00     | gestor2     |

P2 pays 60.00 of 2024-01's 105.00 contribution; P3 the other 45.00 (contribution first, so nothing
of either goes to the surcharge). Total recovered 105.00: 60.00 in March (gestor1), 45.00 in April
(gestor2), although gestor2 holds the employer today.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cobranza.common.errors import ApplicationError
from cobranza.portfolio.models import Assignment
from cobranza.portfolio.recoveries import recoveries
from cobranza.portfolio.services import assignment_create
from cobranza.reports import selectors
from cobranza.reports.models import Goal
from cobranza.reports.services import goal_set
from tests.factories import DeclarationFactory, PaymentFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 4, 30)


@pytest.fixture
def scenario(staff, employer, settings):
    settings.COBRANZA_BUSINESS_DATE = TODAY
    for user, first, last in (
        (staff.gestor1, "Ana Gabriela", "Henríquez"),
        (staff.gestor2, "José", "Alvarado"),
        (staff.gestor_sa, "Luis", "Santana"),
    ):
        user.first_name, user.last_name = first, last
        user.save()
    for period, filed in (
        ("2024-01", date(2024, 2, 5)),
        ("2024-02", date(2024, 3, 5)),
        ("2024-03", date(2024, 4, 5)),
    ):
        DeclarationFactory(employer=employer, period=period, filed_on=filed)
    assignment_create(
        actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="Cartera", on=date(2024, 2, 1)
    )
    assignment_create(
        actor=staff.jefe,
        employer=employer,
        collector=staff.gestor2,
        reason="Reasignación",
        on=date(2024, 4, 1),
    )
    PaymentFactory(
        employer=employer,
        payment_id="P1",
        paid_on=date(2024, 3, 10),
        amount=Decimal("105.00"),
        period="2024-02",
    )
    PaymentFactory(
        employer=employer,
        payment_id="P2",
        paid_on=date(2024, 3, 20),
        amount=Decimal("60.00"),
        period="2024-01",
    )
    PaymentFactory(
        employer=employer,
        payment_id="P3",
        paid_on=date(2024, 4, 5),
        amount=Decimal("45.00"),
        period="2024-01",
    )
    return staff


def test_assignment_history_has_business_dates(scenario, employer):
    rows = list(
        Assignment.objects.filter(employer=employer)
        .order_by("start_on")
        .values_list("collector__username", "start_on", "end_on")
    )
    assert rows == [("gestor1", date(2024, 2, 1), date(2024, 4, 1)), ("gestor2", date(2024, 4, 1), None)]


def test_reassignment_cannot_predate_the_current_holder_nor_be_future(scenario, employer):
    with pytest.raises(ApplicationError, match="no puede regir antes"):
        assignment_create(
            actor=scenario.jefe,
            employer=employer,
            collector=scenario.gestor1,
            reason="x",
            on=date(2024, 3, 1),
        )
    with pytest.raises(ApplicationError, match="fecha futura"):
        assignment_create(
            actor=scenario.jefe,
            employer=employer,
            collector=scenario.gestor1,
            reason="x",
            on=date(2024, 5, 2),
        )


def test_only_payments_to_overdue_periods_count_credited_to_the_holder_on_the_payment_date(scenario):
    got = [
        (r.payment_id, r.paid_on, r.cents, r.collector_id)
        for r in recoveries(date_from=date(2024, 1, 1), date_to=TODAY)
    ]
    assert got == [
        ("P2", date(2024, 3, 20), 6000, scenario.gestor1.pk),
        ("P3", date(2024, 4, 5), 4500, scenario.gestor2.pk),
    ]


def test_head_report_credits_each_collector_by_name(scenario):
    from cobranza.cases.reports import results_report

    report = results_report(user=scenario.jefe, date_from=date(2024, 1, 1), date_to=TODAY)
    assert {k: dict(v) for k, v in report.recovered.items()} == {
        "Ana Gabriela Henríquez": {"2024-03": Decimal("60.00")},
        "José Alvarado": {"2024-04": Decimal("45.00")},
    }
    assert report.total_recovered == Decimal("105.00")
    assert "gestor1" not in report.collectors and "(sin gestor)" not in report.collectors


def test_dashboard_goals_versus_actuals(scenario):
    goal_set(
        actor=scenario.jefe,
        month=date(2024, 4, 1),
        collector=scenario.gestor2,
        recovered="90.00",
        agreements="1",
        contacts="4",
    )
    board = selectors.goals_dashboard(user=scenario.jefe, month=date(2024, 4, 1))
    rows = {r.name: r for r in board.collectors}
    g2 = rows[selectors.person_name(scenario.gestor2)]
    assert g2.actual.recovered_cents == 4500 and g2.goal_cents == 9000
    assert g2.recovered_percent == 50  # 45.00 / 90.00
    assert rows[selectors.person_name(scenario.gestor1)].actual.recovered_cents == 0
    branch = {r.name: r for r in board.branches}["San Salvador"]
    assert branch.actual.recovered_cents == 4500
    assert all("gestor" not in r.name for r in board.collectors)  # names, never usernames


def test_my_results_this_month_and_trend(scenario):
    mine = selectors.my_results(user=scenario.gestor1, month=date(2024, 3, 1))
    assert mine.rows[0].actual == "$60.00"
    assert [p.recovered_cents for p in mine.trend][-2:] == [0, 6000]  # feb, mar
    april = selectors.my_results(user=scenario.gestor1, month=date(2024, 4, 1))
    assert april.rows[0].actual == "$0.00" and april.total_cents == 6000


def test_branch_head_sets_goals_only_for_its_branch(scenario):
    with pytest.raises(ApplicationError, match="sucursal"):
        goal_set(
            actor=scenario.jefe_sucursal,
            month=date(2024, 4, 1),
            collector=scenario.gestor_sa,
            recovered="1",
            agreements="",
            contacts="",
        )
    with pytest.raises(ApplicationError, match="jefatura"):
        goal_set(
            actor=scenario.gestor1,
            month=date(2024, 4, 1),
            collector=scenario.gestor1,
            recovered="1",
            agreements="",
            contacts="",
        )
    with pytest.raises(ApplicationError, match="monto válido"):
        goal_set(
            actor=scenario.jefe,
            month=date(2024, 4, 1),
            collector=scenario.gestor1,
            recovered="mil",
            agreements="",
            contacts="",
        )
    assert not Goal.objects.exists()


def test_goals_page_post_saves_and_shows(scenario, client):
    client.force_login(scenario.jefe)
    response = client.post(
        reverse("reports:goals"),
        {
            "mes": "04/2024",
            f"c{scenario.gestor2.pk}-recuperado": "1,500.00",
            f"c{scenario.gestor2.pk}-convenios": "2",
            f"c{scenario.gestor2.pk}-contactos": "10",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(collector=scenario.gestor2)
    assert goal.recovered == Decimal("1500.00") and goal.agreements == 2 and goal.month == date(2024, 4, 1)
    page = client.get(reverse("reports:goals") + "?mes=04/2024").content.decode()
    assert "José" in page and "$1,500.00" in page and "$45.00" in page and "<svg" in page
    bad = client.post(
        reverse("reports:goals"), {"mes": "04/2024", f"c{scenario.gestor1.pk}-convenios": "-3"}, follow=True
    )
    assert "No se guardó ninguna meta" in bad.content.decode()
    for suffix in ("metas.xlsx", "metas.pdf"):
        r = client.get(f"/informes/{suffix}?mes=04/2024")
        assert r.status_code == 200 and len(r.content) > 1000


def test_my_results_page_for_collectors_only(scenario, client):
    client.force_login(scenario.gestor1)
    page = client.get(reverse("reports:my_results") + "?mes=03/2024")
    assert page.status_code == 200 and "$60.00" in page.content.decode()
    assert client.get(reverse("reports:goals")).status_code == 403
    client.force_login(scenario.jefe)
    assert client.get(reverse("reports:my_results")).status_code == 403


def test_report_range_limited_to_five_years(scenario, client):
    client.force_login(scenario.jefe)
    page = client.get(reverse("cases:report") + "?desde=01/01/1954&hasta=30/04/2024").content.decode()
    assert "no puede pasar de 5 años" in page
