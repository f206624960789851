"""The cases API with the pages' visibility: 404 for what the user may not see, 401 without token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cobranza.api.models import ApiToken
from cobranza.cases import services
from cobranza.cases.models import ActionOutcome, CollectionAction
from tests.cases.conftest import PDF_BYTES
from tests.roles import ALL_ROLES, VISIBLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(in_arrears):
    result = {}
    for name in ("own", "colleague", "elsewhere"):
        case = services.case_for_employer(employer=getattr(in_arrears, name))
        document = services.document_store(
            actor=None, case=case, content=PDF_BYTES, filename="a.pdf", doc_type="other", title=f"Doc {name}"
        )
        result[name] = (case, document)
    return result


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=user).key}"}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_cases_api_by_role(client, world, cases, role):
    headers = auth(getattr(world.users, role))
    listed = client.get("/api/cases", **headers).json()
    assert {item["employer_number"] for item in listed["items"]} == {
        getattr(world, n).employer_number for n in VISIBLE[role]
    }
    for name, (case, document) in cases.items():
        visible = name in VISIBLE[role]
        expected = 200 if visible else 404
        assert client.get(f"/api/cases/{case.pk}", **headers).status_code == expected, (role, name)
        assert client.get(f"/api/cases/{case.pk}/actions", **headers).status_code == expected
        documents = client.get(f"/api/cases/{case.pk}/documents", **headers)
        assert documents.status_code == expected
        if visible:
            assert documents.json()[0]["title"] == f"Doc {name}"
        download = client.get(f"/api/documents/{document.pk}/download", **headers)
        assert download.status_code == expected
        number = case.employer.employer_number
        assert client.get(f"/api/employers/{number}/case", **headers).status_code == expected


def test_collector_records_an_action_through_the_api(client, world, cases):
    case, _ = cases["own"]
    headers = auth(world.users.gestor1)
    promised = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/api/cases/{case.pk}/actions",
        {
            "kind": "call",
            "outcome": "Contactado, promete pagar",
            "promise_amount": "50.00",
            "promise_date": promised,
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "Contactado, promete pagar" and body["promise"]["amount"] == "50.00"
    refused = client.post(
        f"/api/cases/{case.pk}/actions",
        {"kind": "call", "outcome": "No contesta", "promise_amount": "50.00", "promise_date": "2020-01-01"},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 400 and "pasado" in refused.json()["detail"]
    hidden, _ = cases["colleague"]
    assert (
        client.post(
            f"/api/cases/{hidden.pk}/actions",
            {"kind": "call", "outcome": "No contesta"},
            content_type="application/json",
            **headers,
        ).status_code
        == 404
    )
    assert CollectionAction.objects.filter(outcome=ActionOutcome.objects.get(name="No contesta")).count() == 0


def test_cases_api_without_token_is_401(client, world, cases):
    case, document = cases["own"]
    assert client.get("/api/cases").status_code == 401
    assert client.get(f"/api/cases/{case.pk}").status_code == 401
    assert client.get(f"/api/documents/{document.pk}/download").status_code == 401
