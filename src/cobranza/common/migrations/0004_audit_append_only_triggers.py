"""The database refuses UPDATE and DELETE on the audit table (PostgreSQL and SQLite triggers).

Created after 0003's backfill, the last update the table ever sees. See
``cobranza.common.audit_triggers`` for the SQL and for how ``flush`` still empties the database.
"""

from django.db import migrations


def install(apps, schema_editor):
    from cobranza.common import audit_triggers

    audit_triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from cobranza.common import audit_triggers

    audit_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("common", "0003_audit_actor_name")]

    operations = [migrations.RunPython(install, uninstall)]
