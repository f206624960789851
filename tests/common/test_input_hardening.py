"""Issue 10, items 1 and 2: a NUL byte or an out-of-range number never gives a server error.

Every request of the report, answered by the one input layer (`cobranza.common.sanitize`): a NUL
anywhere in the path, the query string or the body is a Spanish 400 (JSON under /api/, a page
elsewhere) before any view or database sees it; page numbers and ids are bounded in the API schemas
(422) and the pages clamp a huge `pagina` to the last page. PostgreSQL is the database that failed
(psycopg refuses NUL in a string; OFFSET over a bigint): CI runs this module on it too.
"""

import pytest

from cobranza.common.sanitize import MAX_PAGE, bounded_page

HUGE = "9223372036854775807"


def _token(client, username="jefe"):
    response = client.post(
        "/api/auth/token", {"username": username, "password": "demo"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def _assert_api_400(response, where):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert "carácter nulo" in body["detail"]
    assert body["errors"][0]["campo"] == where


@pytest.mark.django_db
def test_nul_in_api_search_is_a_spanish_400(client, world):
    _assert_api_400(client.get("/api/employers?search=%00", **_token(client)), "search")


@pytest.mark.django_db
def test_nul_in_api_path_is_a_spanish_400(client, world):
    response = client.get("/api/employers/400024333%00", **_token(client))
    _assert_api_400(response, "ruta")


@pytest.mark.django_db
def test_nul_in_token_request_is_refused_before_the_view(client, world):
    """No login needed for this one: the JSON body carries an escaped NUL."""
    response = client.post(
        "/api/auth/token",
        '{"username": "\\u0000admin", "password": "demo"}',
        content_type="application/json",
    )
    _assert_api_400(response, "username")


@pytest.mark.django_db
def test_nul_nested_in_a_json_body_is_refused(client, world):
    response = client.post(
        "/api/cases/1/actions",
        '{"kind": "call", "notes": "hola", "extra": [{"x": "a\\u0000"}]}',
        content_type="application/json",
        **_token(client),
    )
    _assert_api_400(response, "extra.0.x")


@pytest.mark.django_db
def test_a_backslash_u0000_that_is_text_is_not_a_nul(client, world):
    """`"\\\\u0000"` in JSON is a backslash followed by "u0000": harmless text, not refused."""
    response = client.post(
        "/api/auth/token",
        '{"username": "\\\\u0000admin", "password": "demo"}',
        content_type="application/json",
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_nul_in_page_search_is_a_spanish_page(client, world):
    client.force_login(world.users.jefe)
    response = client.get("/patronos/?q=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Solicitud inválida" in page and "carácter nulo" in page and "«q»" in page
    assert "Traceback" not in page


@pytest.mark.django_db
def test_nul_in_a_posted_form_is_a_spanish_page(client, world):
    client.force_login(world.users.jefe)
    response = client.post("/cuenta/salir/", {"next": "a\x00b"})
    assert response.status_code == 400
    assert "carácter nulo" in response.content.decode()


@pytest.mark.django_db
def test_nul_in_a_page_path_is_a_spanish_page(client, world):
    client.force_login(world.users.jefe)
    response = client.get("/patronos/400024333%00/")
    assert response.status_code == 400
    assert "carácter nulo" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/employers", "/api/cases"])
def test_huge_api_page_is_a_422_in_spanish(client, world, url):
    response = client.get(f"{url}?page={HUGE}", **_token(client))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"][0]["campo"].endswith("page")
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/employers", "/api/cases"])
def test_largest_allowed_api_page_is_empty_not_an_error(client, world, url):
    response = client.get(f"{url}?page={MAX_PAGE}", **_token(client))
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/cases/" + HUGE + "0",
        "/api/agreements/" + HUGE + "0",
        "/api/documents/99999999999999999999/download",
    ],
)
def test_huge_api_ids_are_422_not_500(client, world, url):
    response = client.get(url, **_token(client))
    assert response.status_code == 422, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, role", [("/patronos/", "jefe"), ("/expedientes/mi-trabajo/", "gestor1"), ("/cartera/", "jefe")]
)
def test_huge_page_numbers_on_list_pages_show_the_last_page(client, world, url, role):
    client.force_login(getattr(world.users, role))
    for pagina in (HUGE, HUGE + "0", "9" * 5000, "-3", "abc", "1e400"):
        response = client.get(url, {"pagina": pagina})
        assert response.status_code == 200, (url, pagina, response.status_code)
        if pagina in (HUGE, "9" * 5000):
            page = response.context["page"]
            assert page.number == page.paginator.num_pages  # the last page, not an error


def test_bounded_page_parser():
    assert bounded_page("3") == 3
    assert bounded_page(None) == 1
    assert bounded_page("abc") == 1
    assert bounded_page("0") == 1
    assert bounded_page("-5") == 1
    assert bounded_page(HUGE) == MAX_PAGE
    assert bounded_page("9" * 5000) == MAX_PAGE
    assert bounded_page(" 7 ") == 7


@pytest.mark.django_db
def test_nul_in_a_cookie_is_refused_before_the_session_is_read(client, world):
    """`"\\000"` in a quoted cookie is a NUL once Django unquotes it: the session lookup would fail."""
    response = client.get("/patronos/", HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"')
    assert response.status_code == 400
    assert "cookie «sessionid»" in response.content.decode()
    api = client.get("/api/employers", HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"')
    assert api.status_code == 400 and api.json()["errors"][0]["campo"] == "sessionid"


@pytest.mark.django_db
def test_file_contents_may_hold_nul_bytes_but_multipart_fields_may_not(client, world):
    """A PDF or an image is full of NUL bytes: uploads pass; a text field with one does not."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users.jefe)
    upload = SimpleUploadedFile("acta.pdf", b"%PDF-1.4\x00\x00\x01binario", content_type="application/pdf")
    assert client.post("/cuenta/salir/", {"archivo": upload}).status_code == 302  # logged out as usual
    client.force_login(world.users.jefe)
    upload = SimpleUploadedFile("acta.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post("/cuenta/salir/", {"archivo": upload, "titulo": "Acta\x00"})
    assert response.status_code == 400 and "campo «titulo» del formulario" in response.content.decode()
