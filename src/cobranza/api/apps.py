from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cobranza.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from cobranza.api import auth  # noqa: F401 - connects the logout receiver that revokes tokens
