"""A user changes their own password from the navbar; a user whose password an administrator set is
sent to the change page first. Under the Content-Security-Policy no page logs a violation."""

import pytest
from playwright.sync_api import expect

from cobranza.common.roles import Role
from cobranza.portfolio.services import staff_user_upsert
from tests.e2e.conftest import screenshot


def _watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


@pytest.mark.django_db(transaction=True)
def test_a_collector_changes_the_password_from_the_navbar(world, login, live_server):
    page = login("gestor1")
    violations = _watch_csp(page)
    page.get_by_title("Cambiar contraseña").first.click()
    expect(page.get_by_role("heading", name="Cambiar contraseña")).to_be_visible()
    page.get_by_label("Contraseña actual").fill("demo")
    page.get_by_label("Contraseña nueva", exact=True).fill("12345678")
    page.get_by_label("Repita la contraseña nueva").fill("12345678")
    page.get_by_role("button", name="Cambiar contraseña").click()
    # beside its field (and listed in the form's error summary)
    expect(page.locator(".invalid-feedback").filter(has_text="demasiado corta")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_contain_text("demasiado corta")
    screenshot(page, "contrasena-rechazada")

    page.get_by_label("Contraseña actual").fill("demo")
    page.get_by_label("Contraseña nueva", exact=True).fill("Cuscatlan-recupera-2026")
    page.get_by_label("Repita la contraseña nueva").fill("Cuscatlan-recupera-2026")
    page.get_by_role("button", name="Cambiar contraseña").click()
    expect(page.get_by_text("Su contraseña fue cambiada")).to_be_visible()
    screenshot(page, "contrasena-cambiada")

    # The pages a collector and a head use most, with their scripts (htmx, chart), raise no CSP violation.
    for path in ("/patronos/", f"/patronos/{world.own.employer_number}/", "/expedientes/mi-trabajo/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_user_with_an_assigned_password_must_choose_one(world, login, live_server):
    staff_user_upsert(
        actor=world.users.admin,
        username="nuevo",
        password="Temporal-asignada-2026",
        roles=[Role.LEGAL],
        branch=None,
    )
    page = login("nuevo", "Temporal-asignada-2026")
    violations = _watch_csp(page)
    expect(page.get_by_text("Elija una contraseña propia para continuar")).to_be_visible()
    screenshot(page, "contrasena-obligatoria")
    page.goto(f"{live_server.url}/patronos/")
    expect(page.get_by_role("heading", name="Cambiar contraseña")).to_be_visible()  # sent back
    page.get_by_label("Contraseña actual").fill("Temporal-asignada-2026")
    page.get_by_label("Contraseña nueva", exact=True).fill("Mi-propia-clave-segura-77")
    page.get_by_label("Repita la contraseña nueva").fill("Mi-propia-clave-segura-77")
    page.get_by_role("button", name="Cambiar contraseña").click()
    # then the legal unit's home: its work page (issue 11)
    expect(page.get_by_role("heading", name="Cobro judicial", level=1)).to_be_visible()
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_results_report_chart_draws_under_the_csp(world, login, live_server):
    page = login("jefe")
    violations = _watch_csp(page)
    page.goto(f"{live_server.url}/expedientes/informe/")
    page.wait_for_load_state("networkidle")
    if page.locator("canvas#chart").count():
        assert page.evaluate(
            "() => !!window.Chart && Chart.getChart(document.getElementById('chart')) !== undefined"
        )
    screenshot(page, "reporte-resultados-csp")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_work_under_the_csp(world, login, live_server):
    page = login("admin")
    violations = _watch_csp(page)
    page.goto(f"{live_server.url}/api/docs")
    expect(page.get_by_text("/api/auth/logout")).to_be_visible()
    screenshot(page, "api-docs-csp")
    assert violations == []
