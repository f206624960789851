"""Passwords (issue 10, item 7): Django's full validator set with 12 characters for staff, on the
password-change page every user has and in the admin; a password set by an administrator must be
changed at the first login; the demo users keep `demo`."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.urls import reverse

from cobranza.common.models import AuditEvent
from cobranza.common.roles import Role
from cobranza.portfolio.services import staff_user_upsert
from cobranza.security.models import AccountSecurity
from cobranza.security.validators import RoleAwareMinimumLengthValidator

GOOD = "Cuscatlan-recupera-2026"


def _change(client, old, new, again=None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


@pytest.mark.django_db
def test_a_non_staff_user_changes_their_own_password(client, world):
    gestor = world.users.gestor1
    assert not gestor.is_staff
    client.force_login(gestor)
    page = client.get(reverse("employers:list")).content.decode()
    assert reverse("password_change") in page  # the navbar's user area links to it
    page = client.get(reverse("password_change")).content.decode()
    assert "Cambiar contraseña" in page and "Al menos 12 caracteres" in page
    response = _change(client, "demo", GOOD)
    assert response.status_code == 302
    gestor.refresh_from_db()
    assert gestor.check_password(GOOD)
    assert client.get(reverse("employers:list")).status_code == 200  # still signed in
    event = AuditEvent.objects.get(action="password_changed")
    assert event.actor == gestor and GOOD not in str(event.before) + str(event.after)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "new,message",
    [
        ("12345678", "La contraseña es demasiado corta: debe tener al menos 12 caracteres."),
        ("password", "demasiado corta"),
        ("123456789012", "numérica"),
        ("password1234", "común"),
        ("gestor1gestor", "similar"),
        ("Corta-2026", "al menos 12 caracteres"),
    ],
)
def test_weak_passwords_are_refused_on_the_page_in_spanish(client, world, new, message):
    client.force_login(world.users.gestor1)
    response = _change(client, "demo", new)
    assert response.status_code == 200
    assert message in response.content.decode()
    world.users.gestor1.refresh_from_db()
    assert world.users.gestor1.check_password("demo")


@pytest.mark.django_db
def test_the_current_password_is_required_and_both_copies_must_match(client, world):
    client.force_login(world.users.gestor1)
    assert "La contraseña actual no es correcta." in _change(client, "mala", GOOD).content.decode()
    assert "no coinciden" in _change(client, "demo", GOOD, GOOD + "x").content.decode()


@pytest.mark.django_db
def test_the_page_needs_a_login(client, world):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["12345678", "password"])
def test_the_admin_refuses_weak_passwords_too(client, world, weak):
    client.force_login(world.users.admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nueva",
            "password1": weak,
            "password2": weak,
            "usable_password": "true",
            "staffprofile-TOTAL_FORMS": "1",
            "staffprofile-INITIAL_FORMS": "0",
            "staffprofile-MIN_NUM_FORMS": "0",
            "staffprofile-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="nueva").exists()
    assert "demasiado corta" in response.content.decode() or "común" in response.content.decode()
    target = world.users.juridico
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": weak, "password2": weak, "usable_password": "true"},
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.check_password("demo")


@pytest.mark.django_db
def test_a_password_set_in_the_admin_must_be_changed_at_the_first_login(client, world):
    client.force_login(world.users.admin)
    target = world.users.juridico
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": GOOD, "password2": GOOD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert AccountSecurity.objects.get(user=target).must_change_password

    client.logout()
    target.refresh_from_db()
    client.force_login(target)
    response = client.get(reverse("employers:list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "Elija una contraseña propia para continuar" in page
    # No API token either until the password is the user's own.
    token = client.post(
        "/api/auth/token", {"username": "juridico", "password": GOOD}, content_type="application/json"
    )
    assert token.status_code == 403 and "/cuenta/contrasena/" in token.json()["detail"]

    assert _change(client, GOOD, "Mi-propia-clave-segura-77").status_code == 302
    assert client.get(reverse("employers:list")).status_code == 200
    assert not AccountSecurity.objects.get(user=target).must_change_password


@pytest.mark.django_db
def test_a_provisioned_user_must_change_the_password_but_the_demo_users_do_not(client, world):
    nuevo = staff_user_upsert(
        actor=world.users.admin,
        username="nuevo",
        password="Temporal-asignada-2026",
        roles=[Role.LEGAL],
        branch=None,
    )
    demo = staff_user_upsert(
        actor=None,
        username="demo_juridico",
        password=None,
        password_hash=make_password("demo"),
        roles=[Role.LEGAL],
        branch=None,
    )
    assert AccountSecurity.objects.get(user=nuevo).must_change_password
    assert not AccountSecurity.objects.filter(user=demo, must_change_password=True).exists()
    client.force_login(demo)
    assert client.get(reverse("employers:list")).status_code == 200
    client.force_login(nuevo)
    assert client.get(reverse("employers:list"))["Location"] == reverse("password_change")


@pytest.mark.django_db
def test_twelve_characters_for_staff_eight_for_an_account_without_a_role(world):
    validator = RoleAwareMinimumLengthValidator()
    for staff in (world.users.admin, world.users.gestor1, world.users.callcenter, None, User(username="x")):
        assert validator.min_length_for(staff) == 12
    assert validator.min_length_for(world.users.sin_rol) == 8
