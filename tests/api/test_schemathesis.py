"""The OpenAPI document is the API's contract, checked by schemathesis (issue 10, item 11).

A bounded, deterministic run through schemathesis' pytest integration: for every operation of
`/api/openapi.json`, a few generated requests (`MAX_EXAMPLES`, derandomized, no example database,
NUL characters allowed) sent in-process to the WSGI application with the token of a department head
(who sees everything), each answer checked for: no server error, a documented status code, the
documented content type and headers, and a body that conforms to the documented schema. Generated
path values rarely exist, so `test_real_resources_conform` also sends requests for records that do
exist (the worked examples: an employer with a statement, an agreement, a case) and checks them the
same way.

Budget: ~25 operations × MAX_EXAMPLES requests; well under the 60 s allowed inside `make test`.
"""

from __future__ import annotations

import copy

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cobranza.api.api import api
from tests.agreements.conftest import load_examples

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def with_hostile_examples(document: dict) -> dict:
    """The API's document plus explicit examples for this run only (the served document is not
    changed): every text parameter once with a NUL character, every bounded number once at its
    maximum, and the token request with `"\u0000admin"`: the requests of the hardening report,
    sent on every run whatever the generator draws."""
    document = copy.deepcopy(document)
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                kind = parameter.get("schema", {})
                if kind.get("type") == "string" and not kind.get("format") and "enum" not in kind:
                    parameter["example"] = "4000\x0024333"
                elif kind.get("type") == "integer" and "maximum" in kind:
                    parameter["example"] = kind["maximum"]
    token = document["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]["application/json"]
    token["example"] = {"username": "\x00admin", "password": "demo"}
    return document


schema = schemathesis.openapi.from_dict(with_hostile_examples(api.get_openapi_schema()))


def in_test_transaction(app):
    """The WSGI application, run in this thread inside the test's transaction: like Django's test
    client, the request signals must not close that connection (PostgreSQL would lose it)."""
    from django.core import signals
    from django.db import close_old_connections

    def wrapped(environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    return wrapped


schema.app = in_test_transaction(get_wsgi_application())
schema.config.generation.update(
    max_examples=MAX_EXAMPLES, deterministic=True, database="none", allow_x00=True
)


@pytest.fixture
def head_auth(client, world) -> dict[str, str]:
    """The bearer header of a department head, obtained as any client would."""
    response = client.post(
        "/api/auth/token", {"username": "jefe", "password": "demo"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, head_auth):
    case.call_and_validate(headers=head_auth, checks=CHECKS)


def check(calls: list, auth: dict[str, str]) -> None:
    for path, method, path_parameters, query in calls:
        case = schema[path][method].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate(headers=auth, checks=CHECKS)
        assert response.status_code == 200, (path, response.text)


@pytest.mark.django_db
def test_real_resources_conform(client, world, head_auth, settings):
    """Existing records through the same checks: the bodies of 200s match their schemas."""
    from datetime import date

    from cobranza.cases.models import CaseFile

    settings.COBRANZA_BUSINESS_DATE = date(2024, 6, 30)
    load_examples()
    employer = "100000002"
    calls = [
        ("/api/employers", "GET", {}, {"search": "textiles"}),
        ("/api/employers/{employer_number}", "GET", {"employer_number": employer}, {}),
        (
            "/api/employers/{employer_number}/statement",
            "GET",
            {"employer_number": employer},
            {"as_of": "2024-06-30"},
        ),
        ("/api/employers/{employer_number}/agreement-options", "GET", {"employer_number": employer}, {}),
        (
            "/api/employers/{employer_number}/agreement-simulation",
            "GET",
            {"employer_number": employer},
            {"down_payment": "286.98", "installments": 6},
        ),
        ("/api/cases", "GET", {}, {}),
    ]
    check(calls, head_auth)
    statement = client.get(
        f"/api/employers/{employer}/statement?as_of=2024-06-30", HTTP_AUTHORIZATION=head_auth["Authorization"]
    ).json()
    assert statement["totals"]["outstanding"] == "1434.90"  # the worked example's debt, as before
    assert [p["status"] for p in statement["periods"]][:1] in (["unpaid"], ["partial"], ["paid"])
    # a case file and a draft agreement (a department head may open and draft)
    client.force_login(world.users.jefe)
    assert client.post(f"/expedientes/patrono/{employer}/abrir/").status_code == 302
    drafted = client.post(
        f"/api/employers/{employer}/agreements",
        {"down_payment": "286.98", "installments": 6},
        content_type="application/json",
        HTTP_AUTHORIZATION=head_auth["Authorization"],
    )
    assert drafted.status_code == 201, drafted.content
    agreement_id = drafted.json()["id"]
    case_ids = list(CaseFile.objects.filter(employer__employer_number=employer).values_list("pk", flat=True))
    assert case_ids
    calls = [
        ("/api/employers/{employer_number}/agreements", "GET", {"employer_number": employer}, {}),
        ("/api/agreements", "GET", {}, {"state": "draft"}),
        ("/api/agreements/{agreement_id}", "GET", {"agreement_id": agreement_id}, {}),
        ("/api/agreements/{agreement_id}/installments", "GET", {"agreement_id": agreement_id}, {}),
    ]
    for case_id in case_ids:
        calls += [
            ("/api/cases/{case_id}", "GET", {"case_id": case_id}, {}),
            ("/api/cases/{case_id}/actions", "GET", {"case_id": case_id}, {}),
            ("/api/cases/{case_id}/documents", "GET", {"case_id": case_id}, {}),
        ]
    check(calls, head_auth)
