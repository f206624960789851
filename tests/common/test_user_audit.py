"""Changes to users, roles and permissions are audited with before and after (issue 10 item 5),
whether made in the admin or anywhere else; the actor is the user of the request."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from cobranza.common.audit import acting_as
from cobranza.common.audit_display import describe_event
from cobranza.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def last(action: str, **filters) -> AuditEvent:
    return AuditEvent.objects.filter(action=action, **filters).order_by("-at", "-id").first()


def test_renaming_a_user_is_audited_and_old_events_keep_the_old_name(world):
    gestor = world.users.gestor1
    with acting_as(world.users.admin):
        gestor.first_name, gestor.last_name = "Luis", "Pérez"
        gestor.save()
    earlier = last("user.updated", object_id=str(gestor.pk))
    assert earlier.actor == world.users.admin
    assert (earlier.before, earlier.after) == (
        {"first_name": "", "last_name": ""},
        {"first_name": "Luis", "last_name": "Pérez"},
    )
    from cobranza.common.audit import record

    signed = record(actor=gestor, action="case.opened", object_type="cases.casefile", object_id="1")
    with acting_as(world.users.admin):
        gestor.username, gestor.last_name = "lperez", "Pérez Soto"
        gestor.save()
    event = last("user.updated", object_id=str(gestor.pk))
    assert event.before == {"username": "gestor1", "last_name": "Pérez"}
    assert event.after == {"username": "lperez", "last_name": "Pérez Soto"}
    assert AuditEvent.objects.get(pk=signed.pk).actor_name == "Luis Pérez"
    text = describe_event(event).sentence
    assert "Usuario: gestor1 → lperez" in text and "Apellidos: Pérez → Pérez Soto" in text


def test_active_staff_and_superuser_flags_are_audited(world):
    user = world.users.gestor2
    with acting_as(world.users.admin):
        user.is_active = False
        user.is_staff = True
        user.save()
    event = last("user.updated", object_id=str(user.pk))
    assert event.before == {"is_active": True, "is_staff": False}
    assert event.after == {"is_active": False, "is_staff": True}
    assert {c.text for c in describe_event(event).changes} == {
        "Activo: Sí → No",
        "Acceso a la administración: No → Sí",
    }


def test_a_login_is_not_a_change_of_the_user(client, world):
    before = AuditEvent.objects.filter(object_type="auth.user").count()
    response = client.post(reverse("login"), {"username": "gestor1", "password": "demo"})
    assert response.status_code == 302
    world.users.gestor1.refresh_from_db()
    assert world.users.gestor1.last_login is not None
    assert AuditEvent.objects.filter(object_type="auth.user").count() == before


def test_role_changes_are_audited_with_the_whole_list_before_and_after(world):
    user = world.users.gestor1
    with acting_as(world.users.admin):
        user.groups.set(Group.objects.filter(name__in=["jefe_sucursal"]))
    events = AuditEvent.objects.filter(action="user.roles_changed", object_id=str(user.pk)).order_by("id")
    removed, added = list(events)[-2:]
    assert (removed.before, removed.after) == ({"groups": ["gestor"]}, {"groups": []})
    assert (added.before, added.after) == ({"groups": []}, {"groups": ["jefe_sucursal"]})
    assert describe_event(added).changes[0].text == "Roles: — → Jefe de sucursal"
    assert describe_event(removed).changes[0].text == "Roles: Gestor de cobros → —"
    assert added.actor == world.users.admin


def test_adding_a_user_from_the_group_side_is_audited_on_the_user(world):
    group = Group.objects.get(name="juridico")
    group.user_set.add(world.users.gestor2)
    event = last("user.roles_changed", object_id=str(world.users.gestor2.pk))
    assert event.after == {"groups": ["gestor", "juridico"]} and event.before == {"groups": ["gestor"]}


def test_user_and_group_permissions_are_audited(world):
    view_audit = Permission.objects.get(codename="view_auditevent")
    world.users.jefe.user_permissions.add(view_audit)
    event = last("user.permissions_changed", object_id=str(world.users.jefe.pk))
    assert event.after == {"permissions": ["common.view_auditevent"]}
    assert describe_event(event).changes[0].text == "Permisos: — → Ver evento de auditoría"
    group = Group.objects.get(name="atencion")
    group.permissions.add(view_audit)
    group.permissions.clear()
    cleared = last("group.permissions_changed", object_id=str(group.pk))
    assert (cleared.before, cleared.after) == (
        {"permissions": ["common.view_auditevent"]},
        {"permissions": []},
    )


def test_group_admin_changes_are_audited_with_the_admin_as_actor(client, world):
    """Through the real admin: renaming a role and giving it a permission, by the administrator."""
    group = Group.objects.get(name="otras_areas")
    permission = Permission.objects.get(codename="view_auditevent")
    client.force_login(world.users.admin)
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = client.post(url, {"name": "otras_areas_2", "permissions": [permission.pk]})
    assert response.status_code == 302
    renamed = last("group.updated", object_id=str(group.pk))
    assert (renamed.before, renamed.after) == ({"name": "otras_areas"}, {"name": "otras_areas_2"})
    assert renamed.actor == world.users.admin and renamed.actor_name == "admin"
    perms = last("group.permissions_changed", object_id=str(group.pk))
    assert perms.after == {"permissions": ["common.view_auditevent"]} and perms.actor == world.users.admin


def test_an_administrator_setting_a_password_is_audited_without_the_password(world):
    user = world.users.atencion
    with acting_as(world.users.admin):
        user.set_password("otra-clave-larga-123")
        user.save()
    event = last("user.password_set", object_id=str(user.pk))
    assert event.actor == world.users.admin
    assert "otra-clave" not in str(event.after) and "pbkdf2" not in str(event.after)


def test_the_staff_service_writes_one_event_not_two(world):
    from cobranza.portfolio.services import staff_user_upsert

    staff_user_upsert(actor=world.users.admin, username="nuevo", password=None, roles=["gestor"], branch=None)
    user = User.objects.get(username="nuevo")
    actions = list(
        AuditEvent.objects.filter(object_id=str(user.pk), object_type="auth.user").values_list(
            "action", flat=True
        )
    )
    assert actions == ["user.created"]
