from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "cobranza.agreements"
    label = "agreements"
    verbose_name = "Convenios de pago"
