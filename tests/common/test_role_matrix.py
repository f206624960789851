"""Every page and endpoint × every role: what each one may open, and what it must not see.

A collector sees its portfolio, a branch head its branch, department heads and the institute-wide
units everything. What a user may not see is answered 404 (its existence is not revealed).
"""

import pytest
from django.urls import reverse

from cobranza.api.models import ApiToken
from tests.roles import (
    ALL_ROLES,
    COLLECTORS,
    DESK,
    DESK_OVERDUE,
    HEADS,
    HYGIENE_PAGES,
    HYGIENE_REPORTS,
    LEGAL_PAGES,
    PUBLICATION_PAGES,
    PUBLICATION_READERS,
    SOLVENCY_ISSUERS,
    VISIBLE,
)

# Which of the three employers (own = gestor1's, colleague = gestor2's, elsewhere = other branch) each role sees.

# Pages that do not depend on an employer: who may open them.
PAGES = {
    "employers:list": set(ALL_ROLES),
    "employers:import": {"admin"},
    "password_change": set(ALL_ROLES),  # every user changes their own password (issue 10)
    # service desk (issue 12)
    "desk:index": DESK,
    "desk:create": DESK,
    "desk:worker": DESK,
    "desk:reports": DESK,
    "desk:overdue": DESK_OVERDUE,
    # account hygiene (issue 13; the area users' own matrix is tests/hygiene/test_views_api.py)
    "hygiene:findings": HYGIENE_PAGES & set(ALL_ROLES),
    "hygiene:requests": HYGIENE_PAGES & set(ALL_ROLES),
    "hygiene:reports": HYGIENE_REPORTS,
    "hygiene:reports_excel": HYGIENE_REPORTS,
    # results and goals (issue 14): a collector's own results; goals are the heads' (not the admin's)
    "reports:my_results": COLLECTORS,
    "reports:goals": {"jefe", "jefe_sucursal"},
    "reports:goals_xlsx": {"jefe", "jefe_sucursal"},
    "reports:goals_pdf": {"jefe", "jefe_sucursal"},
    # judicial referral (issue 11): the legal unit's work page (its home) and the reports
    "legal:index": LEGAL_PAGES,
    "legal:reports": LEGAL_PAGES,
    "legal:reports_xlsx": LEGAL_PAGES,
    "legal:reports_pdf": LEGAL_PAGES,
    # the audit list (issue 14): heads and administrators (a branch head reads its branch's events)
    "audit:list": {"admin", "jefe", "jefe_sucursal"},
    # upcoming limitations (issue 11 item 1): heads and administrators, each within what it sees
    "cases:limitation": HEADS,
    "cases:limitation_xlsx": HEADS,
    # publication list (issue 11; a list's own pages: tests/publications/test_views_api.py)
    "publications:index": PUBLICATION_READERS,
    "publications:candidates": PUBLICATION_PAGES,
    "publications:reports": PUBLICATION_PAGES,
    "publications:reports_excel": PUBLICATION_PAGES,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_employer_pages_by_role(client, world, role):
    client.force_login(getattr(world.users, role))
    for name in ("own", "colleague", "elsewhere"):
        employer = getattr(world, name)
        response = client.get(reverse("employers:detail", args=[employer.employer_number]))
        expected = 200 if name in VISIBLE[role] else 404
        assert response.status_code == expected, (role, name)
        if expected == 200:
            assert employer.legal_name in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_employer_list_shows_only_visible(client, world, role):
    client.force_login(getattr(world.users, role))
    content = client.get(reverse("employers:list")).content.decode()
    for name in ("own", "colleague", "elsewhere"):
        employer = getattr(world, name)
        assert (employer.employer_number in content) == (name in VISIBLE[role]), (role, name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_by_role(client, world, role, page):
    client.force_login(getattr(world.users, role))
    response = client.get(reverse(page))
    assert response.status_code == (200 if role in PAGES[page] else 403), (role, page)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["employers:list", "employers:import"])
def test_anonymous_is_sent_to_login(client, world, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_anonymous_employer_detail_redirects(client, world):
    response = client.get(reverse("employers:detail", args=[world.own.employer_number]))
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_by_role(client, world, role):
    token = ApiToken.objects.create(user=getattr(world.users, role)).key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/employers", **auth).json()
    numbers = {item["employer_number"] for item in listed["items"]}
    for name in ("own", "colleague", "elsewhere"):
        employer = getattr(world, name)
        visible = name in VISIBLE[role]
        assert (employer.employer_number in numbers) == visible, (role, name)
        detail = client.get(f"/api/employers/{employer.employer_number}", **auth)
        assert detail.status_code == (200 if visible else 404), (role, name)
        if visible:
            assert detail.json()["legal_name"] == employer.legal_name


@pytest.mark.django_db
def test_api_without_token_is_401(client, world):
    assert client.get("/api/employers").status_code == 401
    assert client.get(f"/api/employers/{world.own.employer_number}").status_code == 401
    assert client.get("/api/employers", HTTP_AUTHORIZATION="Bearer no-existe").status_code == 401


# ---------------------------------------------------------------------------- service desk (issue 12)
def _desk_inquiry(world):
    from cobranza.desk.services import inquiry_register

    return inquiry_register(
        actor=world.users.atencion,
        kind="consulta",
        channel="ventanilla",
        requester_type="patrono",
        requester_name="Ana",
        subject="saldo",
        description="¿Cuánto debo?",
        employer=world.own,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_desk_pages_of_an_employer_by_role(client, world, role, settings, tmp_path):
    """Solvency page: 404 for an employer the user does not see, 403 for a role that does not
    issue, else 200. An inquiry: desk roles that see its employer; a document: whoever sees it."""
    settings.MEDIA_ROOT = tmp_path
    inquiry = _desk_inquiry(world)
    from cobranza.desk.services import solvency_issue

    certificate = solvency_issue(actor=world.users.atencion, employer=world.own).document
    client.force_login(getattr(world.users, role))
    for name in ("own", "colleague", "elsewhere"):
        employer = getattr(world, name)
        response = client.get(reverse("desk:solvency", args=[employer.employer_number]))
        if name not in VISIBLE[role]:
            expected = 404
        else:
            expected = 200 if role in SOLVENCY_ISSUERS else 403
        assert response.status_code == expected, (role, name)
    detail = client.get(reverse("desk:detail", args=[inquiry.number]))
    assert detail.status_code == (
        200 if role in DESK and "own" in VISIBLE[role] else 403 if role not in DESK else 404
    ), role
    download = client.get(reverse("documents:download", args=[certificate.number]))
    assert download.status_code == (200 if "own" in VISIBLE[role] else 404), role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_solvency_api_by_role(client, world, role, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    token = ApiToken.objects.create(user=getattr(world.users, role)).key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for name in ("own", "colleague", "elsewhere"):
        employer = getattr(world, name)
        response = client.post(f"/api/employers/{employer.employer_number}/solvency", **auth)
        if name not in VISIBLE[role]:
            expected = 404
        else:
            expected = 201 if role in SOLVENCY_ISSUERS else 403
        assert response.status_code == expected, (role, name)
    assert client.post(f"/api/employers/{world.own.employer_number}/solvency").status_code == 401


@pytest.mark.django_db
def test_verification_page_is_public(client, world):
    assert client.get(reverse("documents:verify")).status_code == 200
    for page in ("desk:index", "desk:reports", "desk:overdue"):
        assert client.get(reverse(page)).status_code == 302


# -- case files: what each role may DO on a case of an employer it sees (issue 14) ------------------
# 403 for what the role may not do; 404 for what it may not see (tested above and in tests/cases).


@pytest.fixture
def case_world(world):
    """world.own owes 2024-01 ($105.00, overdue) and has a case; world.colleague owes nothing."""
    from datetime import date

    from cobranza.cases import services
    from tests.factories import DeclarationFactory

    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 1))
    world.case = services.case_for_employer(employer=world.own)
    return world


def _case_posts(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cobranza.cases.models import ActionOutcome

    pk = world.case.pk
    reached = ActionOutcome.objects.get(name="Contactado, solicita estado de cuenta").pk
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return {
        "state": (
            reverse("cases:change_state", args=[pk]),
            {"estado-to_state": "in_collection", "estado-reason": "x"},
        ),
        "action": (reverse("cases:action_create", args=[pk]), {"kind": "call", "outcome": reached}),
        "letter": (reverse("cases:letter_create", args=[pk]), {"carta-letter_type": "first_notice"}),
        "email": (
            reverse("cases:letter_send", args=[pk]),
            {"correo-letter_type": "first_notice", "correo-email": "pagos@example.com"},
        ),
        "document": (
            reverse("cases:document_upload", args=[pk]),
            {
                "documento-doc_type": "other",
                "documento-title": "x",
                "documento-file": SimpleUploadedFile("x.pdf", pdf),
            },
        ),
        "batch": (
            reverse("cases:letter_batch_new"),
            {"letter_type": "first_notice", "employer": [world.own.pk]},
        ),
        "contact": (
            reverse("employers:contacts", args=[world.own.employer_number]),
            {"name": "Ana Pérez", "phone": "2222-3333"},
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_case_writes_by_role(client, case_world, role, settings):
    """Each role × each write on a case it sees: the call center is refused (403) letters, documents,
    state changes, batches and contacts, and a call outside its list; the others as their role."""
    from tests.roles import (
        ACTION_RECORDERS,
        CASE_STATE_CHANGERS,
        CONTACT_EDITORS,
        DOCUMENT_WRITERS,
        LETTER_WRITERS,
    )

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    allowed = {
        "action": ACTION_RECORDERS - {"callcenter"},  # the case is not on the call center's list
        "letter": LETTER_WRITERS,
        "email": LETTER_WRITERS,
        "document": DOCUMENT_WRITERS,
        "state": CASE_STATE_CHANGERS,
        "batch": LETTER_WRITERS,
        "contact": CONTACT_EDITORS,
    }
    client.force_login(getattr(case_world.users, role))
    for name, (url, data) in _case_posts(case_world).items():
        response = client.post(url, data)
        visible = "own" in VISIBLE[role]
        if name == "batch" and role not in allowed[name]:
            assert response.status_code == 403, (role, name)
        elif not visible:
            assert response.status_code in (403, 404), (role, name)
        elif role in allowed[name]:
            assert response.status_code == 302, (role, name, response.status_code)
        else:
            assert response.status_code == 403, (role, name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_case_opening_by_role(client, world, role):
    """Opening a case: collectors, heads and legal, for an employer that owes something overdue; the
    call center and the other units are refused (403). world.colleague owes $0.00: refused for all."""
    from datetime import date

    from cobranza.cases.models import CaseFile
    from tests.factories import DeclarationFactory
    from tests.roles import CASE_OPENERS

    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 1))
    client.force_login(getattr(world.users, role))
    for name in ("own", "colleague"):
        employer = getattr(world, name)
        response = client.post(reverse("cases:open", args=[employer.employer_number]))
        if name not in VISIBLE[role]:
            assert response.status_code == 404, (role, name)
        elif role not in CASE_OPENERS:
            assert response.status_code == 403, (role, name)
        else:
            assert response.status_code == 302, (role, name)
    opened = set(CaseFile.objects.values_list("employer__employer_number", flat=True))
    assert world.colleague.employer_number not in opened  # owes $0.00
    assert (world.own.employer_number in opened) == (role in CASE_OPENERS and "own" in VISIBLE[role])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_case_api_by_role(client, case_world, role):
    """The cases API: reads follow visibility (404 otherwise); recording an action is refused to the
    call center outside its list (403) and to roles that do not work cases (403)."""
    from tests.roles import ACTION_RECORDERS

    token = ApiToken.objects.create(user=getattr(case_world.users, role)).key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    pk = case_world.case.pk
    visible = "own" in VISIBLE[role]
    for url in (f"/api/cases/{pk}", f"/api/cases/{pk}/actions", f"/api/cases/{pk}/documents"):
        assert client.get(url, **auth).status_code == (200 if visible else 404), (role, url)
    case_numbers = {c["employer_number"] for c in client.get("/api/cases", **auth).json()["items"]}
    assert (case_world.own.employer_number in case_numbers) == visible
    response = client.post(
        f"/api/cases/{pk}/actions",
        {"kind": "call", "outcome": "Contactado, solicita estado de cuenta"},
        content_type="application/json",
        **auth,
    )
    if not visible:
        assert response.status_code == 404, role
    elif role in ACTION_RECORDERS - {"callcenter"}:
        assert response.status_code == 201, (role, response.content)
    else:
        assert response.status_code == 403, (role, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_logout_by_role(client, world, role):
    """Every role may end its own API session (issue 10); without a token: 401."""
    token = ApiToken.objects.create(user=getattr(world.users, role)).key
    assert client.post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get("/api/employers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert client.post("/api/auth/logout").status_code == 401
