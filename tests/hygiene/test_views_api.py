"""Hygiene pages and endpoints × every role (the role matrix of this app), and what each one shows."""

import pytest
from django.urls import reverse

from cobranza.api.models import ApiToken
from cobranza.hygiene import services
from cobranza.hygiene.models import CleanupRequest, Finding, RequestStatus
from tests.hygiene.conftest import AS_OF
from tests.roles import ALL_ROLES, HYGIENE_PAGES, HYGIENE_REPORTS

pytestmark = pytest.mark.django_db
AREA_ROLES = ["afiliacion", "contabilidad", "inspeccion"]


def user_of(hyg, role):
    return getattr(hyg.areas, role, None) or getattr(hyg.world.users, role)


@pytest.fixture
def scanned(hyg):
    services.hygiene_scan(actor=None, as_of=AS_OF)
    return hyg


@pytest.mark.parametrize("role", ALL_ROLES + AREA_ROLES)
def test_pages_by_role(client, scanned, role):
    client.force_login(user_of(scanned, role))
    for name in ("hygiene:findings", "hygiene:requests"):
        assert client.get(reverse(name)).status_code == (200 if role in HYGIENE_PAGES else 403), (role, name)
    for name in ("hygiene:reports", "hygiene:reports_excel"):
        assert client.get(reverse(name)).status_code == (200 if role in HYGIENE_REPORTS else 403), (
            role,
            name,
        )
    overdue = client.get(reverse("hygiene:overdue"))
    assert overdue.status_code == (302 if role in HYGIENE_REPORTS else 403), role


@pytest.mark.parametrize("role", ALL_ROLES + AREA_ROLES)
def test_requests_seen_and_answered_by_role(client, scanned, role):
    """Area users see only their area's requests; collectors those of their portfolio; heads all
    (a branch head, its branch); only the owning area may answer."""
    client.force_login(user_of(scanned, role))
    listed = client.get(reverse("hygiene:requests")).content.decode() if role in HYGIENE_PAGES else ""
    for req in CleanupRequest.objects.select_related("employer"):
        visible = {
            "afiliacion": req.area == "afiliacion",
            "contabilidad": req.area == "contabilidad",
            "inspeccion": req.area == "inspeccion",
            "admin": True,
            "jefe": True,
            "jefe_sucursal": req.employer.branch.code == "san-salvador",
            "gestor1": req.employer == scanned.e1,
            "gestor2": req.employer == scanned.e2,
        }.get(role, False)
        assert (req.code in listed) == visible, (role, req.code)
        detail = client.get(reverse("hygiene:request_detail", args=[req.pk]))
        expected = 200 if visible else (404 if role in HYGIENE_PAGES else 403)
        assert detail.status_code == expected, (role, req.code)
        response = client.post(reverse("hygiene:request_resolve", args=[req.pk]), {"answer": "Corregido."})
        req.refresh_from_db()
        if visible and role == req.area:
            assert response.status_code == 302 and req.status == RequestStatus.RESOLVED
        else:
            assert response.status_code in (403, 404) and req.status == RequestStatus.PENDING, (
                role,
                req.code,
            )


def test_area_user_finds_only_its_types(client, scanned):
    client.force_login(scanned.areas.inspeccion)
    page = client.get(reverse("hygiene:findings")).content.decode()
    assert "Dejó de presentar planillas" in page and "$315.00" in page and "estimado" in page
    assert "Pago probablemente duplicado" not in page.split("findings-table")[1]


def test_collector_sends_a_request_from_the_case(client, scanned):
    from cobranza.cases.services import case_for_employer

    case = case_for_employer(employer=scanned.e1, actor=scanned.world.users.gestor1, create=True)
    client.force_login(scanned.world.users.gestor1)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Depuración de la cuenta" in page and "Cotización distinta de tasa × salario afecto" in page
    finding = Finding.objects.get(finding_type="rate_mismatch")
    back = reverse("cases:detail", args=[case.pk])
    response = client.post(
        reverse("hygiene:request_create", args=[scanned.e1.employer_number]),
        {"finding": finding.pk, "note": "Revisar marzo.", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    req = CleanupRequest.objects.get(finding=finding)
    assert req.created_by == scanned.world.users.gestor1 and req.area == "afiliacion"
    # empty form: a Spanish message, nothing created
    count = CleanupRequest.objects.count()
    client.post(reverse("hygiene:request_create", args=[scanned.e1.employer_number]), {"next": back})
    assert CleanupRequest.objects.count() == count
    # an employer outside the portfolio is not revealed
    other = client.post(
        reverse("hygiene:request_create", args=[scanned.e3.employer_number]),
        {"area": "afiliacion", "note": "x"},
    )
    assert other.status_code == 404


def test_reports_screen_and_excel(client, scanned):
    client.force_login(scanned.world.users.jefe)
    page = client.get(reverse("hygiene:reports")).content.decode()
    assert "<svg" in page and "$315.00" in page and "Inspección" in page
    response = client.get(reverse("hygiene:reports_excel"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(response.content))
    rows = {r[0]: r for r in wb["Hallazgos por tipo"].iter_rows(min_row=2, values_only=True)}
    assert rows["Dejó de presentar planillas (estimado)"][1:3] == (1, 315)


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=user).key}"}


@pytest.mark.parametrize("role", ALL_ROLES + AREA_ROLES)
def test_api_by_role(client, scanned, role):
    auth = bearer(user_of(scanned, role))
    findings = client.get("/api/findings", **auth)
    requests = client.get("/api/cleanup-requests", **auth)
    if role not in HYGIENE_PAGES:
        assert findings.status_code == 403 and requests.status_code == 403
        return
    keys = {f["type"] for f in findings.json()}
    if role == "inspeccion":
        assert keys == {"stopped_filer"}
        assert findings.json()[0]["amount"] == "315.00" and findings.json()[0]["is_estimate"] is True
    codes = {r["code"] for r in requests.json()}
    assert codes == {
        r.code for r in CleanupRequest.objects.all() if role in ("admin", "jefe") or r.area == role
    } or role in (
        "jefe_sucursal",
        "gestor1",
        "gestor2",
    )
    req = CleanupRequest.objects.get(finding__finding_type="out_of_life_payment")
    response = client.post(
        f"/api/cleanup-requests/{req.pk}/resolve",
        {"answer": "Fecha de inscripción corregida."},
        content_type="application/json",
        **auth,
    )
    if role == "afiliacion":
        assert response.status_code == 200 and response.json()["status"] == "resolved"
        again = client.post(
            f"/api/cleanup-requests/{req.pk}/resolve",
            {"answer": "otra vez"},
            content_type="application/json",
            **auth,
        )
        assert again.status_code == 422 and "resuelta" in again.json()["detail"]
    elif role in ("admin", "jefe"):
        assert response.status_code == 403
    elif role in ("contabilidad", "inspeccion", "jefe_sucursal", "gestor1", "gestor2"):
        assert response.status_code == 404  # E3 (Santa Ana) or another area: not visible


def test_api_filters_and_errors(client, scanned):
    auth = bearer(scanned.world.users.jefe)
    listed = client.get(
        f"/api/findings?type=duplicate_payment&employer={scanned.e3.employer_number}", **auth
    ).json()
    assert [(f["payment_ids"], f["amount"]) for f in listed] == [(["P-E3-A", "P-E3-B"], "105.00")]
    bad = client.get("/api/findings?type=otro", **auth)
    assert bad.status_code == 422 and "desconocido" in bad.json()["detail"]
    assert client.get("/api/findings").status_code == 401
