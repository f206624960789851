"""`cobranza agreement simulate … --format json` against the worked examples (SPEC §6), and the
refusals a user can cause: stderr in Spanish, exit code 1, no traceback."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.agreements.conftest import EXAMPLES

AGREEMENT_EXAMPLES = sorted((EXAMPLES / "expected").glob("agreement_*.json"))


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("agreement", "simulate", *args, stdout=out)
    return out.getvalue()


def test_there_are_agreement_examples():
    assert len(AGREEMENT_EXAMPLES) >= 3


@pytest.mark.django_db
@pytest.mark.parametrize("path", AGREEMENT_EXAMPLES, ids=lambda p: p.stem)
def test_simulate_matches_worked_example(examples, path: Path):
    _, employer, as_of, down, n = path.stem.split("_")
    text = simulate(
        employer, "--down-payment", down, "--installments", n, "--as-of", as_of, "--format", "json"
    )
    expected_text = path.read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(expected_text)
    # Exactly SPEC's layout: key order and json.dumps(indent=1).
    assert text.strip() == json.dumps(json.loads(expected_text), ensure_ascii=False, indent=1)


@pytest.mark.django_db
def test_simulate_accepts_dd_mm_yyyy_and_start(examples):
    data = json.loads(
        simulate(
            "100000002",
            "--down-payment",
            "336.98",
            "--installments",
            "3",
            "--as-of",
            "30/06/2024",
            "--start",
            "2024-08-15",
            "--format",
            "json",
        )
    )
    assert data["as_of"] == "2024-06-30"
    assert [s["due_date"] for s in data["schedule"]] == ["2024-08-15", "2024-09-15", "2024-10-15"]


@pytest.mark.django_db
def test_simulate_table_is_readable(examples):
    text = simulate("100000002", "--down-payment", "336.98", "--installments", "3", "--as-of", "2024-06-30")
    assert "Cuota" in text and "375.24" in text and "amortización francesa" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["100000002", "--down-payment", "100.00", "--installments", "3"],
            ["prima mínima es $286.98", "$1,434.90", "$100.00"],
        ),
        (
            ["100000002", "--down-payment", "336.98", "--installments", "24"],
            ["plazo máximo", "12 cuotas", "24"],
        ),
        (["999999999", "--down-payment", "10", "--installments", "3"], ["No existe el patrono 999999999"]),
        (["100000002", "--down-payment", "abc", "--installments", "3"], ["Prima inválida", "abc"]),
        (["100000002", "--down-payment", "1.234", "--installments", "3"], ["Prima inválida"]),
        (["100000002", "--down-payment", "336.98", "--installments", "tres"], ["Número de cuotas inválido"]),
        (
            ["100000002", "--down-payment", "336.98", "--installments", "3", "--start", "2024-06-01"],
            ["debe vencer después"],
        ),
    ],
)
def test_simulate_refusals(examples, args, fragments):
    with pytest.raises(CommandError) as info:
        simulate(*args, "--as-of", "2024-06-30", "--format", "json")
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.django_db
def test_simulate_bad_date_refused(examples):
    with pytest.raises(CommandError, match="inválida"):
        simulate("100000002", "--down-payment", "336.98", "--installments", "3", "--as-of", "31/02/2024")


@pytest.mark.django_db
def test_console_script_exit_code_and_stderr(examples, capsys):
    """Through the console script's entry point: stderr, exit code 1, no traceback."""
    import sys

    from cobranza import cli

    argv = sys.argv
    sys.argv = [
        "cobranza",
        "agreement",
        "simulate",
        "100000002",
        "--down-payment",
        "10",
        "--installments",
        "3",
        "--as-of",
        "2024-06-30",
        "--format",
        "json",
    ]
    try:
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    finally:
        sys.argv = argv
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "prima mínima" in err and "Traceback" not in err
