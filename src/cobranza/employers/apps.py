from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "cobranza.employers"
    label = "employers"
    verbose_name = "Patronos"
