"""Load test of Cobranza's pages and API (issue 10): `bench/README.md` says how to run it.

Each simulated user logs in ONCE (the web login form, then `POST /api/auth/token`), as one of the
demo users of `cobranza seed` (password `demo`), and then, with 1–3 s of thinking between actions:
searches employers, opens an employer's page (statement included), downloads the statement PDF now
and then (1 request in 20: WeasyPrint costs ~1.1 s of CPU each), reads a statement through the API, and — collectors — opens the worklist. Only loopback
addresses: the host must be 127.0.0.1 / localhost (the run refuses anything else).

    locust -f bench/locustfile.py --host http://127.0.0.1:8100 --headless -u 50 -r 10 -t 3m --csv out/run

Settings from the environment: COBRANZA_BENCH_USERS (comma-separated usernames; default: the demo
users), COBRANZA_BENCH_PASSWORD (default `demo`).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

USERS = os.environ.get(
    "COBRANZA_BENCH_USERS",
    "gestor1,gestor2,jefe,jefe_sucursal,callcenter,juridico,atencion,admin,"
    # the branch collectors of `cobranza seed` (one per branch with employers in arrears)
    "gestor_santa_ana,gestor_san_miguel,gestor_la_libertad,gestor_sonsonate,gestor_usulutan,"
    "gestor_la_paz,gestor_chalatenango,gestor_ahuachapan,gestor_cuscatlan,gestor_morazan",
).split(",")
PASSWORD = os.environ.get("COBRANZA_BENCH_PASSWORD", "demo")
SEARCHES = ["a", "sa", "de c.v.", "comercial", "4000", "san", "industrias", "servicios"]
_next_user = itertools.cycle(USERS)
_lock = threading.Lock()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EMPLOYER_LINK = re.compile(r'href="/patronos/(\d{9})/"')


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):  # type: ignore[no-untyped-def]
    host = urlparse(environment.host or "").hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit(f"Solo se permite cargar un servidor local (127.0.0.1/localhost), no «{host}».")


class StaffUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        with _lock:
            self.username = next(_next_user)
        page = self.client.get("/cuenta/ingresar/", name="login form")
        token = CSRF.search(page.text)
        self.client.post(
            "/cuenta/ingresar/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/cuenta/ingresar/"},
            name="login (web)",
        )
        self.api_token = self._api_login()
        listing = self.client.get("/patronos/?en_mora=1", name="/patronos/ (lista)")
        self.employers = (
            EMPLOYER_LINK.findall(listing.text)[:50]
            or EMPLOYER_LINK.findall(self.client.get("/patronos/", name="/patronos/ (lista)").text)[:50]
        )
        self.is_collector = self.username.startswith("gestor")

    def _api_login(self) -> str:
        response = self.client.post(
            "/api/auth/token", json={"username": self.username, "password": PASSWORD}, name="login (API)"
        )
        return response.json().get("token", "") if response.status_code == 200 else ""

    def _employer(self) -> str | None:
        return random.choice(self.employers) if self.employers else None

    @task(6)
    def search(self) -> None:
        self.client.get("/patronos/", params={"q": random.choice(SEARCHES)}, name="/patronos/?q= (búsqueda)")

    @task(6)
    def employer_page(self) -> None:
        number = self._employer()
        if number:
            self.client.get(f"/patronos/{number}/", name="/patronos/[n]/ (página con estado de cuenta)")

    @task(1)
    def statement_pdf(self) -> None:
        number = self._employer()
        if number:
            self.client.get(
                f"/patronos/{number}/estado-de-cuenta.pdf", name="/patronos/[n]/estado-de-cuenta.pdf"
            )

    @task(4)
    def api_statement(self) -> None:
        number = self._employer()
        if not number:
            return
        with self.client.get(
            f"/api/employers/{number}/statement",
            headers={"Authorization": f"Bearer {self.api_token}"},
            name="/api/employers/[n]/statement",
            catch_response=True,
        ) as response:
            if response.status_code == 401:  # revoked: this account reached its token limit
                response.success()
                self.api_token = self._api_login()

    @task(3)
    def worklist(self) -> None:
        if self.is_collector:
            self.client.get("/expedientes/mi-trabajo/", name="/expedientes/mi-trabajo/")
        else:
            self.client.get("/patronos/", params={"en_mora": "1"}, name="/patronos/?en_mora=1")
