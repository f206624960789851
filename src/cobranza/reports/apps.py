from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cobranza.reports"
    label = "reports"
    verbose_name = "Metas y resultados"
