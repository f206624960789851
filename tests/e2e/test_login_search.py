"""A collector logs in, searches its employer, opens it; a colleague's employer stays hidden."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


@pytest.mark.django_db(transaction=True)
def test_collector_logs_in_finds_and_opens_its_employer(world, login, live_server):
    page = login("gestor1")
    expect(page.get_by_role("heading", name="Mi trabajo")).to_be_visible()  # a collector's home
    page.get_by_role("link", name="Patronos").click()
    expect(page.get_by_role("heading", name="Patronos")).to_be_visible()
    screenshot(page, "patronos-gestor1")

    page.get_by_placeholder("Número patronal, NIT o nombre").fill("nandu")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("link", name=world.own.employer_number)).to_be_visible()
    expect(page.get_by_text(world.colleague.employer_number)).to_have_count(0)

    page.get_by_role("link", name=world.own.employer_number).click()
    expect(page.get_by_role("heading", name=world.own.legal_name)).to_be_visible()
    expect(page.get_by_test_id("assigned-collector")).to_have_text("gestor1")
    screenshot(page, "patrono-gestor1")

    response = page.goto(f"{live_server.url}/patronos/{world.colleague.employer_number}/")
    assert response.status == 404
    expect(page.get_by_text("Página no encontrada")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_spanish_message(world, login):
    page = login("gestor1", "incorrecta")
    expect(page.get_by_text("Usuario o contraseña incorrectos")).to_be_visible()
