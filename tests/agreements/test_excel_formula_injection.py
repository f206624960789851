"""Issue 10, item 10: an imported legal name that looks like a formula stays text in every export.

Textiles del Pacífico (100000002) gets the legal name `=HYPERLINK("http://atacante.example/pagar",
"Pague aquí")` (as a hostile import file would set it), signs a 6-installment agreement, pays the
down payment and the first installment and not the second, so on 10/09/2024 the agreement is active
with one installment overdue (the worked example of test_collector_view). Every workbook a user can download that shows the name
(agreements reports, call-center list, statement) must hold it as plain text: no cell of any sheet
is a formula, and the name reads exactly as imported.
"""

import zipfile
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cobranza.common.spreadsheets import neutralise_formulas, workbook_bytes
from cobranza.employers.models import Employer
from tests.agreements.helpers import AS_OF, active_e2, pay

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://atacante.example/pagar","Pague aquí")'
CHECKED = date(2024, 9, 10)


@pytest.fixture
def hostile(agr, settings):
    Employer.objects.filter(pk=agr.e2.pk).update(legal_name=EVIL)
    agr.e2.refresh_from_db()
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    agreement = active_e2(agr, paid_on=date(2024, 7, 5))
    pay(agr.e2, "CUOTA-1", date(2024, 7, 29), "199.85")
    settings.COBRANZA_BUSINESS_DATE = CHECKED
    call_command("agreements", "check", "--as-of", CHECKED.isoformat(), stdout=StringIO())
    agreement.refresh_from_db()
    return agreement


def assert_no_formula(content: bytes) -> list:
    """No formula in the file (neither openpyxl's view nor the raw sheet XML); the cells holding
    the hostile name, as (sheet, coordinate)."""
    archive = zipfile.ZipFile(BytesIO(content))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/sheet"):
            assert "<f>" not in archive.read(name).decode(), name
    found = []
    wb = load_workbook(BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value == EVIL or (isinstance(cell.value, str) and EVIL in cell.value):
                    found.append((ws.title, cell.coordinate))
                    if cell.value == EVIL:
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
    return found


def test_agreements_report_xlsx_keeps_the_name_as_text(client, agr, hostile):
    assert hostile.state == "active"
    client.force_login(agr.users.jefe)
    response = client.get(reverse("agreements:reports"), {"formato": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    found = assert_no_formula(response.content)
    assert ("Vigentes", "C2") in found  # the active agreement's row, column "Patrono"


def test_call_list_xlsx_keeps_the_name_as_text(client, agr, hostile):
    client.force_login(agr.users.jefe)
    response = client.get(reverse("agreements:call_list"), {"formato": "xlsx"})
    assert response.status_code == 200
    assert assert_no_formula(response.content)


def test_statement_xlsx_keeps_the_name_as_text(client, agr, hostile):
    client.force_login(agr.users.jefe)
    response = client.get(
        reverse("ledger:statement_xlsx", args=[agr.e2.employer_number]), {"as_of": "2024-09-10"}
    )
    assert response.status_code == 200
    assert assert_no_formula(response.content)  # "100000002 · =HYPERLINK(…)": text already


def test_cases_report_xlsx_has_no_formula(client, agr, hostile):
    client.force_login(agr.users.jefe)
    response = client.get(reverse("cases:report_xlsx"))
    assert response.status_code == 200
    assert_no_formula(response.content)


def test_every_trigger_is_neutralised_and_numbers_are_not():
    wb = Workbook()
    ws = wb.active
    ws.append(["=1+1", "+50371234567", "-resta", "@SUMA(A1)", "\t=1", "\r=1", "Normal", -5, 12.5])
    assert neutralise_formulas(wb) == 6
    cells = list(load_workbook(BytesIO(workbook_bytes(wb))).active[1])
    assert [c.value for c in cells[:4]] == ["=1+1", "+50371234567", "-resta", "@SUMA(A1)"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[:6])
    assert cells[6].quotePrefix is False
    assert [c.value for c in cells[7:]] == [-5, 12.5]  # numbers stay numbers


def test_every_workbook_of_the_project_is_saved_through_the_helper():
    """Guard: a module that builds an openpyxl Workbook saves it with `workbook_bytes`."""
    from pathlib import Path

    import cobranza

    root = Path(cobranza.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "Workbook()" in text and "workbook_bytes" not in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == [], f"exports that bypass cobranza.common.spreadsheets.workbook_bytes: {offenders}"
