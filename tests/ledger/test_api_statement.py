"""`GET /api/employers/{employer_number}/statement`: exactly the SPEC §5 JSON, and who may see it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cobranza.employers.models import Employer
from cobranza.ledger.selectors import statement_for_employer
from tests.ledger.helpers import assert_statement_matches, expected_cases, load_expected

pytestmark = pytest.mark.django_db


def token(client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/auth/token", {"username": username, "password": "demo"}, content_type="application/json"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


@pytest.mark.parametrize("number,as_of,path", expected_cases(), ids=lambda v: getattr(v, "stem", None))
def test_statement_equals_the_expected_json(client, world, examples, number, as_of, path):
    response = client.get(
        f"/api/employers/{number}/statement?as_of={as_of.isoformat()}", **token(client, "jefe")
    )
    assert response.status_code == 200
    got = response.json()
    assert_statement_matches(got, load_expected(path))
    assert list(got) == ["employer_number", "as_of", "policy_version", "periods", "totals", "agreements"]
    employer = Employer.objects.get(employer_number=number)
    # SPEC §5 key for key, plus each period's limitation clock (issue 11): None/False without debt.
    for period in got["periods"]:
        limitation_date, prescribed = period.pop("limitation_date"), period.pop("prescribed")
        assert prescribed is False
        assert (limitation_date is None) == (period["outstanding"] == "0.00" or period["status"] == "not_due")
    assert got == statement_for_employer(employer, as_of).to_json_dict()


def test_visibility_follows_the_users_portfolio(client, world, examples):
    url = "/api/employers/100000004/statement?as_of=2024-06-30"
    for username in ("gestor1", "gestor_sa", "sin_rol"):
        response = client.get(url, **token(client, username))
        assert response.status_code == 404, username
        assert response.json() == {"detail": "Patrono no encontrado."}
    for username in ("jefe", "jefe_sucursal", "atencion", "admin"):
        assert client.get(url, **token(client, username)).status_code == 200, username
    own = world.own.employer_number
    mine = client.get(f"/api/employers/{own}/statement?as_of=2024-06-30", **token(client, "gestor1"))
    assert mine.status_code == 200
    assert mine.json()["periods"] == [] and mine.json()["totals"]["outstanding"] == "0.00"


def test_unknown_employer_is_404_too(client, world, examples):
    response = client.get("/api/employers/999999999/statement", **token(client, "jefe"))
    assert response.status_code == 404


def test_no_token_is_401(client, world, examples):
    assert client.get("/api/employers/100000004/statement").status_code == 401


@pytest.mark.parametrize("as_of", ["2024-02-30", "30-06-2024", "hoy", "2024-6-31"])
def test_bad_date_is_422_in_spanish(client, world, examples, as_of):
    response = client.get(f"/api/employers/100000004/statement?as_of={as_of}", **token(client, "jefe"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"Fecha inválida: «{as_of}»")


def test_date_without_a_policy_version_is_422(client, world, examples):
    response = client.get("/api/employers/100000004/statement?as_of=2010-01-01", **token(client, "jefe"))
    assert response.status_code == 422
    assert "No hay una versión de la política vigente" in response.json()["detail"]


def test_default_date_is_today(client, world, examples):
    response = client.get("/api/employers/100000004/statement", **token(client, "jefe"))
    assert response.status_code == 200
    assert response.json()["as_of"] == timezone.localdate().isoformat()


def test_documented_in_openapi(client, world):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/employers/{employer_number}/statement" in paths
