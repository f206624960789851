import pytest


@pytest.mark.django_db
def test_token_with_good_credentials_gives_access(client, world):
    response = client.post(
        "/api/auth/token", {"username": "gestor1", "password": "demo"}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listed = client.get("/api/employers", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listed["count"] == 1
    assert listed["items"][0]["employer_number"] == world.own.employer_number


@pytest.mark.django_db
def test_bad_credentials_are_401_in_spanish(client, world):
    response = client.post(
        "/api/auth/token", {"username": "gestor1", "password": "mala"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert "incorrectos" in response.json()["detail"]


@pytest.mark.django_db
def test_malformed_token_request_is_422_without_traceback(client, world):
    response = client.post("/api/auth/token", "no es json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "Traceback" not in response.content.decode()
    response = client.post("/api/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["campo"].endswith("password")


@pytest.mark.django_db
def test_search_and_paging(client, world):
    token = client.post(
        "/api/auth/token", {"username": "jefe", "password": "demo"}, content_type="application/json"
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    found = client.get("/api/employers?search=nandu", **auth).json()
    assert [i["employer_number"] for i in found["items"]] == [world.own.employer_number]
    assert client.get("/api/employers?page=0", **auth).status_code == 422
    assert client.get("/api/employers?page=abc", **auth).status_code == 422


@pytest.mark.django_db
def test_openapi_docs_are_served(client, world):
    assert client.get("/api/openapi.json").status_code == 200
    client.force_login(world.users.admin)
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_api_docs_load_nothing_from_a_cdn(client, world):
    client.force_login(world.users.admin)
    page = client.get("/api/docs").content.decode()
    assert "cdn.jsdelivr" not in page and "/static/ninja/swagger-ui-bundle.js" in page
