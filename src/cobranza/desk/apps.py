from django.apps import AppConfig


class DeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cobranza.desk"
    verbose_name = "Atención a usuarios"
