from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "cobranza.ledger"
    label = "ledger"
    verbose_name = "Cuenta corriente"
