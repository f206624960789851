"""Limitation in the browser (issue 11 item 1): the statement shows a prescribed period apart and the
limitation date of the others; the case file's tab; the worklist's alert; the heads' list; and a
head closes the case as prescribed once every period with debt is prescribed.

`world.own` declared 2019-01 (due 14/02/2019 → prescribes 14/02/2024) and 2024-01 (due 14/02/2024 →
prescribes 14/02/2029), unpaid. Business date 01/10/2028: 2019-01 is prescribed (marked by the
check); 2024-01 prescribes in 136 days (≤ 180: alert).
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from cobranza.cases.models import CaseFile, CaseState
from cobranza.ledger.services import prescribed_periods_mark
from tests.e2e.conftest import logout, screenshot
from tests.factories import DeclarationFactory, make_balance_snapshot

TODAY = date(2028, 10, 1)


@pytest.mark.django_db(transaction=True)
def test_limitation_pages(world, login, live_server, page, settings):
    settings.COBRANZA_BUSINESS_DATE = TODAY
    DeclarationFactory(employer=world.own, period="2019-01", filed_on=date(2019, 2, 5))
    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 5))
    make_balance_snapshot(world.own, overdue="500.00", months=56, oldest="2019-01", as_of=TODAY)
    prescribed_periods_mark(actor=None, as_of=TODAY)
    case = CaseFile.objects.create(employer=world.own, state=CaseState.IN_COLLECTION)

    login("gestor1")
    page.goto(f"{live_server.url}/patronos/{world.own.employer_number}/")
    expect(page.get_by_test_id("statement-prescription")).to_contain_text("Prescrito (fuera del cobro")
    expect(page.get_by_test_id("prescribed")).to_have_count(1)
    expect(page.get_by_test_id("limitation-date").first).to_contain_text("prescribe 14/02/2029")
    screenshot(page, "limitation-statement")

    page.goto(f"{live_server.url}/expedientes/{case.pk}/")
    page.get_by_test_id("tab-limitation").click()
    expect(page.get_by_test_id("case-limitation")).to_contain_text("14/02/2029")
    expect(page.get_by_test_id("case-limitation")).to_contain_text("prescrito")
    screenshot(page, "limitation-case-tab")

    page.goto(f"{live_server.url}/expedientes/mi-trabajo/?motivo=todos")
    expect(page.get_by_text("Prescribe el 14/02/2029")).to_be_visible()
    screenshot(page, "limitation-worklist")

    logout(page)
    login("jefe")
    page.get_by_test_id("nav-management").click()
    page.get_by_test_id("nav-limitation").click()
    expect(page.get_by_test_id("upcoming-table")).to_contain_text("300000001")
    expect(page.get_by_test_id("upcoming-count")).to_have_text("1")
    screenshot(page, "limitation-heads-list")
