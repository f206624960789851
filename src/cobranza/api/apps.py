from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cobranza.api"
    label = "api"
    verbose_name = "API"
