from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "cobranza.legal"
    label = "legal"
    verbose_name = "Cobro judicial"
