"""Accessibility (issue 16): axe-core (bundled by axe-playwright-python) run in Chromium over the
pages every role works on, and over the main forms in their error state; the WCAG 2.0/2.1 A and AA
rules must report 0 violations. A second test completes the login and «Registrar gestión» with
the keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.agreements.helpers import draft_e2
from tests.e2e.conftest import screenshot

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}


@pytest.fixture
def a11y_world(world):
    """`world` plus the worked examples: 100000002 (Textiles del Pacífico, in arrears, with a draft
    agreement) in gestor1's portfolio, and its collection case."""
    from types import SimpleNamespace

    from cobranza.cases.services import case_for_employer
    from cobranza.employers.models import Employer
    from cobranza.portfolio.models import Assignment
    from tests.agreements.conftest import load_examples

    load_examples()
    e2 = Employer.objects.get(employer_number="100000002")
    Assignment.objects.create(employer=e2, collector=world.users.gestor1, reason="prueba")
    agreement = draft_e2(SimpleNamespace(users=world.users, e2=e2))
    case = case_for_employer(employer=e2)
    return SimpleNamespace(world=world, employer=e2, agreement=agreement, case=case)


def _violations(axe: Axe, page) -> list[str]:
    page.wait_for_load_state("networkidle")
    results = axe.run(page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} → {targets}")
    return found


ERROR_PATTERN_JS = """() => {
  const active = document.activeElement;
  const invalid = [...document.querySelectorAll('[aria-invalid="true"]')];
  const broken = invalid.flatMap(f => (f.getAttribute('aria-describedby') || '').split(/\\s+/)
    .filter(id => id && !document.getElementById(id)).map(id => f.id + ' → #' + id));
  const unlinked = invalid.filter(f => !f.getAttribute('aria-describedby')).map(f => f.id);
  return {summaryFocused: !!(active && active.hasAttribute('data-error-summary')),
          invalid: invalid.map(f => f.id), broken, unlinked};
}"""


def _assert_error_pattern(page, fields: list[str]) -> None:
    """The pattern of every form sent with errors: the summary has the focus; each invalid field is
    marked aria-invalid and described by its error, rendered beside it with the id it names."""
    expect(page.locator("[data-error-summary]")).to_be_focused()  # htmx focuses it once settled
    state = page.evaluate(ERROR_PATTERN_JS)
    assert state["summaryFocused"], state
    assert set(fields) <= set(state["invalid"]), state
    assert not state["broken"] and not state["unlinked"], state
    for field in fields:
        expect(page.locator(f"#{field}_error")).to_be_visible()


def _logout(page) -> None:
    page.context.clear_cookies()


@pytest.mark.django_db(transaction=True)
def test_pages_and_forms_have_no_wcag_21_aa_violations(a11y_world, page, login, live_server):
    axe = Axe()
    base = live_server.url
    problems: dict[str, list[str]] = {}

    def check(name: str, shot: bool = False) -> None:
        found = _violations(axe, page)
        if found:
            problems[f"{name} ({page.url.removeprefix(base)})"] = found
        if shot:
            screenshot(page, f"a11y-{name}")

    # the login page, then its error state after an empty submit
    page.goto(f"{base}/cuenta/ingresar/")
    check("login")
    page.get_by_role("button", name="Ingresar").click()
    _assert_error_pattern(page, ["id_username", "id_password"])
    check("login-error", shot=True)

    # the main page of every role
    for username in ("gestor1", "jefe", "callcenter", "atencion", "admin"):
        login(username)
        page.goto(f"{base}/")
        check(f"inicio-{username}")
        _logout(page)

    # the collector's employer page with its statement, the case file, the agreement
    employer, case = a11y_world.employer, a11y_world.case
    login("gestor1")
    page.goto(f"{base}/patronos/{employer.employer_number}/?as_of=2024-06-30")
    expect(page.get_by_role("link", name="PDF").first).to_be_visible()
    check("patrono")
    # a period's drill-down, fetched on demand by htmx (issue 15)
    page.get_by_test_id("period-detail-button").first.click()
    expect(page.locator("pre.explanation").first).to_be_visible()
    check("patrono-detalle", shot=True)
    page.goto(f"{base}/convenios/{a11y_world.agreement.pk}/")
    check("convenio")
    page.goto(f"{base}/expedientes/{case.pk}/")
    check("expediente")
    form = page.get_by_test_id("action-form")
    form.get_by_role("button", name="Guardar gestión").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_outcome"])
    check("expediente-gestion-error", shot=True)
    page.goto(f"{base}/cuenta/contrasena/")
    page.get_by_role("button", name="Cambiar contraseña").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_old_password", "id_new_password1", "id_new_password2"])
    check("contrasena-error", shot=True)
    _logout(page)

    # the import page, then its form sent empty (an htmx swap)
    login("admin")
    page.goto(f"{base}/patronos/importar/")
    check("importar")
    page.get_by_role("button", name="Importar").click()
    expect(page.locator("#id_file_error")).to_be_visible()
    _assert_error_pattern(page, ["id_file"])
    check("importar-error", shot=True)

    _logout(page)

    # the pages of the service desk, account hygiene, results and goals, and the audit trail
    pages = {
        "gestor1": [
            "/informes/mis-resultados/",
            "/depuracion/solicitudes/",
            f"/juridico/expedientes/{case.pk}/remitir/",  # the referral's criteria (issue 11)
        ],
        "jefe": [
            "/informes/metas/",
            "/auditoria/",
            "/atencion/vencidas/",
            "/atencion/reportes/",
            "/depuracion/",
            "/depuracion/reportes/",
            "/publicaciones/",
            "/publicaciones/candidatos/",
            "/publicaciones/reportes/",
            "/juridico/",
            "/juridico/informes/",
        ],
        "juridico": ["/juridico/"],
        "atencion": ["/atencion/", "/atencion/nueva/", "/atencion/trabajador/"],
    }
    for username, urls in pages.items():
        login(username)
        for url in urls:
            page.goto(f"{base}{url}")
            check(f"{username}{url.replace('/', '-').rstrip('-')}")
        _logout(page)
    # the public verification page, with a code that does not exist
    page.goto(f"{base}/verificar/")
    check("verificar")
    page.goto(f"{base}/verificar/?codigo=AAAA-BBBB-CCCC")
    check("verificar-codigo-desconocido")

    assert not problems, "Violaciones WCAG 2.1 AA (axe-core):\n" + "\n".join(
        f"- {where}:\n    " + "\n    ".join(found) for where, found in problems.items()
    )


def _focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {id: e.id, tag: e.tagName, text: (e.innerText || e.value || '').trim()}; }"
    )


def _tab_to(page, target: str, most: int) -> int:
    """Tab until the element whose id (or text) is `target` has the focus; fails after `most` stops."""
    seen = []
    for stops in range(1, most + 1):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if target in (focused["id"], focused["text"]):
            return stops
        seen.append(focused["id"] or focused["text"][:20])
    raise AssertionError(f"«{target}» no se alcanza con {most} pulsaciones de Tab: {seen}")


@pytest.mark.django_db(transaction=True)
def test_login_and_register_an_action_with_the_keyboard_alone(a11y_world, page, live_server):
    base = live_server.url
    case = a11y_world.case

    # login: the first Tab stop is «Saltar al contenido»; the user name has the focus on arrival
    page.goto(f"{base}/cuenta/ingresar/")
    assert _focused(page)["id"] == "id_username"
    page.keyboard.type("gestor1")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_password"
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Mi trabajo")).to_be_visible()

    # the focus ring shows on the navy menu bar: a yellow outline (contrast 9:1 on #0b3d91)
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Saltar al contenido"
    page.keyboard.press("Tab")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.closest('nav') !== null, s.outlineStyle, s.outlineColor, s.outlineWidth]; }"
    )
    assert ring == [True, "solid", "rgb(255, 212, 59)", "3px"], ring
    screenshot(page, "a11y-foco-menu")

    # the case file: skip the menu, reach «Registrar gestión» and send it empty
    page.goto(f"{base}/expedientes/{case.pk}/")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Saltar al contenido"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "contenido"
    _tab_to(page, "id_kind", most=12)
    _tab_to(page, "id_notes", most=6)
    page.keyboard.type("Sin respuesta en el número principal.")
    assert _tab_to(page, "Guardar gestión", most=4) == 4  # next action, promise amount and date
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")

    # the error summary has the focus; its link takes the keyboard to the field
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Resultado: Este campo es obligatorio.")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Resultado"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "id_outcome"
    for _ in range(7):  # «No contesta», the 7th outcome
        page.keyboard.press("ArrowDown")
    expect(page.locator("#id_outcome option:checked")).to_have_text("No contesta")
    expect(page.locator("#id_notes")).to_have_value("Sin respuesta en el número principal.")
    _tab_to(page, "Guardar gestión", most=5)
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Gestión registrada.")).to_be_visible()
    expect(page.get_by_test_id("chronology")).to_contain_text("No contesta")
    screenshot(page, "a11y-gestion-con-teclado")


@pytest.mark.django_db(transaction=True)
def test_agreement_desk_and_case_forms_in_their_error_state(
    a11y_world, page, login, live_server, settings, tmp_path
):
    """Issue 16, the forms the last review found outside the shared pattern: each agreement, service
    desk and case file form sent with errors keeps the browser's English out (`novalidate`), shows
    the server's Spanish message beside each field under the id its `aria-describedby` names, marks
    it `aria-invalid`, gives the focus to the error summary, and has 0 WCAG 2.1 A/AA violations."""
    from cobranza.agreements import services as agreement_services
    from tests.agreements.helpers import pay

    settings.MEDIA_ROOT = tmp_path / "media"
    axe = Axe()
    base = live_server.url
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = _violations(axe, page)
        if found:
            problems[f"{name} ({page.url.removeprefix(base)})"] = found
        screenshot(page, f"a11y-{name}")

    employer, case, agreement = a11y_world.employer, a11y_world.case, a11y_world.agreement
    users = a11y_world.world.users

    # the agreement options of 100000004 (100000002's periods are held by its draft): a premium and a
    # number of installments typed wrong
    login("jefe")
    page.goto(f"{base}/convenios/patrono/100000004/opciones/")
    simulate = page.get_by_test_id("simulate-form")
    simulate.get_by_label("Prima ($)").fill("cien")
    simulate.get_by_label(re.compile(r"Cuotas \(máx")).fill("0")
    simulate.get_by_role("button", name="Calcular", exact=True).click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_down_payment", "id_installments"])
    expect(page.locator("#id_installments_error")).to_have_text("Al menos una cuota.")
    check("convenio-opciones-error")
    _logout(page)

    # the draft, cancelled without a reason by its drafter
    login("gestor1")
    page.goto(f"{base}/convenios/{agreement.pk}/")
    page.get_by_test_id("cancel-form").get_by_role("button", name="Anular").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_reason"])
    expect(page.locator("#id_reason_error")).to_have_text("Indique el motivo de la anulación.")
    check("convenio-anular-error")
    _logout(page)

    # the case file's letter, document and state forms (the action form is checked above)
    login("gestor1")
    page.goto(f"{base}/expedientes/{case.pk}/")
    letter = page.get_by_test_id("letter-form")
    letter.get_by_label("Próxima gestión (opcional)").fill("31/02/2025")
    letter.get_by_role("button", name="Generar carta").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_carta-next_action_on"])
    check("expediente-carta-error")
    page.get_by_test_id("document-form").get_by_role("button", name="Subir documento").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_documento-file", "id_documento-title"])
    check("expediente-documento-error")
    page.get_by_test_id("transition-form").get_by_role("button", name="Cambiar estado").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_estado-reason"])
    check("expediente-estado-error")
    _logout(page)

    # the agreement signed: the head's check (a date that does not exist), restructure (empty) and call
    agreement_services.agreement_approve(actor=users.jefe, agreement=agreement)
    payment = pay(employer, "PRIMA-1", agreement.as_of.replace(day=5, month=7), "286.98")
    agreement_services.agreement_register_down_payment(
        actor=users.gestor1, agreement=agreement, payment=payment
    )
    login("jefe")
    page.goto(f"{base}/convenios/{agreement.pk}/")
    check_form = page.get_by_test_id("check-form")
    check_form.get_by_label("Revisar cuotas al").fill("31/02/2024")
    check_form.get_by_role("button", name="Revisar").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_as_of"])
    check("convenio-revision-error")
    page.get_by_test_id("restructure-form").get_by_role("button", name="Reestructurar").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_down_payment", "id_installments"])
    expect(page.locator("#id_down_payment_error")).to_have_text("Indique la prima.")
    check("convenio-reestructura-error")
    call = page.get_by_test_id("call-form")
    call.get_by_label("Fecha", exact=True).fill("")
    call.get_by_label("Monto prometido").fill("mucho")
    call.get_by_role("button", name="Registrar llamada").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_called_on", "id_promised_amount"])
    check("convenio-llamada-error")
    _logout(page)

    # the service desk: a registration sent empty, then an attachment, a worker's inquiry, the report
    login("atencion")
    page.goto(f"{base}/atencion/nueva/")
    page.get_by_role("button", name=re.compile(r"^\W*Registrar$")).click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_requester_name", "id_description"])
    expect(page.locator("#id_requester_name_error")).to_contain_text("obligatorio")
    check("atencion-registro-error")
    page.get_by_label("Nombre de quien consulta").fill("María Pérez, contadora")
    page.get_by_label("Número patronal").fill(employer.employer_number)
    page.get_by_label("Detalle").fill("Pide su estado de cuenta.")
    page.get_by_role("button", name=re.compile(r"^\W*Registrar$")).click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("attachment-form").get_by_role("button", name="Adjuntar").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_attachment"])
    check("atencion-adjunto-error")
    page.goto(f"{base}/atencion/trabajador/?q={employer.employer_number}&patrono={employer.employer_number}")
    page.get_by_role("button", name="Responder y registrar").click()
    page.wait_for_load_state("networkidle")
    _assert_error_pattern(page, ["id_requester_name"])
    check("atencion-trabajador-error")
    _logout(page)
    login("jefe")
    page.goto(f"{base}/atencion/reportes/?start=31/02/2024&end=ayer")
    _assert_error_pattern(page, ["id_start", "id_end"])
    check("atencion-reportes-error")

    assert not problems, "Violaciones WCAG 2.1 AA (axe-core):\n" + "\n".join(
        f"- {where}:\n    " + "\n    ".join(found) for where, found in problems.items()
    )
