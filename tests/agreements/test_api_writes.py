"""Issue 9, item 9: drafting and approving agreements through the JSON API, with the same rules as
the pages: visibility (404), roles and four eyes (403 with a Spanish `detail`), the policy and the
business date (422), and every status code in the OpenAPI document.

Figures: Textiles del Pacífico (100000002) owes $1,434.90 on 30/06/2024 (the business date of these
tests) for January–March 2024; a 6-installment agreement with the minimum down payment $286.98
(20 % of $1,434.90 = $286.98) finances $1,147.92 at 1.26 % a month: five installments of $199.85
and a last one of $199.82 (the worked example `agreement_100000002_2024-06-30_286.98_6.json`).
Ten business days after Sunday 30/06/2024 are 01–05 and 08–12 July: the down payment is due by
12/07/2024.
"""

import pytest

from cobranza.agreements.models import Agreement, AgreementState
from cobranza.common.models import AuditEvent
from tests.agreements.helpers import AS_OF, draft_e2

pytestmark = pytest.mark.django_db

DRAFT_URL = "/api/employers/100000002/agreements"


@pytest.fixture(autouse=True)
def on_the_examples_date(settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF


def token(client, username: str) -> dict[str, str]:
    key = client.post(
        "/api/auth/token", {"username": username, "password": "demo"}, content_type="application/json"
    ).json()["token"]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, url: str, body=None, auth=None):
    return client.post(url, body or {}, content_type="application/json", **(auth or {}))


def test_draft_returns_the_draft_with_its_schedule(client, agr):
    response = post(client, DRAFT_URL, {"down_payment": 286.98, "installments": 6}, token(client, "gestor1"))
    assert response.status_code == 201, response.content
    data = response.json()
    agreement = Agreement.objects.get()
    assert data["id"] == agreement.pk and data["number"] == agreement.number
    assert (data["state"], data["state_label"]) == ("draft", "Borrador")
    assert (data["as_of"], data["valid_until"]) == ("2024-06-30", "2024-07-12")
    assert (data["debt"], data["down_payment"], data["financed"]) == ("1434.90", "286.98", "1147.92")
    assert data["periods"] == ["2024-01", "2024-02", "2024-03"]
    assert data["drafted_by"] == "gestor1" and data["approved_by"] is None
    schedule = [(i["number"], i["due_date"], i["amount"], i["status"]) for i in data["installments"]]
    assert schedule[0] == (1, "2024-07-30", "199.85", "pending")
    assert schedule[-1] == (6, "2024-12-30", "199.82", "pending")
    assert AuditEvent.objects.filter(action="agreement.draft", actor=agr.users.gestor1).count() == 1
    # The same agreement, read back with its installments and their state.
    detail = client.get(f"/api/agreements/{agreement.pk}", **token(client, "jefe")).json()
    assert [i["status"] for i in detail["installments"]] == ["pending"] * 6


def test_draft_refusals(client, agr):
    assert post(client, DRAFT_URL, {"down_payment": "286.98", "installments": 6}).status_code == 401
    # An employer the user may not see does not exist for it.
    hidden = post(client, DRAFT_URL, {"down_payment": "286.98", "installments": 6}, token(client, "gestor2"))
    assert hidden.status_code == 404 and hidden.json()["detail"] == "Patrono no encontrado."
    # A role that does not draft.
    refused = post(
        client, DRAFT_URL, {"down_payment": "286.98", "installments": 6}, token(client, "callcenter")
    )
    assert refused.status_code == 403 and "Solo un gestor de cobros" in refused.json()["detail"]
    auth = token(client, "gestor1")
    too_little = post(client, DRAFT_URL, {"down_payment": "100.00", "installments": 6}, auth)
    assert too_little.status_code == 422 and "La prima mínima es $286.98" in too_little.json()["detail"]
    back_dated = post(
        client, DRAFT_URL, {"down_payment": "286.98", "installments": 6, "as_of": "2024-05-31"}, auth
    )
    assert back_dated.status_code == 422 and "no se puede antedatar" in back_dated.json()["detail"]
    missing = post(client, DRAFT_URL, {"down_payment": "286.98"}, auth)
    assert missing.status_code == 422 and missing.json()["detail"] == "Datos de la solicitud inválidos."
    bad_date = post(
        client, DRAFT_URL, {"down_payment": "286.98", "installments": 6, "start": "2024-02-30"}, auth
    )
    assert bad_date.status_code == 422 and "2024-02-30" in bad_date.json()["detail"]
    assert not Agreement.objects.exists()


def test_approve_enforces_roles_four_eyes_and_visibility(client, agr):
    agreement = draft_e2(agr)  # drafted by gestor1
    url = f"/api/agreements/{agreement.pk}/approve"
    assert post(client, url).status_code == 401
    assert post(client, url, auth=token(client, "gestor2")).status_code == 404
    assert post(client, "/api/agreements/999999/approve", auth=token(client, "jefe")).status_code == 404
    collector = post(client, url, auth=token(client, "gestor1"))
    assert collector.status_code == 403 and "Solo una jefatura" in collector.json()["detail"]
    approved = post(client, url, auth=token(client, "jefe"))
    assert approved.status_code == 200
    assert (approved.json()["state"], approved.json()["approved_by"]) == ("approved", "jefe")
    again = post(client, url, auth=token(client, "jefe_sucursal"))
    assert again.status_code == 422 and "Solo se aprueba un borrador" in again.json()["detail"]
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.APPROVED and agreement.approved_by == agr.users.jefe


def test_the_author_cannot_approve_its_own_draft(client, agr):
    own = draft_e2(agr, actor=agr.users.jefe)
    response = post(client, f"/api/agreements/{own.pk}/approve", auth=token(client, "jefe"))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"Usted elaboró el convenio {own.number}: no puede aprobarlo; debe aprobarlo otra jefatura."
    )
    own.refresh_from_db()
    assert own.state == AgreementState.DRAFT


def test_openapi_documents_every_status_code(client, agr):
    schema = client.get("/api/openapi.json").json()
    draft = schema["paths"]["/api/employers/{employer_number}/agreements"]["post"]["responses"]
    approve = schema["paths"]["/api/agreements/{agreement_id}/approve"]["post"]["responses"]
    # 400: a request the input layer refuses (a NUL character, a body that is not JSON), issue 10.
    assert set(draft) == {"201", "400", "401", "403", "404", "422"}
    assert set(approve) == {"200", "400", "401", "403", "404", "422"}
    assert "installments" in schema["components"]["schemas"]["DraftIn"]["properties"]
