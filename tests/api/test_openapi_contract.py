"""Issue 10, item 11: the OpenAPI document states the whole contract (schemathesis then checks the
answers against it, tests/api/test_schemathesis.py)."""

import pytest

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def document(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_declares_its_error_statuses_with_the_typed_spanish_schema(document):
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        params = operation.get("parameters", [])
        expected = {"400"}
        if operation.get("security"):
            expected.add("401")
        if any(p["in"] == "path" for p in params):
            expected.add("404")
        if params or "requestBody" in operation:
            expected.add("422")
        assert expected <= set(responses), (method, path, sorted(responses))
        for code, response in responses.items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == ERROR_REF, (path, code)
                assert response["description"] and "Bad Request" not in response["description"]
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"] and "errors" in error["properties"]


def test_pages_and_ids_are_bounded_and_states_are_enums(document):
    def param(path, name):
        params = document["paths"][path]["get"]["parameters"]
        return next(p for p in params if p["name"] == name)["schema"]

    for path in ("/api/employers", "/api/cases"):
        page = param(path, "page")
        assert page["minimum"] == 1 and page["maximum"] == 1_000_000
    case_id = param("/api/cases/{case_id}", "case_id")
    assert case_id["minimum"] == 1 and case_id["maximum"] == 2**63 - 1
    for path, some_state in (("/api/cases", "in_collection"), ("/api/agreements", "lapsed")):
        state = param(path, "state")
        ref = state.get("$ref") or next(s.get("$ref") for s in state.get("anyOf", []) if "$ref" in s)
        enum = document["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
        assert some_state in enum


def test_the_statement_response_is_typed(document):
    ok = document["paths"]["/api/employers/{employer_number}/statement"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StatementOut"}
    statement = document["components"]["schemas"]["StatementOut"]
    assert set(statement["required"]) >= {"employer_number", "as_of", "periods", "totals", "agreements"}
    period = document["components"]["schemas"]["StatementPeriodOut"]
    assert period["properties"]["status"]["enum"] == ["paid", "partial", "unpaid", "not_due"]
