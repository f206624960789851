"""Every agreement page and endpoint × every role: who may open it, and 404 for what they may not see."""

from datetime import date

import pytest
from django.urls import reverse

from tests.agreements.helpers import active_e2
from tests.roles import ALL_ROLES

pytestmark = pytest.mark.django_db

SEES_E2 = {"admin", "jefe", "jefe_sucursal", "gestor1", "callcenter", "juridico", "atencion", "otras"}
PAGES = {
    "agreements:list": set(ALL_ROLES),
    # a collector sees the lists and reports of its own portfolio (issue 9, item 8)
    "agreements:call_list": {"admin", "jefe", "jefe_sucursal", "callcenter", "gestor1", "gestor2"},
    "agreements:reports": {"admin", "jefe", "jefe_sucursal", "gestor1", "gestor2"},
}
CAN_DRAFT = {"jefe", "jefe_sucursal", "gestor1"}  # of those who see 100000002
CAN_APPROVE = {"jefe", "jefe_sucursal"}


@pytest.fixture
def signed(agr):
    return active_e2(agr)


def token(client, username: str) -> dict[str, str]:
    key = client.post(
        "/api/auth/token", {"username": username, "password": "demo"}, content_type="application/json"
    ).json()["token"]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_pages_by_role(client, agr, signed, role):
    user = getattr(agr.users, role)
    client.force_login(user)
    for name, allowed in PAGES.items():
        assert client.get(reverse(name)).status_code == (200 if role in allowed else 403), (role, name)
    expected = 200 if role in SEES_E2 else 404
    for url in (
        reverse("agreements:options", args=["100000002"]),
        reverse("agreements:detail", args=[signed.pk]),
        reverse("agreements:pdf", args=[signed.pk]),
    ):
        response = client.get(url, {"as_of": "2024-06-30"})
        assert response.status_code == expected, (role, url)
    listed = client.get(reverse("agreements:list")).content.decode()
    assert (signed.number in listed) == (role in SEES_E2), role


@pytest.mark.parametrize("role", ALL_ROLES)
def test_draft_and_approve_by_role(client, agr, role, settings):
    from cobranza.agreements.models import Agreement
    from tests.agreements.helpers import AS_OF, draft_e2

    settings.COBRANZA_BUSINESS_DATE = AS_OF  # drafts are dated on the business date
    client.force_login(getattr(agr.users, role))
    response = client.post(
        reverse("agreements:draft", args=["100000002"]),
        {"as_of": "2024-06-30", "start": "2024-07-30", "down_payment": "286.98", "installments": "6"},
    )
    if role not in SEES_E2:
        assert response.status_code == 404
    elif role in CAN_DRAFT:
        assert response.status_code == 302 and Agreement.objects.filter(drafted_by__username=role).exists()
    else:
        assert response.status_code == 403 and not Agreement.objects.exists()
    other = (
        draft_e2(agr, actor=agr.users.gestor1) if not Agreement.objects.exists() else Agreement.objects.get()
    )
    response = client.post(reverse("agreements:approve", args=[other.pk]))
    other.refresh_from_db()
    if role not in SEES_E2:
        assert response.status_code == 404
    else:
        approved = role in CAN_APPROVE and other.drafted_by.username != role
        assert (other.state == "approved") == approved, role


def test_anonymous_is_sent_to_login(client, agr, signed):
    for url in (
        reverse("agreements:list"),
        reverse("agreements:call_list"),
        reverse("agreements:reports"),
        reverse("agreements:options", args=["100000002"]),
        reverse("agreements:detail", args=[signed.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_by_role(client, agr, signed, role):
    auth = token(client, role)
    expected = 200 if role in SEES_E2 else 404
    urls = [
        "/api/employers/100000004/agreement-options?as_of=2024-06-30",
        "/api/employers/100000004/agreement-simulation?as_of=2024-06-30&down_payment=18.00&installments=3",
        "/api/employers/100000002/agreements",
        f"/api/agreements/{signed.pk}",
        f"/api/agreements/{signed.pk}/installments",
    ]
    for url in urls:
        assert client.get(url, **auth).status_code == expected, (role, url)
    listed = client.get("/api/agreements", **auth).json()
    assert [a["number"] for a in listed] == ([signed.number] if role in SEES_E2 else [])


def test_api_content(client, agr, signed):
    auth = token(client, "gestor1")
    options = client.get("/api/employers/100000002/agreement-options?as_of=2024-06-30", **auth).json()
    assert options["debt"] == "0.00"  # every period is in the signed agreement
    assert options["options"] == []
    options = client.get("/api/employers/100000004/agreement-options?as_of=2024-06-30", **auth).json()
    assert (
        options["debt"] == "89.99"
        and options["min_down_payment"] == "18.00"
        and options["max_installments"] == 6
    )
    assert [o["installments"] for o in options["options"]] == [0, 3, 6]
    sim = client.get(
        "/api/employers/100000004/agreement-simulation?as_of=2024-06-30&down_payment=18.00&installments=3",
        **auth,
    ).json()
    assert (
        sim["debt"] == "89.99"
        and sim["installment"] == "24.60"
        and sim["schedule"][0]["due_date"] == "2024-07-30"
    )
    refused = client.get(
        "/api/employers/100000004/agreement-simulation?as_of=2024-06-30&down_payment=1.00&installments=3",
        **auth,
    )
    assert refused.status_code == 400 and "prima mínima" in refused.json()["detail"]
    detail = client.get(f"/api/agreements/{signed.pk}", **auth).json()
    assert detail["state"] == "active" and detail["signed_on"] == "2024-07-05"
    assert [i["amount"] for i in detail["installments"]] == ["199.85"] * 5 + ["199.82"]
    assert detail["monthly_rate"] == "0.0126"
    assert client.get("/api/agreements/999999", **auth).status_code == 404
    assert client.get(f"/api/agreements/{signed.pk}").status_code == 401
    future = client.get("/api/employers/100000004/agreement-options?as_of=2099-01-01", **auth)
    assert future.status_code == 400 and "es futura" in future.json()["detail"]
    beyond = client.get("/api/employers/100000004/agreement-options?as_of=2999-01-01", **auth)
    assert beyond.status_code == 422 and beyond.json()["detail"].startswith(
        "Fecha fuera de rango: «2999-01-01»"
    )
    assert date(2024, 6, 30)
