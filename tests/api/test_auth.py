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


# -- tokens like a bank's (issue 10, item 6) ------------------------------------------------------

import hashlib  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from cobranza.api.models import ApiToken  # noqa: E402


def _token(client, username="gestor1", password="demo"):
    response = client.post(
        "/api/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _status(client, token):
    return client.get("/api/employers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


@pytest.mark.django_db
def test_a_token_is_stored_only_as_its_sha256_digest(client, world):
    token = _token(client)
    row = ApiToken.objects.values().get()
    assert row["digest"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())
    assert _status(client, token) == 200


@pytest.mark.django_db
def test_a_token_expires_after_the_configured_hours(client, world, settings):
    settings.COBRANZA_API_TOKEN_TTL_HOURS = 8
    token = _token(client)
    stored = ApiToken.objects.get()
    assert stored.expires_at - stored.created_at == pytest.approx(
        timedelta(hours=8), abs=timedelta(seconds=5)
    )
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _status(client, token) == 401


@pytest.mark.django_db
def test_api_logout_revokes_the_token_it_is_called_with(client, world):
    kept, token = _token(client), _token(client)
    response = client.post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["revoked"] == 1 and "ya no sirve" in response.json()["detail"]
    assert _status(client, token) == 401
    assert client.post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert _status(client, kept) == 200
    assert ApiToken.objects.get(revoked_at__isnull=False).revoked_because == "salida"


@pytest.mark.django_db
def test_api_logout_of_every_token(client, world):
    first, second = _token(client), _token(client)
    response = client.post("/api/auth/logout?todos=true", HTTP_AUTHORIZATION=f"Bearer {first}")
    assert response.json()["revoked"] == 2
    assert _status(client, first) == _status(client, second) == 401


@pytest.mark.django_db
def test_web_logout_revokes_the_users_api_tokens(client, world):
    token = _token(client)
    other = _token(client, "jefe")
    client.force_login(world.users.gestor1)
    client.post("/cuenta/salir/")
    assert _status(client, token) == 401
    assert _status(client, other) == 200  # someone else's token is untouched


@pytest.mark.django_db
def test_a_password_change_ends_every_token_of_the_user(client, world):
    token = _token(client)
    user = world.users.gestor1
    user.set_password("Otra-clave-larga-2026")  # any path: the page, the admin, a command
    user.save()
    assert _status(client, token) == 401


@pytest.mark.django_db
def test_at_most_n_active_tokens_per_user_the_oldest_revoked(client, world, settings):
    settings.COBRANZA_API_TOKEN_MAX_ACTIVE = 5
    tokens = [_token(client) for _ in range(7)]
    assert [_status(client, t) for t in tokens] == [401, 401, 200, 200, 200, 200, 200]
    assert ApiToken.objects.active().filter(user=world.users.gestor1).count() == 5
    assert set(
        ApiToken.objects.filter(revoked_at__isnull=False).values_list("revoked_because", flat=True)
    ) == {"limite"}


@pytest.mark.django_db
def test_an_inactive_user_token_stops_working(client, world):
    token = _token(client)
    world.users.gestor1.is_active = False
    world.users.gestor1.save()
    assert _status(client, token) == 401


@pytest.mark.django_db
def test_a_locked_out_account_gets_json_in_spanish_from_the_api(client, world, settings):
    """django-axes locks username+address after AXES_FAILURE_LIMIT failures: JSON 429, not HTML."""
    settings.AXES_FAILURE_LIMIT = 3
    statuses = []
    for _ in range(4):
        response = client.post(
            "/api/auth/token", {"username": "gestor1", "password": "mala"}, content_type="application/json"
        )
        statuses.append(response.status_code)
    assert statuses[0] == 401 and statuses[-1] == 429
    assert response["Content-Type"].startswith("application/json")
    assert "bloqueado" in response.json()["detail"] and "15 minutos" in response.json()["detail"]
    assert response["Retry-After"] == "900"
    # The right password does not get through a lock either.
    response = client.post(
        "/api/auth/token", {"username": "gestor1", "password": "demo"}, content_type="application/json"
    )
    assert response.status_code == 429 and "bloqueado" in response.json()["detail"]


@pytest.mark.django_db
def test_a_locked_out_account_gets_the_spanish_page_on_the_web(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        response = client.post("/cuenta/ingresar/", {"username": "gestor1", "password": "mala"})
    assert response.status_code == 429
    assert "Acceso bloqueado temporalmente" in response.content.decode()


@pytest.mark.django_db
def test_token_endpoints_are_documented(client, world):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/auth/token"]["post"]["responses"]) >= {"200", "401", "403", "429"}
    assert set(paths["/api/auth/logout"]["post"]["responses"]) >= {"200", "401"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_and_revokes_plaintext_tokens(world):
    """Tokens stored in plaintext before issue 10 become digests, revoked (they were exposed)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("api", "0001_initial")])
    old_apps = executor.loader.project_state([("api", "0001_initial")]).apps
    OldToken = old_apps.get_model("api", "ApiToken")
    OldToken.objects.create(key="clave-en-claro-0123456789", user_id=world.users.gestor1.pk)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(b"clave-en-claro-0123456789").hexdigest()
    assert token.revoked_because == "migracion" and not token.is_active
