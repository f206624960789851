"""Every place a person types a date refuses what the institute cannot have (SPEC §5: before
01/01/1954 or after 31/12/2100) and impossible days, in Spanish, and never with a server error:
a form error on pages, 400 on downloads, 422 with a Spanish `detail` in the API, stderr and exit
code 1 without traceback on the command line.

The Django test client re-raises any exception a view lets through, so a 500 fails these tests too.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cobranza.cases import services as case_services
from cobranza.cases.models import ActionOutcome, CollectionAction
from cobranza.employers.imports.values import BadValue, parse_date
from cobranza.portfolio.models import Cover

pytestmark = pytest.mark.django_db

BUSINESS_DAY = date(2024, 6, 30)
RANGE = "(debe estar entre 01/01/1954 y 31/12/2100)."
# (typed, what the message says after «Fecha …»)
BAD_DATES = [
    ("01/01/1900", f"fuera de rango: «01/01/1900» {RANGE}"),
    ("9999-12-31", f"fuera de rango: «9999-12-31» {RANGE}"),
    ("1953-12-31", f"fuera de rango: «1953-12-31» {RANGE}"),
    ("2024-02-30", "inválida: «2024-02-30» (use AAAA-MM-DD o DD/MM/AAAA)."),
]
ids = [typed for typed, _ in BAD_DATES]
bad_dates = pytest.mark.parametrize("typed,reason", BAD_DATES, ids=ids)


@pytest.fixture(autouse=True)
def business_day(settings):
    settings.COBRANZA_BUSINESS_DATE = BUSINESS_DAY
    return BUSINESS_DAY


# -- the employer's page and its documents ---------------------------------------------------------


@bad_dates
def test_employer_page_shows_the_error_on_its_date_field(client, world, typed, reason):
    client.force_login(world.users.jefe)
    response = client.get(reverse("employers:detail", args=[world.own.employer_number]), {"as_of": typed})
    assert response.status_code == 200
    message = f"Fecha de corte {reason}"
    assert response.context["as_of_error"] == f"{message} Se muestra el estado de cuenta de hoy (30/06/2024)."
    assert response.context["statement"].as_of == BUSINESS_DAY  # today's statement, still useful
    content = response.content.decode()
    assert message in content
    # The field keeps what was typed, marked invalid, so it can be corrected.
    assert f'name="as_of" value="{typed}"' in content and "is-invalid" in content


@bad_dates
@pytest.mark.parametrize("download", ["ledger:statement_pdf", "ledger:statement_xlsx"])
def test_statement_downloads_refuse_the_date_with_400(client, world, download, typed, reason):
    client.force_login(world.users.jefe)
    response = client.get(reverse(download, args=[world.own.employer_number]), {"as_of": typed})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert f"Fecha de corte {reason}" in content
    assert reverse("employers:detail", args=[world.own.employer_number]) in content  # a way back


def test_the_bounds_themselves_give_a_statement_and_its_documents(client, world):
    client.force_login(world.users.jefe)
    number = world.own.employer_number
    for typed in ("31/12/2100", "2100-12-31"):
        page = client.get(reverse("employers:detail", args=[number]), {"as_of": typed})
        assert page.status_code == 200 and page.context["as_of_error"] == ""
        assert page.context["statement"].as_of == date(2100, 12, 31)
        assert client.get(reverse("ledger:statement_pdf", args=[number]), {"as_of": typed}).status_code == 200
        assert (
            client.get(reverse("ledger:statement_xlsx", args=[number]), {"as_of": typed}).status_code == 200
        )


# -- other pages and their forms -------------------------------------------------------------------


@bad_dates
@pytest.mark.parametrize("field,label", [("desde", "Fecha inicial"), ("hasta", "Fecha final")])
def test_results_report_date_range(client, world, field, label, typed, reason):
    client.force_login(world.users.jefe)
    response = client.get(reverse("cases:report"), {field: typed})
    assert response.status_code == 200
    assert response.context["error"] == f"{label} {reason}"
    assert f"{label} {reason}" in response.content.decode()
    for download in ("cases:report_xlsx", "cases:report_pdf"):  # the default range, never a 500
        assert client.get(reverse(download), {field: typed}).status_code == 200


@bad_dates
@pytest.mark.parametrize("field,label", [("as_of", "Fecha de cálculo"), ("start", "Fecha")])
def test_agreement_options_page(client, world, field, label, typed, reason):
    client.force_login(world.users.jefe)
    response = client.get(reverse("agreements:options", args=[world.own.employer_number]), {field: typed})
    assert response.status_code == 200
    message = f"{label} {reason} Se muestran las opciones de hoy."
    assert response.context["error"] == message
    assert message in response.content.decode()
    assert response.context["opts"].as_of == BUSINESS_DAY


@bad_dates
def test_agreements_check_form(client, world, typed, reason):
    client.force_login(world.users.jefe)
    response = client.post(reverse("agreements:check_all"), {"as_of": typed})
    assert response.status_code == 400  # the list again, the message beside the date (issue 16)
    assert f"Fecha de revisión {reason}" in response.content.decode()
    assert 'id="id_as_of_error"' in response.content.decode()


@bad_dates
@pytest.mark.parametrize(
    "field,subject",
    [("next_action_on", "Fecha de la próxima gestión"), ("promise_date", "Fecha prometida")],
)
def test_collection_action_form(client, world, field, subject, typed, reason):
    case = case_services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    data = {"kind": "call", "outcome": ActionOutcome.objects.filter(active=True).first().pk, field: typed}
    if field == "promise_date":
        data["promise_amount"] = "10.00"
    response = client.post(reverse("cases:action_create", args=[case.pk]), data)
    assert response.status_code == 400
    assert response.context["action_form"].errors[field] == [f"{subject} {reason}"]
    assert f"{subject} {reason}" in response.content.decode()
    assert not CollectionAction.objects.exists()


@bad_dates
def test_document_form(client, world, typed, reason):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = case_services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    response = client.post(
        reverse("cases:document_upload", args=[case.pk]),
        {
            "documento-file": SimpleUploadedFile(
                "carta.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
            ),
            "documento-doc_type": "correspondence",
            "documento-title": "Carta",
            "documento-document_date": typed,
        },
    )
    assert response.status_code == 400
    assert response.context["document_form"].errors["document_date"] == [f"Fecha del documento {reason}"]


@bad_dates
@pytest.mark.parametrize("field,subject", [("start_date", "Fecha de inicio"), ("end_date", "Fecha de fin")])
def test_cover_form(client, world, field, subject, typed, reason):
    client.force_login(world.users.jefe)
    data = {
        "absent": world.users.gestor1.pk,
        "substitute": world.users.gestor2.pk,
        "start_date": "01/07/2024",
        "end_date": "15/07/2024",
        "reason": "vacaciones",
        field: typed,
    }
    response = client.post(reverse("portfolio:covers"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [f"{subject} {reason}"]
    assert f"{subject} {reason}" in response.content.decode()
    assert not Cover.objects.exists()


# -- the API ---------------------------------------------------------------------------------------


def _auth(client, username: str = "jefe") -> dict[str, str]:
    response = client.post(
        "/api/auth/token", {"username": username, "password": "demo"}, content_type="application/json"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


@bad_dates
def test_api_statement(client, world, typed, reason):
    url = f"/api/employers/{world.own.employer_number}/statement"
    response = client.get(url, {"as_of": typed}, **_auth(client))
    assert response.status_code == 422
    assert response.json()["detail"] == f"Fecha {reason}"


@bad_dates
@pytest.mark.parametrize("endpoint", ["agreement-options", "agreement-simulation"])
@pytest.mark.parametrize("param", ["as_of", "start"])
def test_api_agreement_dates(client, world, endpoint, param, typed, reason):
    query = {param: typed}
    if endpoint == "agreement-simulation":
        query.update(down_payment="10.00", installments="3")
    response = client.get(f"/api/employers/{world.own.employer_number}/{endpoint}", query, **_auth(client))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == f"Fecha {reason}"
    assert body["errors"][0]["campo"] == f"query.{param}"


@bad_dates
@pytest.mark.parametrize("field", ["next_action_on", "promise_date"])
def test_api_collection_action_dates(client, world, field, typed, reason):
    case = case_services.case_for_employer(employer=world.own)
    payload = {
        "kind": "call",
        "outcome": ActionOutcome.objects.filter(active=True).first().name,
        field: typed,
    }
    response = client.post(
        f"/api/cases/{case.pk}/actions", payload, content_type="application/json", **_auth(client, "gestor1")
    )
    assert response.status_code == 422
    assert response.json()["detail"] == f"Fecha {reason}"
    assert not CollectionAction.objects.exists()


def test_api_dates_still_show_as_dates_in_openapi(client, world):
    parameters = client.get("/api/openapi.json").json()["paths"][
        "/api/employers/{employer_number}/agreement-options"
    ]["get"]["parameters"]
    as_of = next(p for p in parameters if p["name"] == "as_of")
    assert "date" in str(as_of["schema"])


# -- the command line ------------------------------------------------------------------------------


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


COMMANDS = [
    # (arguments before the date, option, what the message calls the date)
    (["statement", "300000001"], "--as-of", "Fecha"),
    (["recompute"], "--as-of", "Fecha"),
    (
        ["agreement", "simulate", "300000001", "--down-payment", "10", "--installments", "3"],
        "--as-of",
        "Fecha de corte",
    ),
    (
        ["agreement", "simulate", "300000001", "--down-payment", "10", "--installments", "3"],
        "--start",
        "Fecha de la primera cuota",
    ),
    (["agreement", "check"], "--as-of", "Fecha de revisión"),
    (["agreements", "check"], "--as-of", "Fecha de revisión"),
    (["promises", "check"], "--as-of", "Fecha"),
    (["seed", "--employers", "1", "--years", "1"], "--today", "--today"),
]


@bad_dates
@pytest.mark.parametrize(
    "args,option,subject", COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_commands_refuse_the_date(world, args, option, subject, typed, reason):
    with pytest.raises(CommandError) as error:
        _command(*args, option, typed)
    assert str(error.value) == f"{subject} {reason}"


CONSOLE_CASES = [(["statement", "100000004", "--as-of", typed], reason) for typed, reason in BAD_DATES] + [
    (["seed", "--today", "01/01/1900"], f"--today fuera de rango: «01/01/1900» {RANGE}"),
    (
        ["agreement", "simulate", "1", "--down-payment", "1", "--installments", "3", "--start", "9999-12-31"],
        RANGE,
    ),
]


@pytest.mark.parametrize(
    "args,message", CONSOLE_CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_console_script_exits_non_zero_without_traceback(tmp_path, args, message):
    """The real `cobranza` script: message on stderr, exit code 1, nothing on stdout."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "COBRANZA_BUSINESS_DATE")}
    env["COBRANZA_DATA_DIR"] = str(tmp_path)
    script = Path(sys.executable).with_name("cobranza")
    done = subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


# -- files people fill in --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["01/01/1900", "9999-12-31", "1953-12-31", datetime(1900, 1, 1), date(2101, 1, 1)]
)
def test_import_cells_out_of_range_are_reported(cell):
    with pytest.raises(BadValue) as error:
        parse_date(cell)
    assert error.value.reason == "fecha fuera de rango (debe estar entre 01/01/1954 y 31/12/2100)"


def test_import_cells_impossible_day_keeps_its_reason():
    with pytest.raises(BadValue, match="fecha imposible"):
        parse_date("2024-02-30")
    assert parse_date("01/01/1954") == date(1954, 1, 1) and parse_date("2100-12-31") == date(2100, 12, 31)


@pytest.mark.parametrize(
    "cell,reason",
    [
        ("01/01/1900", "fecha fuera de rango (debe estar entre 01/01/1954 y 31/12/2100)"),
        (datetime(9999, 12, 31), "fecha fuera de rango (debe estar entre 01/01/1954 y 31/12/2100)"),
        ("2024-02-30", "fecha inválida (use dd/mm/aaaa)"),
    ],
)
def test_call_center_results_dates(cell, reason):
    from cobranza.agreements.documents import _cell_date
    from cobranza.common.errors import ApplicationError

    with pytest.raises(ApplicationError) as error:
        _cell_date(cell)
    assert error.value.message == reason
