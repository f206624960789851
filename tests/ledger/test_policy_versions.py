"""Policy versions: the migration's default, validation through the engine, the admin, `policy_for`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.engine.policy import default_policy
from cobranza.ledger import services
from cobranza.ledger.models import PolicyVersion
from cobranza.ledger.selectors import policy_for, policy_version_for

pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_engine_defaults_as_the_first_version():
    first = PolicyVersion.objects.get()
    assert first.version == "2024.1"
    assert first.effective_from == date(2015, 8, 1)
    assert first.parameters == default_policy().to_dict()
    assert first.as_policy() == default_policy()


def test_policy_for_picks_the_version_in_force_and_notices_new_ones(default_policy_version):
    assert policy_for(date(2024, 6, 30)) == default_policy()
    newer = services.policy_version_create(
        actor=None,
        version="2025.1",
        effective_from=date(2025, 1, 1),
        parameters={"fine_enabled": False},
        note="Multa suspendida",
    )
    assert policy_for(date(2024, 12, 31)).version == "2024.1"
    assert policy_for(date(2025, 1, 1)).version == "2025.1"
    assert policy_for(date(2025, 1, 1)).fine_enabled is False
    assert policy_version_for(date(2026, 1, 1)) == newer


def test_no_version_in_force_before_the_first_is_a_spanish_error():
    with pytest.raises(ApplicationError, match="No hay una versión de la política vigente al 31/07/2015"):
        policy_for(date(2015, 7, 31))


def test_a_new_version_is_complete_normalized_and_audited(world):
    row = services.policy_version_create(
        actor=world.users.admin,
        version="2025.1",
        effective_from=date(2025, 1, 1),
        parameters={"version": "otra", "effective_from": "1999-01-01", "surcharge_monthly_rate": "0.015"},
        note="Acuerdo de junta directiva",
    )
    assert row.created_by == world.users.admin
    # the columns win over the same keys inside the parameters; missing keys take the defaults
    assert row.parameters["version"] == "2025.1"
    assert row.parameters["effective_from"] == "2025-01-01"
    assert row.parameters["surcharge_monthly_rate"] == "0.015"
    assert row.parameters["fine_rate"] == "0.25"
    assert set(row.parameters) == set(default_policy().to_dict())
    event = AuditEvent.objects.get(action="policy.version_created")
    assert event.actor == world.users.admin
    assert event.after["version"] == "2025.1"


@pytest.mark.parametrize(
    "parameters,message",
    [
        ({"fine_rate": "-0.25"}, "«fine_rate» (tasa de multa) no puede ser negativo"),
        ({"surcharge_monthly_rate": 0.01}, "«surcharge_monthly_rate»"),
        ({"tasa_inventada": "1"}, "«tasa_inventada» no es un parámetro conocido"),
        ({"allocation_order": ["surcharge", "contribution"]}, "«allocation_order»"),
        ({"amnesty_enabled": True}, "«amnesty_start»"),
        ({"due_business_day": "diez"}, "«due_business_day»"),
    ],
)
def test_malformed_parameters_are_refused_with_the_engine_message(parameters, message):
    with pytest.raises(ValidationError) as error:
        services.policy_version_create(
            actor=None, version="2025.1", effective_from=date(2025, 1, 1), parameters=parameters
        )
    (text,) = error.value.message_dict["parameters"]
    assert text.startswith("Política inválida:")
    assert message in text
    assert not PolicyVersion.objects.filter(version="2025.1").exists()
    assert not AuditEvent.objects.filter(action="policy.version_created").exists()


def test_version_and_date_are_unique(default_policy_version):
    with pytest.raises(ValidationError) as error:
        services.policy_version_create(
            actor=None, version="2024.1", effective_from=date(2015, 8, 1), parameters={}
        )
    assert set(error.value.message_dict) == {"version", "effective_from"}


# ------------------------------------------------------------------------------ admin
ADD_URL = "/admin/ledger/policyversion/add/"


def test_admin_add_form_starts_from_the_latest_version(client, world, default_policy_version):
    client.force_login(world.users.admin)
    response = client.get(ADD_URL)
    assert response.status_code == 200
    initial = json.loads(response.context["adminform"].form["parameters"].value())
    assert initial["surcharge_monthly_rate"] == "0.01"
    assert "version" not in initial


def test_admin_refuses_a_malformed_parameter_set_in_spanish(client, world, default_policy_version):
    client.force_login(world.users.admin)
    response = client.post(
        ADD_URL,
        {
            "version": "2025.1",
            "effective_from": "01/01/2025",
            "parameters": json.dumps({"fine_rate": "1.5"}),
            "note": "",
        },
    )
    assert response.status_code == 200
    assert (
        "Política inválida: el campo «fine_rate» (tasa de multa) debe ser menor o igual a 1"
        in response.content.decode()
    )
    assert not PolicyVersion.objects.filter(version="2025.1").exists()


def test_admin_adds_a_validated_version_and_never_edits_or_deletes(client, world, default_policy_version):
    client.force_login(world.users.admin)
    response = client.post(
        ADD_URL,
        {
            "version": "2025.1",
            "effective_from": "01/01/2025",
            "parameters": json.dumps({"interest_enabled": True, "interest_annual_rate": "0.06"}),
            "note": "Interés moratorio aprobado",
        },
    )
    assert response.status_code == 302
    created = PolicyVersion.objects.get(version="2025.1")
    assert created.created_by == world.users.admin
    assert created.as_policy().interest_annual_rate == Decimal("0.06")
    assert created.as_policy().interest_enabled is True
    assert AuditEvent.objects.filter(action="policy.version_created", object_id=str(created.pk)).exists()
    change = f"/admin/ledger/policyversion/{created.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200  # view only
    assert "Crear una versión nueva a partir de esta" in page.content.decode()
    assert client.post(change, {"version": "cambiada"}).status_code == 403
    assert (
        client.post(f"/admin/ledger/policyversion/{created.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert PolicyVersion.objects.get(pk=created.pk).version == "2025.1"
    copy = client.get(f"{ADD_URL}?copy_from={created.pk}")
    assert json.loads(copy.context["adminform"].form["parameters"].value())["interest_annual_rate"] == "0.06"


def test_only_administrators_reach_the_policy_admin(client, world):
    client.force_login(world.users.jefe)
    assert client.get(ADD_URL).status_code in (302, 403)
