"""`GET /api/referrals` by role and `cobranza referrals check`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from cobranza.api.models import ApiToken
from cobranza.legal import services
from tests.legal.conftest import on
from tests.roles import ALL_ROLES

pytestmark = pytest.mark.django_db

DAY = date(2024, 8, 1)
# who may call the endpoint, and whether it sees a referral of gestor1's employer requested (not approved)
API = {
    "admin": True,
    "jefe": True,
    "jefe_sucursal": True,
    "gestor1": True,
    "gestor2": False,
    "juridico": False,  # legal sees it once a head approves it
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_referrals_by_role(noticed, settings, client, role):
    world = noticed
    on(settings, DAY)
    referral = services.referral_request(actor=world.users.gestor1, case=world.case)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=getattr(world.users, role)).key}"}
    response = client.get("/api/referrals", **auth)
    if role not in API:
        assert response.status_code == 403, role
        assert response.json()["detail"] == "Su rol no consulta remisiones a cobro judicial."
        return
    assert response.status_code == 200, role
    codes = [r["code"] for r in response.json()]
    assert (referral.code in codes) == API[role], role
    if API[role]:
        item = response.json()[0]
        assert (
            item["amount"] == "247.80"
            and item["state"] == "requested"
            and item["periods"] == ["2024-01", "2024-02"]
        )


def test_api_legal_sees_approved_and_filters(noticed, settings, client):
    world = noticed
    on(settings, DAY)
    referral = services.referral_request(actor=world.users.gestor1, case=world.case)
    services.referral_approve(actor=world.users.jefe, referral=referral)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=world.users.juridico).key}"}
    items = client.get("/api/referrals", {"state": "approved"}, **auth).json()
    assert [i["code"] for i in items] == [referral.code]
    assert items[0]["certificate_number"].startswith("CM-2024-")
    bad = client.get("/api/referrals", {"state": "nada"}, **auth)
    assert bad.status_code == 422 and "Estado desconocido" in bad.json()["detail"]
    assert client.get("/api/referrals").status_code == 401


def test_cli_lists_cases_that_meet_and_close(noticed, settings):
    out = StringIO()
    call_command("referrals", "check", "--as-of", "2024-08-01", "--format", "csv", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "numero_patronal,patrono,expediente,situacion,monto,avisos,primer_aviso,falta"
    assert lines[1].startswith("300000001,") and ",cumple,$247.80,2,02/05/2024," in lines[1]
    out = StringIO()
    call_command("referrals", "check", "--as-of", "2024-06-14", stdout=out)
    text = out.getvalue()
    assert "cercano" in text and "0 expedientes cumplen" in text
    assert "43 de 90" in text


def test_cli_bad_date_is_a_spanish_error(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Fecha"):
        call_command("referrals", "check", "--as-of", "31/02/2024", stdout=StringIO())
