from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "cobranza.outbox"
    label = "outbox"
    verbose_name = "Tareas en segundo plano"
