"""Playwright (sync) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (apt-get install chromium).
Without it these tests are skipped locally, and fail in CI (COBRANZA_REQUIRE_CHROMIUM=1).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COBRANZA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(os.environ.get("COBRANZA_SCREENSHOTS", "test-results/screenshots"))

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (fixtures) are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("COBRANZA_REQUIRE_CHROMIUM"):
            pytest.fail(f"No se encontró Chromium en {CHROMIUM}: apt-get install chromium")
        pytest.skip(f"Chromium no está instalado en {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="es-SV", timezone_id="America/El_Salvador", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    def do_login(username: str, password: str = "demo"):
        page.goto(f"{live_server.url}/cuenta/ingresar/")
        page.get_by_label("Usuario").fill(username)
        page.get_by_label("Contraseña").fill(password)
        page.get_by_role("button", name="Ingresar").click()
        page.wait_for_load_state("networkidle")
        return page

    return do_login


def logout(page) -> None:
    page.get_by_role("button", name="Salir").click()
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Rows the data migrations seed (roles, the default policy version, action outcomes, letter texts).
# Browser tests are transactional: each one flushes the database when it ends, and the serialized
# rollback does not restore it here, so every browser test puts these rows back first (idempotent).
DATA_MIGRATIONS = (
    ("cobranza.common.migrations.0002_roles", "create_groups"),
    ("cobranza.ledger.migrations.0003_default_policy_version", "create_default_version"),
    ("cobranza.cases.migrations.0002_default_outcomes_and_letters", "seed"),
    ("cobranza.legal.migrations.0002_default_required_documents", "forwards"),
)


@pytest.fixture(autouse=True)
def reference_data(request):
    if request.node.get_closest_marker("django_db") is None:
        return
    from importlib import import_module

    from django.apps import apps

    request.getfixturevalue("_django_db_helper")
    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)
