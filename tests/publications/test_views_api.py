"""Pages, exports, API and command of the publication list, with the role matrix of a list."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from cobranza.api.models import ApiToken
from cobranza.publications import services
from tests.publications.conftest import APPROVE_ON, SELECTED_ON, snapshot_at
from tests.roles import ALL_ROLES

pytestmark = pytest.mark.django_db

# Who sees a list of the San Salvador branch: every head that sees the branch and the legal unit.
SEES_SS_LIST = {"admin", "jefe", "jefe_sucursal", "juridico"}


@pytest.fixture
def frozen(pub):
    """A San Salvador list with own, prepared by the branch head, approved by the department head
    on 15/07/2024 with own's figures of that day ($500.00, 3 months)."""
    publication = services.publication_prepare(actor=pub.users.jefe_sucursal, employer_numbers=["300000001"])
    services.publication_notify(actor=pub.users.jefe_sucursal, publication=publication)
    pub.settings.COBRANZA_BUSINESS_DATE = APPROVE_ON
    snapshot_at(pub.world.own, APPROVE_ON, "500.00", 3)
    return services.publication_approve(actor=pub.users.jefe, publication=publication)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_pages_by_role(client, frozen, pub, role):
    client.force_login(getattr(pub.users, role))
    for name in ("detail", "list_pdf", "list_csv", "notices_pdf"):
        response = client.get(reverse(f"publications:{name}", args=[frozen.pk]))
        if role in SEES_SS_LIST:
            assert response.status_code == 200, (role, name)
        else:
            assert response.status_code in (403, 404), (role, name)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_by_role(client, frozen, pub, role):
    token = ApiToken.objects.create(user=getattr(pub.users, role)).key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.get(f"/api/publications/{frozen.pk}", **auth)
    assert response.status_code == (200 if role in SEES_SS_LIST else 404), role
    if response.status_code == 200:
        body = response.json()
        assert body["number"] == "2024-1" and body["state_label"] == "Aprobada y congelada"
        assert body["entries"][0]["published_overdue"] == "500.00"
    else:
        assert "detail" in response.json()
    listed = client.get("/api/publications", **auth)
    assert listed.status_code == (200 if role in SEES_SS_LIST else 404), role
    assert client.get("/api/publications/999999", **auth).status_code == 404


def test_page_shows_the_frozen_list_and_exports(client, frozen, pub):
    client.force_login(pub.users.jefe)
    page = client.get(reverse("publications:detail", args=[frozen.pk])).content.decode()
    assert "Lista 2024-1" in page and "Aprobada y congelada" in page and "$500.00" in page
    assert "15/07/2024" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("publications:list_csv", args=[frozen.pk])).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[1] == ["2024-1", "2024-07-15", "300000001", "Panadería Ñandú, S.A. de C.V.", "3", "500.00"]
    pdf = client.get(reverse("publications:list_pdf", args=[frozen.pk]))
    assert pdf.content[:4] == b"%PDF"


def test_approve_on_the_page_before_the_deadline_shows_the_date(client, pub):
    publication = services.publication_prepare(actor=pub.users.jefe_sucursal, employer_numbers=["300000001"])
    services.publication_notify(actor=pub.users.jefe_sucursal, publication=publication)
    client.force_login(pub.users.jefe)
    response = client.post(reverse("publications:approve", args=[publication.pk]), follow=True)
    assert "el plazo de respuesta vence el 12/07/2024" in response.content.decode()


def test_bad_reply_date_is_a_form_error(client, pub):
    publication = services.publication_prepare(actor=pub.users.jefe_sucursal, employer_numbers=["300000001"])
    services.publication_notify(actor=pub.users.jefe_sucursal, publication=publication)
    entry = publication.entries.get()
    client.force_login(pub.users.jefe_sucursal)
    response = client.post(
        reverse("publications:reply", args=[publication.pk, entry.pk]),
        {f"r{entry.pk}-reply": "paid", f"r{entry.pk}-reply_on": "31/02/2024", f"r{entry.pk}-note": ""},
    )
    assert response.status_code == 400
    assert "Fecha de la respuesta inválida: «31/02/2024»" in response.content.decode()
    entry.refresh_from_db()
    assert entry.reply == "pending"


def test_candidates_page_and_prepare(client, pub):
    client.force_login(pub.users.jefe_sucursal)
    page = client.get(reverse("publications:candidates")).content.decode()
    assert "Panadería Ñandú" in page and "Textiles Cuscatlán" not in page and "Café Santaneco" not in page
    response = client.post(reverse("publications:prepare"), {"patrono": ["300000001"]})
    assert response.status_code == 302
    assert "Lista en preparación del 28/06/2024" in client.get(response["Location"]).content.decode()


def test_reports_page_and_excel(client, frozen, pub):
    client.force_login(pub.users.jefe)
    page = client.get(reverse("publications:reports") + "?desde=01/01/2024").content.decode()
    assert "Lista 2024-1" in page
    xlsx = client.get(reverse("publications:reports_excel") + "?desde=01/01/2024")
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("publications:reports_pdf")).content[:4] == b"%PDF"


def test_cli_candidates_csv_and_table(pub, capsys):
    """At 28/06/2024: elsewhere ($1,200.00, 4 months) and own ($500.00, 3 months); colleague
    ($499.99) is out."""
    call_command("publications", "candidates", "--as-of", "2024-06-28", "--format", "csv")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("employer_number,legal_name")
    assert [ln.split(",")[0] for ln in lines[1:]] == ["300000003", "300000001"]
    assert ",500.00,3," in lines[2]
    call_command("publications", "candidates", "--as-of", "28/06/2024")
    out = capsys.readouterr().out
    assert "2 candidatos" in out and "$1,700.00" in out


def test_cli_bad_input(pub):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="fuera de rango"):
        call_command("publications", "candidates", "--as-of", "1900-01-01")
    with pytest.raises(CommandError, match="--format"):
        call_command("publications", "candidates", "--format", "xml")


def test_future_date_on_candidates_page_is_explained(client, pub):
    client.force_login(pub.users.jefe)
    page = client.get(reverse("publications:candidates") + "?fecha=01/01/2030").content.decode()
    assert "es futura" in page
    assert date(2024, 6, 28).strftime("%d/%m/%Y") in page
    assert SELECTED_ON
