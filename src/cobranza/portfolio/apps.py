from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "cobranza.portfolio"
    label = "portfolio"
    verbose_name = "Cartera"
