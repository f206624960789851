from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cobranza.cases"
    label = "cases"
    verbose_name = "Expedientes y gestiones"

    def ready(self) -> None:
        from cobranza.cases.tasks import on_payments_imported
        from cobranza.employers.signals import payments_imported

        # Every payment import re-checks the promises of the employers that paid (SPEC §7).
        payments_imported.connect(on_payments_imported, dispatch_uid="cases.promises_after_import")
