"""The administrator manages users (with their branch and roles), reference data and contacts."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cobranza.common.models import AuditEvent
from cobranza.employers.models import Contact


@pytest.mark.django_db
def test_admin_creates_a_collector_with_branch_and_role(client, world):
    client.force_login(world.users.admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "gestor3",
            "password1": "Clave-segura-2026",
            "password2": "Clave-segura-2026",
            "usable_password": "true",
            "staff_profile-TOTAL_FORMS": "1",
            "staff_profile-INITIAL_FORMS": "0",
            "staff_profile-MIN_NUM_FORMS": "0",
            "staff_profile-MAX_NUM_FORMS": "1",
            "staff_profile-0-branch": str(world.branches.ss.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="gestor3")
    assert user.staff_profile.branch == world.branches.ss
    user.groups.add(Group.objects.get(name="gestor"))
    assert "gestor" in client.get(reverse("admin:auth_user_changelist")).content.decode()


@pytest.mark.django_db
def test_contact_added_in_admin_is_audited_and_shown(client, world):
    client.force_login(world.users.admin)
    url = reverse("admin:employers_employer_change", args=[world.own.pk])
    response = client.post(
        url,
        {
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
            "contacts-0-name": "Rosa Elena Martínez",
            "contacts-0-position": "Contadora",
            "contacts-0-phone": "2222-3333",
            "contacts-0-email": "rosa@example.com",
            "contacts-0-is_primary": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Contact.objects.filter(employer=world.own, name="Rosa Elena Martínez").exists()
    assert AuditEvent.objects.filter(
        action="contact.created", employer_number=world.own.employer_number
    ).exists()
    page = client.get(reverse("employers:detail", args=[world.own.employer_number])).content.decode()
    assert "Rosa Elena Martínez" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["jefe", "gestor1", "callcenter"])
def test_non_admins_cannot_open_the_admin(client, world, role):
    client.force_login(getattr(world.users, role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
