"""The employer page at scale (issue 15, item 7): the periods table a page at a time (most recent
first, `?periodos=N`, `?pendientes=1`), each period's drill-down fetched on demand, with the same
visibility as the page (404 otherwise). The totals always cover every period.

Worked scenario (`paid_but_the_last`): 26 monthly periods 2022-05 … 2024-06, each declared with a
contribution of $75.00 + $30.00 = $105.00, filed on the 5th of the next month (before the due date,
the 10th: no fine) and, except 2024-06, paid in full ($105.00, period named) on its due date (no
surcharge). As of 05/07/2024, 2024-06 is not yet due (due 10/07/2024): it owes $105.00, all of it
saldo corriente; the other 25 owe $0.00. Total adeudado = 25 × $0.00 + $105.00 = $105.00; saldo
exigible $0.00. Pages of 24: page 1 lists 06/2024 back to 07/2022 (24 periods), page 2 06/2022 and
05/2022 (26 − 24 = 2). Only pending: one period, 06/2024.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cobranza.ledger.paging import PERIODS_PER_PAGE
from tests.factories import DeclarationFactory, EmployerFactory, PaymentFactory
from tests.roles import ALL_ROLES, VISIBLE

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _next_month(period: str, day: int) -> date:
    y, m = map(int, period.split("-"))
    return date(y + 1, 1, day) if m == 12 else date(y, m + 1, day)


@pytest.fixture
def paid_but_the_last(default_policy_version):
    employer = EmployerFactory(employer_number="710000001", legal_name="Ferretería El Tornillo")
    for period in _months("2022-05", "2024-06"):
        DeclarationFactory(employer=employer, period=period, filed_on=_next_month(period, 5))
        if period != "2024-06":
            PaymentFactory(
                employer=employer,
                payment_id=f"T-{period}",
                paid_on=_next_month(period, 10),
                amount=Decimal("105.00"),
                period=period,
            )
    return employer


def _rows(content: str) -> dict[str, str]:
    """The period rows of the statement table: {"06/2024": visible text of the row}."""
    table = content[content.index('data-testid="statement-table"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>\s*<td>(.*?)</tr>", table, flags=re.S):
        text = _text(row)
        if re.match(r"\d\d/\d{4}", text):
            rows[text.split()[0]] = text
    return rows


def _page(client, employer, **params):
    params = {"as_of": "05/07/2024", **params}
    response = client.get(reverse("employers:detail", args=[employer.employer_number]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_table_lists_a_page_of_periods_and_the_totals_cover_them_all(client, world, paid_but_the_last):
    client.force_login(world.users.jefe)
    first = _page(client, paid_but_the_last)
    rows = _rows(first)
    assert PERIODS_PER_PAGE == 24 and len(rows) == 24
    assert list(rows)[0] == "06/2024" and list(rows)[-1] == "07/2022"
    totals = _text(first[first.index('data-testid="statement-totals"') :][:3000])
    assert "Total adeudado $105.00" in totals and "Saldo exigible $0.00" in totals
    assert "Saldo corriente (no vencido) $105.00" in totals
    summary = _text(first[first.index('data-testid="period-summary"') :][:1500])
    assert "26 períodos, 1 con saldo pendiente" in summary and "se muestran 1 a 24" in summary
    assert "Más antiguos" in first and "periodos=2" in first

    second = _rows(_page(client, paid_but_the_last, periodos="2"))
    assert list(second) == ["06/2022", "05/2022"]
    # every line's outstanding amount (the last figure of its row) adds up to the total
    outstanding = [
        Decimal(re.findall(r"\$([\d,]+\.\d\d)", text)[-1].replace(",", ""))
        for text in [*rows.values(), *second.values()]
    ]
    assert len(outstanding) == 26 and sum(outstanding) == Decimal("105.00")


def test_out_of_range_or_malformed_page_numbers_never_fail(client, world, paid_but_the_last):
    client.force_login(world.users.jefe)
    assert list(_rows(_page(client, paid_but_the_last, periodos="99"))) == ["06/2022", "05/2022"]
    assert len(_rows(_page(client, paid_but_the_last, periodos="abc"))) == 24
    assert len(_rows(_page(client, paid_but_the_last, periodos="-3"))) == 24


def test_only_the_periods_with_something_outstanding(client, world, paid_but_the_last):
    client.force_login(world.users.jefe)
    content = _page(client, paid_but_the_last, pendientes="1")
    assert list(_rows(content)) == ["06/2024"]
    assert "1 período con saldo pendiente de 26" in _text(content)
    assert "Total adeudado $105.00" in _text(content)


def test_a_small_statement_has_no_pager(client, world, overdue_and_current):
    mixed, _ = overdue_and_current
    client.force_login(world.users.jefe)
    content = client.get(reverse("employers:detail", args=[mixed.employer_number]), {"as_of": "05/06/2024"})
    content = content.content.decode()
    assert 'data-testid="period-pager-top"' not in content
    assert list(_rows(content)) == ["05/2024", "04/2024"]


def test_the_drill_down_of_a_period_is_fetched_on_demand(client, world, overdue_and_current):
    """400000001 as of 05/06/2024: 2024-04 was paid $20.00 by M-1 on 06/05/2024 (before its due date
    10/05/2024) against a contribution of $105.00, so $85.00 of it is pending."""
    mixed, _ = overdue_and_current
    client.force_login(world.users.jefe)
    page = client.get(reverse("employers:detail", args=[mixed.employer_number]), {"as_of": "05/06/2024"})
    page = page.content.decode()
    assert "M-1" not in page  # the payments are in the drill-down only
    url = reverse("ledger:statement_period", args=[mixed.employer_number, "2024-04"])
    assert f'hx-get="{url}?as_of=2024-06-05"' in page
    response = client.get(url, {"as_of": "2024-06-05"}, headers=HX)
    assert response.status_code == 200
    detail = _text(response.content.decode())
    assert "M-1" in detail and "06/05/2024" in detail and "$20.00" in detail
    assert "<html" not in response.content.decode()  # a fragment, not a page


def test_the_drill_down_of_an_unknown_period_is_404_and_a_direct_visit_goes_to_the_page(
    client, world, overdue_and_current
):
    mixed, _ = overdue_and_current
    client.force_login(world.users.jefe)
    missing = reverse("ledger:statement_period", args=[mixed.employer_number, "2023-01"])
    assert client.get(missing, {"as_of": "2024-06-05"}, headers=HX).status_code == 404
    assert (
        client.get(f"/patronos/{mixed.employer_number}/estado-de-cuenta/periodos/2024-4/").status_code == 404
    )
    url = reverse("ledger:statement_period", args=[mixed.employer_number, "2024-04"])
    response = client.get(url, {"as_of": "2024-06-05"})
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/patronos/{mixed.employer_number}/?as_of=2024-06-05&periodos=1#explain-2024-04"
    )
    bad = client.get(url, {"as_of": "31/02/2024"}, headers=HX)
    assert bad.status_code == 400 and "Traceback" not in bad.content.decode()


def test_a_direct_visit_to_an_old_period_goes_to_its_page(client, world, paid_but_the_last):
    client.force_login(world.users.jefe)
    url = reverse("ledger:statement_period", args=[paid_but_the_last.employer_number, "2022-05"])
    response = client.get(url, {"as_of": "2024-07-05"})
    assert response.status_code == 302 and "periodos=2#explain-2022-05" in response["Location"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_drill_down_obeys_the_employers_visibility(client, world, role):
    """Role matrix of the period detail: 200 for an employer the user sees, 404 otherwise."""
    for name in ("own", "colleague", "elsewhere"):
        DeclarationFactory(employer=getattr(world, name), period="2024-04", filed_on=date(2024, 5, 3))
    client.force_login(getattr(world.users, role))
    for name in ("own", "colleague", "elsewhere"):
        employer = getattr(world, name)
        url = reverse("ledger:statement_period", args=[employer.employer_number, "2024-04"])
        response = client.get(url, {"as_of": "2024-06-05"}, headers=HX)
        assert response.status_code == (200 if name in VISIBLE[role] else 404), (role, name)


def test_anonymous_is_sent_to_login(client, world):
    url = reverse("ledger:statement_period", args=[world.own.employer_number, "2024-04"])
    response = client.get(url, headers=HX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
