"""`cobranza statement`: the SPEC §5 JSON for every worked example, and the other formats."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cobranza.engine.statement import STATUS_ES
from cobranza.ledger.statement_export import CSV_COLUMNS
from tests.ledger.helpers import assert_statement_matches, expected_cases, load_expected

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("statement", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("number,as_of,path", expected_cases(), ids=lambda v: getattr(v, "stem", None))
def test_json_equals_every_expected_statement(examples, number, as_of, path):
    output = run(number, "--as-of", as_of.isoformat(), "--format", "json")
    got = json.loads(output)
    assert_statement_matches(got, load_expected(path))
    # exactly the SPEC §5 JSON: its keys in its order, the policy version that produced it
    assert list(got) == ["employer_number", "as_of", "policy_version", "periods", "totals", "agreements"]
    assert got["policy_version"] == "2024.1"
    assert output == json.dumps(got, ensure_ascii=False, indent=1) + "\n"


def test_day_month_year_dates_are_accepted(examples):
    iso = run("100000004", "--as-of", "2024-06-30", "--format", "json")
    assert run("100000004", "--as-of", "30/06/2024", "--format", "json") == iso


def test_default_date_is_the_business_date(examples, settings):
    settings.COBRANZA_BUSINESS_DATE = date(2024, 6, 30)
    assert json.loads(run("100000004", "--format", "json"))["as_of"] == "2024-06-30"
    assert "al 30/06/2024" in run("100000004")


def test_table_is_spanish_with_totals(examples):
    output = run("100000004", "--as-of", "2024-06-30")
    assert "Estado de cuenta de 100000004 · Farmacia San Rafael al 30/06/2024" in output
    for heading in (
        "Período",
        "Vence",
        "Cotización",
        "Recargo",
        "Multa",
        "Interés",
        "Pagado",
        "Pendiente",
        "Total",
    ):
        assert heading in output
    assert "Total pendiente: $89.99." in output
    assert "Saldo a favor: $0.00." in output
    assert STATUS_ES["partial"] in output
    assert "Política 2024.1" in output


def test_csv_has_one_row_per_period_and_a_total_row(examples):
    data = json.loads(run("100000005", "--as-of", "2024-06-30", "--format", "json"))
    rows = list(csv.DictReader(io.StringIO(run("100000005", "--as-of", "2024-06-30", "--format", "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(data["periods"]) + 1
    for row, period in zip(rows, data["periods"], strict=False):
        assert {k: row[k] for k in period} == {k: str(v) for k, v in period.items()}
        assert row["employer_number"] == "100000005" and row["policy_version"] == "2024.1"
    total = rows[-1]
    assert total["period"] == "TOTAL"
    for key in (
        "contribution_outstanding",
        "surcharge_outstanding",
        "fine_outstanding",
        "outstanding",
        "credit",
    ):
        assert total[key] == data["totals"][key]
    assert total["credit"] == "48.32"


def test_output_file(examples, tmp_path):
    target = tmp_path / "estado.json"
    message = run("100000004", "--as-of", "2024-06-30", "--format", "json", "--output", str(target))
    assert "guardado en" in message
    assert json.loads(target.read_text(encoding="utf-8"))["totals"]["outstanding"] == "89.99"


def test_pdf_needs_an_output_file(examples):
    with pytest.raises(CommandError, match="--output"):
        run("100000004", "--as-of", "2024-06-30", "--format", "pdf")


def test_pdf_is_written(examples, tmp_path):
    target = tmp_path / "estado.pdf"
    run("100000004", "--as-of", "2024-06-30", "--format", "pdf", "--output", str(target))
    assert target.read_bytes().startswith(b"%PDF")


def test_pdf_from_the_command_line_is_registered_as_issued(examples, tmp_path):
    """SPEC §8 documents issued: the command's PDF is numbered and kept exactly as written."""
    import hashlib

    from cobranza.documents.models import DocumentKind, IssuedDocument

    target = tmp_path / "estado.pdf"
    run("100000004", "--as-of", "2024-06-30", "--format", "pdf", "--output", str(target))
    issued = IssuedDocument.objects.get(kind=DocumentKind.STATEMENT, employer__employer_number="100000004")
    assert issued.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert issued.issued_by is None


@pytest.mark.parametrize(
    "args,message",
    [
        (["999999999"], "No existe el patrono con número patronal 999999999"),
        (
            ["100000004", "--as-of", "2024-02-30"],
            "Fecha inválida: «2024-02-30» (use AAAA-MM-DD o DD/MM/AAAA)",
        ),
        (["100000004", "--as-of", "ayer"], "Fecha inválida"),
        (["100000004", "--format", "xml"], "Formato desconocido: «xml»"),
        (["100000004", "--as-of", "2010-01-31"], "No hay una versión de la política vigente al 31/01/2010"),
    ],
)
def test_user_mistakes_are_spanish_command_errors(examples, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "args,message",
    [
        (["100000004", "--as-of", "2024-02-30"], "Fecha inválida: «2024-02-30»"),
        (["100000004", "--format", "xml"], "Formato desconocido"),
    ],
)
def test_console_script_exits_non_zero_without_traceback(tmp_path, args, message):
    """The real console script: message on stderr, exit code 1, no traceback (no database needed)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["COBRANZA_DATA_DIR"] = str(tmp_path)
    script = Path(sys.executable).with_name("cobranza")
    done = subprocess.run(
        [str(script), "statement", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
