from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "cobranza.publications"
    label = "publications"
    verbose_name = "Publicación de patronos morosos"
