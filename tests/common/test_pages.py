import pytest
from django.urls import reverse

from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent


@pytest.mark.django_db
def test_login_page_is_spanish(client):
    content = client.get(reverse("login")).content.decode()
    assert "Usuario" in content and "Contraseña" in content and "Ingresar" in content


@pytest.mark.django_db
def test_login_and_logout(client, world):
    response = client.post(reverse("login"), {"username": "gestor1", "password": "demo"})
    assert response.status_code == 302
    assert client.get(reverse("employers:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("employers:list")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_message_in_spanish(client, world):
    response = client.post(reverse("login"), {"username": "gestor1", "password": "mala"})
    assert "incorrectos" in response.content.decode()


@pytest.mark.django_db
def test_login_throttling_locks_after_repeated_failures(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "gestor1", "password": "mala"})
    response = client.post(reverse("login"), {"username": "gestor1", "password": "demo"})
    assert "bloqueado" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_search_is_accent_and_case_insensitive(client, world):
    client.force_login(world.users.jefe)
    for term in ("ÑANDÚ", "nandu", "panaderia", world.own.employer_number, world.own.nit):
        content = client.get(reverse("employers:list"), {"q": term}).content.decode()
        assert world.own.employer_number in content, term
        assert world.elsewhere.employer_number not in content, term


@pytest.mark.django_db
def test_employer_page_shows_collector_and_audit_only_to_heads(client, world):
    from cobranza.common.audit import record

    record(
        actor=world.users.admin,
        action="employer.updated",
        obj=world.own,
        employer_number=world.own.employer_number,
        before={"phone": "1"},
        after={"phone": "2"},
    )
    url = reverse("employers:detail", args=[world.own.employer_number])
    client.force_login(world.users.jefe)
    content = client.get(url).content.decode()
    assert "gestor1" in content and "Datos del patrono actualizados" in content
    assert "Teléfono: 1 → 2" in content and "employer.updated" not in content  # a sentence, not a code
    client.force_login(world.users.gestor1)
    assert "Datos del patrono actualizados" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_audit_events_cannot_be_edited_or_deleted(world):
    from cobranza.common.audit import record

    event = record(actor=None, action="x", object_type="t", object_id="1")
    event.action = "y"
    with pytest.raises(ApplicationError):
        event.save()
    with pytest.raises(ApplicationError):
        event.delete()
    with pytest.raises(ApplicationError):
        AuditEvent.objects.all().delete()
    with pytest.raises(ApplicationError):
        AuditEvent.objects.update(action="z")


@pytest.mark.django_db
def test_admin_cannot_change_audit_events(client, world):
    from cobranza.common.audit import record

    event = record(actor=None, action="x", object_type="t", object_id="1")
    client.force_login(world.users.admin)
    assert client.get(reverse("admin:common_auditevent_changelist")).status_code == 200
    response = client.post(reverse("admin:common_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_unknown_page_is_spanish_404(client, world):
    client.force_login(world.users.jefe)
    response = client.get("/patronos/999999999/")
    assert response.status_code == 404
    assert "no encontrada" in response.content.decode().lower()


@pytest.mark.django_db
def test_employer_list_shows_snapshot_balances_and_filters_arrears(client, world):
    """«En mora» and «mayor deuda» read the overdue (exigible) balance; both balances are shown.

    `own` owes $1,234.56 overdue and $10.00 not yet due; `colleague` owes $5,000.00, none of it
    due yet (not in arrears, and after `own` by debt although its total is larger); `elsewhere` has
    no snapshot yet.
    """
    from datetime import date

    from tests.factories import make_balance_snapshot

    as_of = date(2026, 11, 1)
    make_balance_snapshot(world.own, overdue="1234.56", current="10.00", months=7, as_of=as_of)
    make_balance_snapshot(world.colleague, current="5000.00", as_of=as_of)
    client.force_login(world.users.jefe)
    content = client.get(reverse("employers:list"), {"orden": "numero"}).content.decode()
    assert "Exigible" in content and "Corriente" in content
    assert "$1,234.56" in content and "$10.00" in content and "$5,000.00" in content
    assert "saldos calculados al 01/11/2026" in content
    in_arrears = client.get(reverse("employers:list"), {"en_mora": "1"}).content.decode()
    assert world.own.employer_number in in_arrears
    assert world.colleague.employer_number not in in_arrears
    assert world.elsewhere.employer_number not in in_arrears
    by_debt = client.get(reverse("employers:list"), {"orden": "deuda"})
    numbers = [e.employer_number for e in by_debt.context["page"].object_list]
    assert numbers == [
        world.own.employer_number,
        world.colleague.employer_number,
        world.elsewhere.employer_number,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("gestor1", "cases:worklist"),
        ("callcenter", "agreements:call_list"),
        ("atencion", "desk:index"),
        ("jefe", "employers:list"),
    ],
)
def test_each_role_starts_on_its_own_page(client, world, role, home):
    client.force_login(getattr(world.users, role))
    assert client.get("/")["Location"] == reverse(home)
