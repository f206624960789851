"""What the statement shows besides its components: per period the worker share and its unpaid part;
in the totals the worker share withheld and not remitted, the saldo exigible and the saldo corriente
(no vencido), on the employer's page, the PDF, the Excel file and the command's table.

Figures of the fixture `overdue_and_current` (worked by hand in test_snapshot_overdue_current.py) as
of 05/06/2024: 2024-04 worker share $30.00, $10.00 not remitted; 2024-05 worker share $30.00, all
of it not remitted; totals: outstanding $190.85 = exigible $85.85 + corriente $105.00; worker share
not remitted $40.00.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from cobranza.ledger.documents import statement_context
from cobranza.ledger.selectors import statement_for_employer

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 5)


def _text(html: str) -> str:
    """The visible text of an HTML fragment, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_employer_page_shows_worker_share_and_exigible_and_corriente(client, world, overdue_and_current):
    mixed, _ = overdue_and_current
    client.force_login(world.users.jefe)
    html = client.get(reverse("employers:detail", args=[mixed.employer_number]), {"as_of": "05/06/2024"})
    content = html.content.decode()
    totals = _text(content[content.index('data-testid="statement-totals"') :][:3000])
    assert "Total adeudado $190.85" in totals
    assert "Saldo exigible $85.85" in totals
    assert "Saldo corriente (no vencido) $105.00" in totals
    assert "Cuota laboral retenida no enterada $40.00" in totals
    table = content[content.index('data-testid="statement-table"') :]
    head = _text(table[: table.index("</thead>")])
    assert "Cuota laboral" in head and "Laboral no enterada" in head
    rows = {
        _text(row).split()[0]: _text(row)
        for row in re.findall(r"<tr>\s*<td>(.*?)</tr>", table, flags=re.S)
        if re.match(r"\s*\d\d/\d{4}", _text(row))
    }
    # period, due date, months, status, contribution, contribution outstanding, worker share, not remitted
    assert re.search(r"\$105\.00 \$85\.00 \$30\.00 \$10\.00 \$0\.85", rows["04/2024"]), rows["04/2024"]
    assert re.search(r"\$105\.00 \$105\.00 \$30\.00 \$30\.00 \$0\.00", rows["05/2024"]), rows["05/2024"]


def test_pdf_shows_the_worker_share_lines_and_the_totals(client, world, overdue_and_current):
    mixed, _ = overdue_and_current
    statement = statement_for_employer(mixed, AS_OF)
    text = _text(render_to_string("ledger/statement_pdf.html", statement_context(statement, mixed)))
    assert "Saldo exigible $85.85" in text
    assert "Saldo corriente (no vencido) $105.00" in text
    assert "Cuota laboral retenida no enterada $40.00" in text
    assert "Cuota laboral Laboral no enterada" in text
    assert "04/2024" in text and "$30.00 $10.00" in text and "$30.00 $30.00" in text
    # totals row: contribution outstanding, then the worker share not remitted
    assert re.search(r"Totales pendientes \$190\.00 \$40\.00 \$0\.85", text)
    client.force_login(world.users.jefe)
    pdf = client.get(reverse("ledger:statement_pdf", args=[mixed.employer_number]), {"as_of": "05/06/2024"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_excel_has_the_worker_share_columns_and_the_totals(client, world, overdue_and_current):
    mixed, _ = overdue_and_current
    client.force_login(world.users.jefe)
    response = client.get(
        reverse("ledger:statement_xlsx", args=[mixed.employer_number]), {"as_of": "2024-06-05"}
    )
    ws = load_workbook(io.BytesIO(response.content))["Estado de cuenta"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r and r[0] == "Período")
    assert header[4:9] == [
        "Cotización",
        "Cotización pagado",
        "Cotización pendiente",
        "Cuota laboral",
        "Cuota laboral no enterada",
    ]
    by_period = {
        r[0]: dict(zip(header, r, strict=True)) for r in rows if r and r[0] in ("2024-04", "2024-05")
    }
    assert (
        by_period["2024-04"]["Cuota laboral"] == 30
        and by_period["2024-04"]["Cuota laboral no enterada"] == 10
    )
    assert by_period["2024-05"]["Cuota laboral no enterada"] == 30
    totals = next(dict(zip(header, r, strict=True)) for r in rows if r and r[0] == "Totales")
    assert totals["Cuota laboral no enterada"] == 40 and float(totals["Total pendiente"]) == 190.85
    labelled = {r[0]: r[3] for r in rows if r and r[0] and r[3] is not None and r[1] is None and r[2] is None}
    assert float(labelled["Saldo exigible"]) == 85.85
    assert float(labelled["Saldo corriente (no vencido)"]) == 105.00
    assert float(labelled["Cuota laboral retenida no enterada"]) == 40.00
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "Saldo exigible")
    assert ws.cell(row=cell.row, column=4).number_format == '"$"#,##0.00'


def test_command_table_shows_the_worker_share_and_the_totals(overdue_and_current):
    out = io.StringIO()
    call_command("statement", "400000001", "--as-of", "05/06/2024", stdout=out)
    text = out.getvalue()
    heading = [ln for ln in text.splitlines() if "Cuota" in ln or "Período" in ln][:2]
    assert "Laboral no" in heading[0] and "laboral" in heading[1] and "enterada" in heading[1]
    line = next(ln for ln in text.splitlines() if "2024-04" in ln)
    assert re.search(r"\$105\.00 +│? *\$30\.00 +│? *\$10\.00", line), line
    assert "Total pendiente: $190.85." in text
    assert (
        "Saldo exigible: $85.85.   Saldo corriente (no vencido): $105.00.   "
        "Cuota laboral retenida no enterada: $40.00." in text
    )


def test_statement_json_and_csv_carry_the_worker_share(overdue_and_current):
    import csv
    import json

    out = io.StringIO()
    call_command("statement", "400000001", "--as-of", "2024-06-05", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert [(p["worker_share"], p["worker_share_outstanding"]) for p in data["periods"]] == [
        ("30.00", "10.00"),
        ("30.00", "30.00"),
    ]
    assert (
        data["totals"]["worker_share_outstanding"],
        data["totals"]["overdue"],
        data["totals"]["current"],
    ) == (
        "40.00",
        "85.85",
        "105.00",
    )
    out = io.StringIO()
    call_command("statement", "400000001", "--as-of", "2024-06-05", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["worker_share_outstanding"] for r in rows] == ["10.00", "30.00", "40.00"]  # last: TOTAL
