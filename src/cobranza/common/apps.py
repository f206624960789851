from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "cobranza.common"
    label = "common"
    verbose_name = "General"
