"""Issue 10 and issue 14 item 8, as a person sees them: a search with a NUL character and an address
of a form opened directly answer Spanish pages with the usual menu, never a server error."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_bad_input_and_wrong_method_show_spanish_pages(world, login, live_server):
    page = login("jefe")
    response = page.goto(f"{live_server.url}/patronos/?q=%00")
    assert response.status == 400
    assert page.get_by_role("heading", name="Solicitud inválida").is_visible()
    assert "carácter nulo" in page.get_by_test_id("error-message").inner_text()
    assert page.get_by_role("link", name="Patronos").is_visible()  # the usual menu: still signed in
    screenshot(page, "error-400-nul")

    response = page.goto(f"{live_server.url}/patronos/?pagina=9223372036854775807")
    assert response.status == 200  # the last page of the list

    response = page.goto(f"{live_server.url}/cuenta/salir/")
    assert response.status == 405
    assert page.get_by_role("heading", name="Operación no permitida").is_visible()
    assert "solo recibe formularios" in page.get_by_test_id("error-message").inner_text()
    screenshot(page, "error-405-get-on-post")
    page.get_by_role("link", name="Ir al inicio").click()
    page.wait_for_load_state("networkidle")
    assert "/cuenta/ingresar/" not in page.url  # still signed in
