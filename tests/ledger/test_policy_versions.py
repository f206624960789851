"""Policy versions: the migration's default, validation through the engine (every problem named),
inheritance from the version in force before, the retroactive rule, the admin, `policy_for`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.engine.policy import LEGACY_AMNESTY_KEYS, default_policy
from cobranza.ledger import services
from cobranza.ledger.models import PolicyVersion
from cobranza.ledger.selectors import policy_for, policy_timeline, policy_version_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def before_2025(settings):
    """The business date is 01/12/2024: versions from 2025 on are not retroactive."""
    settings.COBRANZA_BUSINESS_DATE = date(2024, 12, 1)


def test_the_migration_loads_the_engine_defaults_as_the_first_version():
    first = PolicyVersion.objects.get()
    assert first.version == "2024.1"
    assert first.effective_from == date(2015, 8, 1)
    defaults = default_policy().to_dict()
    # every stored parameter is the default (a parameter the engine added later takes its default
    # on reading), and the first versions' amnesty switch is gone (0005: amnesties are records)
    assert first.parameters == {k: defaults[k] for k in first.parameters}
    assert not set(LEGACY_AMNESTY_KEYS) & set(first.parameters)
    assert first.as_policy() == default_policy()


def test_policy_for_picks_the_version_in_force_and_notices_new_ones(default_policy_version, before_2025):
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


def test_a_new_version_is_complete_normalized_and_audited(world, before_2025):
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
    assert event.after["inherited_from"] == "2024.1"
    assert event.after["changes"] == {"surcharge_monthly_rate": ["0.01", "0.015"]}
    assert event.after["retroactive"] is False
    assert event.reason == "Acuerdo de junta directiva"


def test_missing_parameters_are_inherited_from_the_version_in_force_before_not_the_defaults(before_2025):
    services.policy_version_create(
        actor=None,
        version="2025.1",
        effective_from=date(2025, 1, 1),
        parameters={"fine_enabled": False, "surcharge_monthly_rate": "0.015"},
    )
    services.policy_version_create(
        actor=None, version="2027.1", effective_from=date(2027, 1, 1), parameters={"interest_enabled": True}
    )
    # between the two: inherits from 2025.1 (in force before 2026-01-01), not from the later 2027.1
    middle = services.policy_version_create(
        actor=None, version="2026.1", effective_from=date(2026, 1, 1), parameters={"due_business_day": 5}
    )
    policy = middle.as_policy()
    assert policy.due_business_day == 5
    assert policy.fine_enabled is False  # from 2025.1; the default is True
    assert policy.surcharge_monthly_rate == Decimal("0.015")  # from 2025.1; the default is 0.01
    assert policy.interest_enabled is False  # 2027.1 comes after
    assert [p.version for p in policy_timeline().versions] == ["2024.1", "2025.1", "2026.1", "2027.1"]


def test_a_version_before_the_business_date_needs_retroactive_and_a_reason(world, settings):
    settings.COBRANZA_BUSINESS_DATE = date(2026, 3, 15)
    kwargs = {
        "actor": world.users.admin,
        "version": "2026.1",
        "effective_from": date(2026, 1, 1),
        "parameters": {"surcharge_monthly_rate": "0.02"},
    }
    with pytest.raises(ValidationError) as refused:
        services.policy_version_create(**kwargs)
    (message,) = refused.value.message_dict["retroactive"]
    assert message.startswith(
        "La versión 2026.1 rige desde el 01/01/2026, antes de la fecha de negocio (15/03/2026): "
        "cambiaría cifras ya emitidas"
    )
    with pytest.raises(ValidationError) as refused:
        services.policy_version_create(**kwargs, retroactive=True, reason="  ")
    assert refused.value.message_dict == {"reason": ["Indique el motivo de la carga retroactiva."]}
    assert not PolicyVersion.objects.filter(version="2026.1").exists()
    assert not AuditEvent.objects.filter(action="policy.version_created").exists()

    row = services.policy_version_create(
        **kwargs, retroactive=True, reason="Acuerdo de junta directiva 12/2026, con efecto desde enero"
    )
    event = AuditEvent.objects.get(action="policy.version_created", object_id=str(row.pk))
    assert event.actor == world.users.admin
    assert event.after["retroactive"] is True
    assert event.after["changes"] == {"surcharge_monthly_rate": ["0.01", "0.02"]}
    assert event.reason == "Acuerdo de junta directiva 12/2026, con efecto desde enero"
    # from the business date on, no confirmation is needed
    services.policy_version_create(
        actor=None, version="2026.2", effective_from=date(2026, 3, 15), parameters={"fine_enabled": False}
    )


@pytest.mark.parametrize(
    "parameters,message",
    [
        ({"fine_rate": "-0.25"}, "«fine_rate» (tasa de multa) no puede ser negativo"),
        ({"surcharge_monthly_rate": 0.01}, "«surcharge_monthly_rate»"),
        ({"tasa_inventada": "1"}, "«tasa_inventada» no es un parámetro conocido"),
        ({"allocation_order": ["surcharge", "contribution"]}, "«allocation_order»"),
        ({"amnesty_enabled": True}, "«amnesty_enabled» ya no es un parámetro de la versión"),
        ({"amnesty_start": "2025-02-01"}, "«amnesty_start» ya no es un parámetro de la versión"),
        ({"due_business_day": "diez"}, "«due_business_day»"),
    ],
)
def test_malformed_parameters_are_refused_with_the_engine_message(parameters, message, before_2025):
    with pytest.raises(ValidationError) as error:
        services.policy_version_create(
            actor=None, version="2025.1", effective_from=date(2025, 1, 1), parameters=parameters
        )
    (text,) = error.value.message_dict["parameters"]
    assert text.startswith("Política inválida:")
    assert message in text
    assert not PolicyVersion.objects.filter(version="2025.1").exists()
    assert not AuditEvent.objects.filter(action="policy.version_created").exists()


def test_every_problem_is_named_not_only_the_first(default_policy_version, before_2025):
    with pytest.raises(ValidationError) as error:
        services.policy_version_create(
            actor=None,
            version="2024.1",
            effective_from=date(1950, 1, 1),
            parameters={"fine_rate": "-0.25", "tasa_inventada": "1", "surcharge_monthly_rate": 0.01},
            retroactive=True,
            reason="prueba",
        )
    problems = error.value.message_dict
    assert problems["version"] == ["Ya existe la versión «2024.1» de la política."]
    assert problems["effective_from"] == [
        "Vigente desde fuera de rango: «01/01/1950» (debe estar entre 01/01/1954 y 31/12/2100)."
    ]
    assert len(problems["parameters"]) == 3
    named = "\n".join(problems["parameters"])
    assert "«fine_rate» (tasa de multa) no puede ser negativo" in named
    assert "«tasa_inventada» no es un parámetro conocido" in named
    assert (
        "«surcharge_monthly_rate» (tasa mensual de recargo por mora) debe escribirse como texto decimal"
        in named
    )
    assert PolicyVersion.objects.count() == 1


def test_version_and_date_are_unique(default_policy_version):
    with pytest.raises(ValidationError) as error:
        services.policy_version_create(
            actor=None,
            version="2024.1",
            effective_from=date(2015, 8, 1),
            parameters={},
            retroactive=True,
            reason="prueba",
        )
    assert error.value.message_dict == {
        "version": ["Ya existe la versión «2024.1» de la política."],
        "effective_from": ["Ya hay una versión vigente desde el 01/08/2015: la 2024.1."],
    }


# ------------------------------------------------------------------------------ admin
ADD_URL = "/admin/ledger/policyversion/add/"


def test_admin_add_form_starts_from_the_latest_version(client, world, default_policy_version):
    client.force_login(world.users.admin)
    response = client.get(ADD_URL)
    assert response.status_code == 200
    initial = json.loads(response.context["adminform"].form["parameters"].value())
    assert initial["surcharge_monthly_rate"] == "0.01"
    assert "version" not in initial


def test_admin_refuses_a_malformed_parameter_set_in_spanish(
    client, world, default_policy_version, before_2025
):
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


def test_admin_adds_a_validated_version_and_never_edits_or_deletes(
    client, world, default_policy_version, before_2025
):
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


def test_admin_inherits_what_the_form_leaves_out_from_the_version_in_force_before(
    client, world, default_policy_version, before_2025
):
    services.policy_version_create(
        actor=None, version="2025.1", effective_from=date(2025, 1, 1), parameters={"fine_enabled": False}
    )
    client.force_login(world.users.admin)
    response = client.post(
        ADD_URL,
        {
            "version": "2026.1",
            "effective_from": "01/01/2026",
            "parameters": json.dumps({"surcharge_monthly_rate": "0.02"}),
            "note": "Recargo al 2 %",
        },
    )
    assert response.status_code == 302
    policy = PolicyVersion.objects.get(version="2026.1").as_policy()
    assert policy.surcharge_monthly_rate == Decimal("0.02")
    assert policy.fine_enabled is False  # inherited from 2025.1, not the default


def test_admin_asks_to_confirm_a_retroactive_version_with_a_reason(
    client, world, default_policy_version, settings
):
    settings.COBRANZA_BUSINESS_DATE = date(2026, 3, 15)
    client.force_login(world.users.admin)
    form = {
        "version": "2026.1",
        "effective_from": "01/01/2026",
        "parameters": json.dumps({"surcharge_monthly_rate": "0.02"}),
        "note": "Recargo al 2 %",
    }
    page = client.post(ADD_URL, form)
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert errors["retroactive"][0].startswith(
        "La versión 2026.1 rige desde el 01/01/2026, antes de la fecha de negocio (15/03/2026): "
        "cambiaría cifras ya emitidas"
    )
    page = client.post(ADD_URL, {**form, "retroactive": "on"})
    assert page.context["adminform"].form.errors["reason"] == ["Indique el motivo de la carga retroactiva."]
    assert not PolicyVersion.objects.filter(version="2026.1").exists()

    done = client.post(
        ADD_URL, {**form, "retroactive": "on", "reason": "Acuerdo de junta con efecto desde enero"}
    )
    assert done.status_code == 302
    row = PolicyVersion.objects.get(version="2026.1")
    event = AuditEvent.objects.get(action="policy.version_created", object_id=str(row.pk))
    assert event.actor == world.users.admin
    assert event.after["retroactive"] is True
    assert event.reason == "Acuerdo de junta con efecto desde enero"


def test_only_administrators_reach_the_policy_admin(client, world):
    client.force_login(world.users.jefe)
    assert client.get(ADD_URL).status_code in (302, 403)
