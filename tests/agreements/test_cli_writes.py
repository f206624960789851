"""Issue 9, item 9: `cobranza agreement draft|approve … --user USERNAME` for batch work: the user's
roles and visibility, four eyes, the business date (no back-dating), the agreement printed as JSON,
refusals in Spanish on stderr with exit code 1 and no traceback.

Figures as in `test_api_writes`: 100000002 owes $1,434.90 on 30/06/2024 (January–March 2024); the
minimum down payment $286.98 and 6 installments finance $1,147.92: five of $199.85 due on the 30th
of July to November 2024 and a last one of $199.82 due 30/12/2024; down payment by 12/07/2024.
"""

import json
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cobranza.agreements.models import Agreement, AgreementState
from tests.agreements.helpers import AS_OF, draft_e2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_the_examples_date(settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF


def agreement(*args: str) -> str:
    out = StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


DRAFT = ("draft", "100000002", "--down-payment", "286.98", "--installments", "6")


def test_draft_prints_the_agreement_as_json(agr):
    data = json.loads(agreement(*DRAFT, "--user", "gestor1", "--format", "json"))
    created = Agreement.objects.get()
    assert data["number"] == created.number and data["state"] == "draft"
    assert (data["as_of"], data["valid_until"]) == ("2024-06-30", "2024-07-12")
    assert (data["debt"], data["down_payment"], data["financed"]) == ("1434.90", "286.98", "1147.92")
    assert data["periods"] == ["2024-01", "2024-02", "2024-03"]
    assert [(r["number"], r["due_date"], r["installment"]) for r in data["schedule"]][::5] == [
        (1, "2024-07-30", "199.85"),
        (6, "2024-12-30", "199.82"),
    ]
    assert {r["status"] for r in data["schedule"]} == {"pending"}
    assert created.drafted_by == agr.users.gestor1


def test_approve_four_eyes_and_visibility(agr):
    draft = draft_e2(agr)  # by gestor1
    with pytest.raises(CommandError, match="Solo una jefatura"):
        agreement("approve", draft.number, "--user", "gestor1")
    with pytest.raises(CommandError, match=f"No existe el convenio {draft.number} o su patrono no está"):
        agreement("approve", draft.number, "--user", "gestor2")
    data = json.loads(agreement("approve", draft.number, "--user", "jefe"))
    assert (data["number"], data["state"], data["approved_by"]) == (draft.number, "approved", "jefe")
    with pytest.raises(CommandError, match="Solo se aprueba un borrador"):
        agreement("approve", str(draft.pk), "--user", "jefe_sucursal")
    own = Agreement.objects.get(pk=draft.pk)
    own.state, own.approved_by = AgreementState.CANCELLED, None  # free the periods for a head's draft
    own.save()
    mine = draft_e2(agr, actor=agr.users.jefe)
    with pytest.raises(CommandError, match="Quien elaboró el convenio no puede aprobarlo"):
        agreement("approve", mine.number, "--user", "jefe")


def test_draft_refusals(agr):
    with pytest.raises(CommandError, match="No existe un usuario activo «nadie»"):
        agreement(*DRAFT, "--user", "nadie")
    with pytest.raises(
        CommandError, match="No existe el patrono 100000002 o no está en la cartera de gestor2"
    ):
        agreement(*DRAFT, "--user", "gestor2")
    with pytest.raises(CommandError, match="Solo un gestor de cobros"):
        agreement(*DRAFT, "--user", "callcenter")
    with pytest.raises(CommandError, match="no se puede antedatar"):
        agreement(*DRAFT, "--user", "gestor1", "--as-of", "2024-05-31")
    with pytest.raises(CommandError, match="La prima mínima es \\$286.98"):
        agreement("draft", "100000002", "--down-payment", "100", "--installments", "6", "--user", "gestor1")
    with pytest.raises(CommandError, match="Número de convenio inválido"):
        agreement("approve", "XX-1", "--user", "jefe")
    assert not Agreement.objects.exists()


def test_console_script_refusal_goes_to_stderr_without_traceback(agr, capsys):
    from cobranza import cli

    argv = sys.argv
    sys.argv = ["cobranza", "agreement", *DRAFT, "--user", "gestor2", "--format", "json"]
    try:
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    assert exit_info.value.code == 1 and captured.out == ""
    assert "no está en la cartera de gestor2" in captured.err and "Traceback" not in captured.err
