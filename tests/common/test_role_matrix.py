"""Every page and endpoint × every role: what each one may open, and what it must not see.

A collector sees its portfolio, a branch head its branch, department heads and the institute-wide
units everything. What a user may not see is answered 404 (its existence is not revealed).
"""

import pytest
from django.urls import reverse

from cobranza.api.models import ApiToken
from tests.roles import ALL_ROLES, VISIBLE

# Which of the three employers (own = gestor1's, colleague = gestor2's, elsewhere = other branch) each role sees.

# Pages that do not depend on an employer: who may open them.
PAGES = {
    "employers:list": set(ALL_ROLES),
    "employers:import": {"admin"},
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
