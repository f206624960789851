"""Django's ``flush`` (empty every table), allowed to empty the append-only audit table too.

The audit table's triggers refuse every DELETE and TRUNCATE (``cobranza.common.audit_triggers``);
``flush`` erases the whole database at once (transactional tests between runs, an operator starting
over), so it alone lifts them, inside its own transaction.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from cobranza.common import audit_triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        with transaction.atomic(using=database):
            audit_triggers.allow_purge(connection)
            try:
                super().handle(**options)
            finally:
                audit_triggers.end_purge(connection)
