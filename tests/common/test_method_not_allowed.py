"""Issue 14, item 8: opening a POST-only address (a form's target) answers 405 with a Spanish page,
not Django's blank response; under /api/ the same answer is JSON. The `Allow` header is kept."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/cuenta/salir/", "/convenios/revision/", "/expedientes/patrono/300000001/abrir/"]
)
def test_get_on_a_post_only_page_is_a_spanish_405_page(client, world, url):
    client.force_login(world.users.jefe)
    response = client.get(url)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("text/html")
    assert "POST" in response["Allow"]
    page = response.content.decode()
    assert "<title>Operación no permitida" in page or "Operación no permitida" in page
    assert "solo recibe formularios enviados desde la aplicación" in page
    assert 'href="/"' in page  # a way back
    assert world.users.jefe.username in page  # the usual menu: the user is still signed in


@pytest.mark.django_db
def test_get_on_a_post_only_api_endpoint_is_json(client, world):
    response = client.get("/api/auth/token")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "POST" in response["Allow"]
    assert "solo recibe" in response.json()["detail"]


@pytest.mark.django_db
def test_unknown_api_address_is_json_404(client, world):
    response = client.get("/api/no-existe")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "La dirección no existe en la API (vea /api/docs)."}
