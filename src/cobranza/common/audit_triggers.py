"""The database refuses to change or delete an audit event (issue 10 item 5).

Triggers on the audit table, created by migration ``0004_audit_append_only_triggers``:

- **PostgreSQL**: a ``BEFORE UPDATE OR DELETE … FOR EACH ROW`` trigger raises
  ``Los eventos de auditoría no se pueden modificar ni eliminar`` for raw SQL, ``update()`` of the
  base manager, ``_raw_delete()`` and anything else; a ``BEFORE TRUNCATE`` statement trigger
  refuses ``TRUNCATE`` too, unless the transaction set ``cobranza.audit_purge = 'on'``, which only
  the ``flush`` command does (``flush`` empties the whole database: tests between transactional
  tests, and an operator starting from scratch).
- **SQLite**: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers ``RAISE(ABORT, …)``. SQLite has no
  session variable a trigger can read, so ``flush`` drops the triggers, empties the tables and
  creates them again in the same transaction.

SQLite remakes a table (new table, copy, drop, rename) when a migration alters certain columns,
and that drops its triggers; a ``post_migrate`` handler (``CommonConfig.ready``) therefore creates
them again when missing, and ``installed()`` lets a test check they are there.

Whoever owns the database can still drop a trigger: this protects the trail from the application,
its users and mistakes, not from the database superuser (production runs the app with a role that
does not own the tables, see ``docs/operations.md``).
"""

from typing import Any

TABLE = "common_auditevent"
MESSAGE = "Los eventos de auditoría no se pueden modificar ni eliminar"
PURGE_SETTING = "cobranza.audit_purge"
MIGRATION = "0004_audit_append_only_triggers"

_PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION common_auditevent_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' AND coalesce(current_setting('{PURGE_SETTING}', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '{MESSAGE} (% rechazado).', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS common_auditevent_no_change ON {TABLE}",
    f"""CREATE TRIGGER common_auditevent_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION common_auditevent_append_only()""",
    f"DROP TRIGGER IF EXISTS common_auditevent_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER common_auditevent_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION common_auditevent_append_only()""",
]
_PG_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS common_auditevent_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS common_auditevent_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS common_auditevent_append_only()",
]
_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS common_auditevent_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE rechazado).'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS common_auditevent_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE rechazado).'); END""",
]
_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS common_auditevent_no_update",
    "DROP TRIGGER IF EXISTS common_auditevent_no_delete",
]
_NAMES = {
    "postgresql": {"common_auditevent_no_change", "common_auditevent_no_truncate"},
    "sqlite": {"common_auditevent_no_update", "common_auditevent_no_delete"},
}


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: Any) -> None:
    """Create (or re-create) the triggers; idempotent."""
    if connection.vendor == "postgresql":
        _run(connection, _PG_INSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)


def uninstall(connection: Any) -> None:
    if connection.vendor == "postgresql":
        _run(connection, _PG_UNINSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_UNINSTALL)


def installed(connection: Any) -> set[str]:
    """The names of this module's triggers present on the audit table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        else:
            return set()
        return {row[0] for row in cursor.fetchall()} & _NAMES[connection.vendor]


def ensure_installed(connection: Any) -> None:
    """Create the triggers if the table exists and any is missing (after an SQLite table remake)."""
    if connection.vendor not in _NAMES or TABLE not in connection.introspection.table_names():
        return
    from django.db.migrations.recorder import MigrationRecorder

    if ("common", MIGRATION) not in MigrationRecorder(connection).applied_migrations():
        return  # migrated back before the triggers: leave the table as that state has it
    if installed(connection) != _NAMES[connection.vendor]:
        install(connection)


def allow_purge(connection: Any) -> None:
    """Inside the current transaction, let ``flush`` empty the audit table (and nothing else does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_UNINSTALL)


def end_purge(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', true)", [PURGE_SETTING])
    elif connection.vendor == "sqlite":
        ensure_installed(connection)
