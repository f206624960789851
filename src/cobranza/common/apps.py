from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_audit_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """SQLite drops a table's triggers when a migration remakes the table: put them back."""
    from django.db import connections

    from cobranza.common import audit_triggers

    audit_triggers.ensure_installed(connections[using])


class CommonConfig(AppConfig):
    name = "cobranza.common"
    label = "common"
    verbose_name = "General"

    def ready(self) -> None:
        from cobranza.common import user_audit

        user_audit.connect()
        # The admin is Spanish throughout: django-axes has no Spanish app name (its strings are in
        # src/cobranza/locale/es).
        from django.apps import apps

        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = "Bloqueo de ingresos (intentos fallidos)"
        post_migrate.connect(_ensure_audit_triggers, sender=self, dispatch_uid="common_audit_triggers")
