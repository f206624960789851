from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cobranza.cases"
    label = "cases"
    verbose_name = "Expedientes y gestiones"
