"""Journeys on a small seeded demo (`cobranza seed --employers 200`, with its demo life): a collector
reads «Mis resultados»; a head sets goals and reads the dashboard (chart, Excel, PDF); and, for every
demo role, every entry of the navigation bar (menus included) opens a page with data on it, at 1366 px
and at 768 px without a table cut off or the page scrolling sideways (the worklist's «Abrir» stays on
screen). The branch collectors (gestor_santa_ana…) are the collector role of gestor1 and gestor2 with a
smaller portfolio: in a 200-employer demo they have a draft agreement each, no signed one."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

ROLES = ("admin", "jefe", "jefe_sucursal", "gestor1", "gestor2", "callcenter", "juridico", "atencion")

# Page content that means "nothing here" when it is the only row of every table on the page.
EMPTY = ("sin ", "no hay", "ninguno", "ninguna")

OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const cut = [];
  for (const t of document.querySelectorAll('main table')) {
    let scroller = t.parentElement, ok = false;
    while (scroller && scroller !== document.body) {
      const ox = getComputedStyle(scroller).overflowX;
      if (ox === 'auto' || ox === 'scroll') { ok = true; break; }
      scroller = scroller.parentElement;
    }
    const r = t.getBoundingClientRect();
    if (!ok && r.right > vw + 1) cut.push((t.dataset.testid || t.className || 'tabla') + ' ' + Math.round(r.right));
  }
  return {page: document.documentElement.scrollWidth - vw, cut};
}"""


@pytest.fixture
def demo(db, settings):
    call_command("seed", employers=200, years=3, seed=42, stdout=StringIO(), stderr=StringIO())


def _nav_links(page):
    return page.eval_on_selector_all(
        "nav .navbar-nav a.nav-link, nav .navbar-nav a.dropdown-item",
        "els => els.map(e => [e.textContent.trim(), e.getAttribute('href')]).filter(l => l[1] && l[1] !== '#')",
    )


def _has_data(page) -> bool:
    """A table row that is not an "empty" message, a chart, or the admin's model list."""
    rows = page.eval_on_selector_all(
        "main table tbody tr", "rs => rs.map(r => r.innerText.trim().toLowerCase()).filter(t => t)"
    )
    if any(not any(r.startswith(e) for e in EMPTY) for r in rows):
        return True
    return page.locator("main svg.chart-svg, main canvas, #content-main .module").count() > 0


@pytest.mark.django_db(transaction=True)
def test_every_role_sees_data_behind_every_navigation_entry(demo, page, login, live_server):
    problems = []
    for username in ROLES:
        page.set_viewport_size({"width": 1366, "height": 900})
        login(username)
        links = _nav_links(page)
        assert links, f"{username}: sin menú"
        if username in ("jefe", "jefe_sucursal"):  # the heads' results report, a tab of «Cartera»
            links.append(("Informe de resultados", "/expedientes/informe/"))
        for label, href in links:
            for width in (1366, 768):
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(f"{live_server.url}{href}")
                page.wait_for_load_state("networkidle")
                if response is None or response.status != 200:
                    problems.append(f"{username} · {label}: HTTP {response.status if response else '?'}")
                    break
                if width == 1366 and not _has_data(page):
                    problems.append(f"{username} · {label} ({href}): página sin datos")
                overflow = page.evaluate(OVERFLOW_JS)
                if overflow["cut"] or overflow["page"] > 1:
                    problems.append(f"{username} · {label} a {width} px: desborde {overflow}")
                slug = href.strip("/").replace("/", "-") or "inicio"
                screenshot(page, f"demo-{username}-{slug}-{width}")
        page.context.clear_cookies()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_worklist_open_button_visible_at_768(demo, page, login, live_server):
    page.set_viewport_size({"width": 768, "height": 900})
    login("gestor1")
    page.goto(f"{live_server.url}/expedientes/mi-trabajo/")
    button = page.get_by_role("link", name="Abrir expediente").first
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 768
    screenshot(page, "demo-worklist-768")
    button.click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    screenshot(page, "demo-case-768")


@pytest.mark.django_db(transaction=True)
def test_collector_sees_my_results(demo, page, login, live_server):
    login("gestor1")
    page.get_by_role("link", name="Mis resultados").click()
    expect(page.get_by_role("heading", name="Mis resultados")).to_be_visible()
    figures = page.get_by_test_id("my-figures")
    expect(figures).to_contain_text("Monto recuperado")
    expect(page.locator("main svg.chart-svg")).to_be_visible()
    body = page.locator("main").inner_text()
    assert "gestor1" not in body and "$" in body
    screenshot(page, "mis-resultados")


@pytest.mark.django_db(transaction=True)
def test_head_sets_goals_and_reads_the_dashboard(demo, page, login, live_server):
    login("jefe")
    page.get_by_test_id("nav-management").click()
    page.get_by_role("link", name="Metas").click()
    expect(page.get_by_role("heading", name="Metas y resultados")).to_be_visible()
    field = page.get_by_label("Meta de monto recuperado de Ana Gabriela Henríquez López")
    field.fill("2,345.67")
    page.get_by_label("Meta de convenios firmados de Ana Gabriela Henríquez López").fill("3")
    page.get_by_role("button", name="Guardar metas").click()
    expect(page.locator(".alert-success")).to_contain_text("guardadas")
    expect(page.get_by_label("Meta de monto recuperado de Ana Gabriela Henríquez López")).to_have_value(
        "$2,345.67"
    )
    body = page.locator("main").inner_text()
    assert "Karla" not in body and "callcenter" not in body and "Sin gestor" not in body
    expect(page.locator("main svg.chart-svg")).to_be_visible()
    screenshot(page, "metas-jefe")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename.startswith("metas-y-resultados-")
    pdf = page.request.get(f"{live_server.url}/informes/metas.pdf")
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
    (screenshot.__globals__["SCREENSHOTS"] / "metas.pdf").write_bytes(pdf.body())
