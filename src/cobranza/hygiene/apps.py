from django.apps import AppConfig


class HygieneConfig(AppConfig):
    name = "cobranza.hygiene"
    label = "hygiene"
    verbose_name = "Depuración de cuentas"
