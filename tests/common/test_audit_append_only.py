"""The audit trail is append-only in the database itself (issue 10 item 5), on SQLite and PostgreSQL.

Run on PostgreSQL with DATABASE_URL=postgresql://…; the same tests pass on both databases.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError

from cobranza.common import audit_triggers
from cobranza.common.audit import bulk_record, record, records_user_changes_itself
from cobranza.common.models import AuditEvent

pytestmark = pytest.mark.django_db

REFUSED = "Los eventos de auditoría no se pueden modificar ni eliminar"


@pytest.fixture
def event(world):
    return record(actor=world.users.jefe, action="case.opened", object_type="cases.casefile", object_id="1")


def refused(fn) -> str:
    """Run `fn` in a savepoint; it must fail in the database with the trigger's message."""
    with pytest.raises(DatabaseError) as info, transaction.atomic():
        fn()
    return str(info.value)


def test_the_triggers_exist_after_migrating():
    expected = {"postgresql": 2, "sqlite": 2}[connection.vendor]
    assert len(audit_triggers.installed(connection)) == expected


def test_raw_sql_update_is_refused(event):
    def update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE common_auditevent SET action = 'x' WHERE id = %s", [event.pk])

    assert REFUSED in refused(update)
    assert AuditEvent.objects.get(pk=event.pk).action == "case.opened"


def test_raw_sql_delete_is_refused(event):
    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM common_auditevent WHERE id = %s", [event.pk])

    assert REFUSED in refused(delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_base_manager_update_is_refused(event):
    assert REFUSED in refused(lambda: AuditEvent._base_manager.filter(pk=event.pk).update(reason="otro"))
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_raw_delete_is_refused(event):
    qs = AuditEvent._base_manager.filter(pk=event.pk)
    assert REFUSED in refused(lambda: qs._raw_delete(qs.db))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_on_postgresql():
    event = record(actor=None, action="case.opened", object_type="cases.casefile", object_id="1")

    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE common_auditevent CASCADE")

    assert REFUSED in refused(truncate)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_user_with_events_cannot_be_deleted(event, world):
    """actor is PROTECT: deleting the user would rewrite the events' actor (an UPDATE)."""
    with pytest.raises(ProtectedError), transaction.atomic():
        world.users.jefe.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == world.users.jefe.pk


def test_the_actor_name_is_kept_when_the_user_is_renamed(world):
    jefe = world.users.jefe
    jefe.first_name, jefe.last_name = "Ana", "Martínez"
    jefe.save()
    event = record(actor=jefe, action="case.opened", object_type="cases.casefile", object_id="1")
    jefe.first_name, jefe.last_name, jefe.username = "Ana", "Martínez de López", "amartinez"
    jefe.save()
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "Ana Martínez"


def test_bulk_events_store_the_actor_name(world):
    bulk_record(
        [AuditEvent(actor=world.users.gestor1, action="assignment.created", object_type="t", object_id="9")]
    )
    assert AuditEvent.objects.get(object_id="9", object_type="t").actor_name == "gestor1"


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_the_triggers_stay():
    """`flush` (between transactional tests, or an operator starting over) is the one thing that
    empties the table; the triggers are in place afterwards."""
    record(actor=None, action="case.opened", object_type="cases.casefile", object_id="1")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert len(audit_triggers.installed(connection)) == 2
    event = record(actor=None, action="case.opened", object_type="cases.casefile", object_id="2")
    assert REFUSED in refused(lambda: AuditEvent._base_manager.filter(pk=event.pk).update(reason="x"))


@pytest.mark.django_db(transaction=True)
def test_the_backfill_names_the_actors_of_existing_events():
    """Migrating from before 0003: events written then get their actor's name, then the triggers."""
    from django.contrib.auth.models import User

    call_command("migrate", "common", "0002", verbosity=0)
    try:
        assert audit_triggers.installed(connection) == set()
        # (signals off: the events table of 0002 has no actor_name yet)
        user = records_user_changes_itself(User.objects.create_user)(
            username="rosa", first_name="Rosa", last_name="Amaya"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO common_auditevent (at, actor_id, action, object_type, object_id, employer_number, reason)"
                " VALUES (%s, %s, 'case.opened', 'cases.casefile', '1', '', '')",
                ["2024-01-01 00:00:00+00:00", user.pk],
            )
    finally:
        call_command("migrate", "common", verbosity=0)
    assert AuditEvent.objects.get(object_id="1", object_type="cases.casefile").actor_name == "Rosa Amaya"
    assert len(audit_triggers.installed(connection)) == 2
