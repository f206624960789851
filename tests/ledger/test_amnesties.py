"""Amnesty records (SPEC §4): validated by the engine and against every other amnesty, the
retroactive rule, the audit event, the add-only admin, and the data migration that turns the first
versions' amnesty switch into records."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from cobranza.common.models import AuditEvent
from cobranza.engine.policy import LEGACY_AMNESTY_KEYS
from cobranza.ledger import services
from cobranza.ledger.models import Amnesty, PolicyVersion

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("cobranza.ledger.migrations.0005_amnesty_records")


@pytest.fixture
def early_2026(settings):
    """The business date is 15/01/2026: windows from February 2026 on are not retroactive."""
    settings.COBRANZA_BUSINESS_DATE = date(2026, 1, 15)


def grant(**kwargs):
    values = {
        "actor": None,
        "name": "Amnistía 2026",
        "start": date(2026, 3, 1),
        "end": date(2026, 5, 31),
        "paid_in_full": True,
        "agreements": False,
        "waives": ["surcharge", "fine"],
    }
    values.update(kwargs)
    return services.amnesty_create(**values)


# ------------------------------------------------------------------------------ services
def test_an_amnesty_is_validated_stored_normalized_and_audited(world, early_2026):
    row = grant(
        actor=world.users.admin,
        waives=["fine", "surcharge", "fine"],
        agreements=True,
        note="Decreto legislativo 123",
    )
    assert row.created_by == world.users.admin
    assert row.waives == ["surcharge", "fine"]  # engine order, no repeats
    assert row.as_amnesty().mask == 1 | 2
    event = AuditEvent.objects.get(action="policy.amnesty_created", object_id=str(row.pk))
    assert event.actor == world.users.admin
    assert event.after == {
        "name": "Amnistía 2026",
        "start": "2026-03-01",
        "end": "2026-05-31",
        "paid_in_full": True,
        "agreements": True,
        "waives": ["surcharge", "fine"],
        "retroactive": False,
        "note": "Decreto legislativo 123",
    }
    assert event.reason == "Decreto legislativo 123"


def test_an_amnesty_starting_before_the_business_date_needs_retroactive_and_a_reason(world, settings):
    settings.COBRANZA_BUSINESS_DATE = date(2026, 4, 1)
    with pytest.raises(ValidationError) as refused:
        grant()
    (message,) = refused.value.message_dict["retroactive"]
    assert message.startswith(
        "La amnistía «Amnistía 2026» rige desde el 01/03/2026, antes de la fecha de negocio (01/04/2026): "
        "cambiaría cifras ya emitidas"
    )
    with pytest.raises(ValidationError) as refused:
        grant(retroactive=True)
    assert refused.value.message_dict == {"reason": ["Indique el motivo de la carga retroactiva."]}
    assert not Amnesty.objects.exists()
    assert not AuditEvent.objects.filter(action="policy.amnesty_created").exists()

    row = grant(actor=world.users.admin, retroactive=True, reason="Decreto publicado tarde")
    event = AuditEvent.objects.get(action="policy.amnesty_created", object_id=str(row.pk))
    assert event.after["retroactive"] is True
    assert event.reason == "Decreto publicado tarde"


def test_an_overlapping_window_with_other_terms_is_refused_naming_both(early_2026):
    grant()
    with pytest.raises(ValidationError) as refused:
        grant(name="Amnistía de multas", start=date(2026, 5, 1), end=date(2026, 6, 30), waives=["fine"])
    assert refused.value.message_dict == {
        "start": [
            "La ventana de la amnistía «Amnistía de multas» (01/05/2026–30/06/2026) se superpone con la de "
            "«Amnistía 2026» (01/03/2026–31/05/2026), que tiene otro alcance o condona otros componentes: "
            "dos amnistías vigentes a la vez deben tener los mismos términos."
        ]
    }
    # the same terms may overlap (an extension), and a window that does not overlap may differ
    grant(name="Prórroga", start=date(2026, 5, 15), end=date(2026, 7, 31))
    grant(name="Amnistía de multas", start=date(2026, 8, 1), end=date(2026, 8, 31), waives=["fine"])
    assert list(Amnesty.objects.values_list("name", flat=True)) == [
        "Amnistía 2026",
        "Prórroga",
        "Amnistía de multas",
    ]


def test_every_problem_of_an_amnesty_is_named(early_2026):
    grant()
    with pytest.raises(ValidationError) as refused:
        services.amnesty_create(
            actor=None,
            name="Amnistía 2026",
            start="2026-13-01",
            end="31/05/2026",
            paid_in_full="sí",
            waives=["recargo"],
        )
    problems = refused.value.message_dict
    assert problems["name"] == ["Ya existe la amnistía «Amnistía 2026»."]
    assert problems["start"] == [
        "Amnistía inválida: el campo «start» (inicio) no es una fecha válida (AAAA-MM-DD): '2026-13-01'"
    ]
    assert problems["end"] == [
        "Amnistía inválida: el campo «end» (fin) no es una fecha válida (AAAA-MM-DD): '31/05/2026'"
    ]
    assert (
        "«paid_in_full» (pago total en la ventana) debe ser verdadero o falso" in problems["paid_in_full"][0]
    )
    assert (
        "«waives» (componentes condonados) solo admite surcharge, fine e interest, no recargo"
        in (problems["waives"][0])
    )
    assert Amnesty.objects.count() == 1


def test_the_model_checks_the_window_against_every_other_amnesty(early_2026):
    grant()
    other = Amnesty(name="Otra", start=date(2026, 4, 1), end=date(2026, 4, 30), waives=["interest"])
    with pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert "se superpone con la de «Amnistía 2026»" in refused.value.message_dict["start"][0]
    backwards = Amnesty(name="Al revés", start=date(2026, 9, 30), end=date(2026, 9, 1))
    with pytest.raises(ValidationError) as refused:
        backwards.full_clean()
    assert "no puede ser anterior al inicio" in refused.value.message_dict["end"][0]


# ------------------------------------------------------------------------------ admin
ADD_URL = "/admin/ledger/amnesty/add/"


def test_admin_adds_an_amnesty_in_spanish_and_never_edits_or_deletes_it(client, world, early_2026):
    client.force_login(world.users.admin)
    page = client.get(ADD_URL).content.decode()
    for label in (
        "Nombre",
        "Desde",
        "Hasta",
        "Pago total en la ventana",
        "Componentes condonados",
        "Recargo",
    ):
        assert label in page
    response = client.post(
        ADD_URL,
        {
            "name": "Amnistía 2026",
            "start": "01/03/2026",
            "end": "31/05/2026",
            "paid_in_full": "on",
            "waives": ["surcharge", "fine", "interest"],
            "note": "Decreto 44",
        },
    )
    assert response.status_code == 302
    row = Amnesty.objects.get()
    assert row.created_by == world.users.admin
    assert row.waives == ["surcharge", "fine", "interest"]
    assert AuditEvent.objects.filter(action="policy.amnesty_created", object_id=str(row.pk)).exists()

    change = f"/admin/ledger/amnesty/{row.pk}/change/"
    shown = client.get(change)
    assert shown.status_code == 200  # view only
    assert "Recargo, multa e interés" in shown.content.decode()
    assert client.post(change, {"name": "cambiada"}).status_code == 403
    assert client.post(f"/admin/ledger/amnesty/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Amnesty.objects.get().name == "Amnistía 2026"


def test_admin_refuses_a_retroactive_amnesty_until_confirmed_with_a_reason(client, world, settings):
    settings.COBRANZA_BUSINESS_DATE = date(2026, 4, 1)
    client.force_login(world.users.admin)
    form = {
        "name": "Amnistía 2026",
        "start": "01/03/2026",
        "end": "31/05/2026",
        "paid_in_full": "on",
        "waives": ["surcharge", "fine"],
    }
    page = client.post(ADD_URL, form)
    assert page.status_code == 200
    assert "cambiaría cifras ya emitidas" in page.context["adminform"].form.errors["retroactive"][0]
    page = client.post(ADD_URL, {**form, "waives": []})
    assert page.context["adminform"].form.errors["waives"] == ["Marque al menos un componente condonado."]
    assert not Amnesty.objects.exists()
    done = client.post(ADD_URL, {**form, "retroactive": "on", "reason": "Decreto publicado tarde"})
    assert done.status_code == 302
    event = AuditEvent.objects.get(action="policy.amnesty_created")
    assert (event.after["retroactive"], event.reason) == (True, "Decreto publicado tarde")


# ------------------------------------------------------------------------------ data migration
def store_legacy(version: PolicyVersion, **legacy) -> None:
    """A version as migration 0003 stored it (the amnesty as three parameters), bypassing clean()."""
    PolicyVersion.objects.filter(pk=version.pk).update(parameters={**version.parameters, **legacy})


def test_the_migration_strips_the_legacy_keys_and_turns_an_enabled_amnesty_into_a_record(
    default_policy_version, world
):
    store_legacy(default_policy_version, amnesty_enabled=False, amnesty_start=None, amnesty_end=None)
    enabled = PolicyVersion.objects.create(
        version="2025.1",
        effective_from=date(2025, 1, 1),
        parameters={**default_policy_version.parameters, "version": "2025.1", "effective_from": "2025-01-01"},
        created_by=world.users.admin,
    )
    store_legacy(enabled, amnesty_enabled=True, amnesty_start="2025-03-01", amnesty_end="2025-04-30")

    MIGRATION.amnesties_out_of_versions(django_apps, None)

    for row in PolicyVersion.objects.all():
        assert not set(LEGACY_AMNESTY_KEYS) & set(row.parameters)
        row.as_policy()  # readable by the engine again
    record = Amnesty.objects.get()
    assert record.name == "Amnistía de la política 2025.1"
    assert (record.start, record.end) == (date(2025, 3, 1), date(2025, 4, 30))
    assert (record.paid_in_full, record.agreements, record.waives) == (True, False, ["surcharge", "fine"])
    assert record.created_by == world.users.admin
    record.full_clean()  # a valid record for the engine

    MIGRATION.amnesties_out_of_versions(django_apps, None)  # a second run changes nothing
    assert Amnesty.objects.count() == 1

    MIGRATION.amnesties_back_into_versions(django_apps, None)
    back = PolicyVersion.objects.get(version="2025.1").parameters
    assert (back["amnesty_enabled"], back["amnesty_start"], back["amnesty_end"]) == (
        True,
        "2025-03-01",
        "2025-04-30",
    )
    assert PolicyVersion.objects.get(version="2024.1").parameters["amnesty_enabled"] is False
