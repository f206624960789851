from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Passwords (validators, forced change), security headers (CSP, no-store) and the lockout answer."""

    name = "cobranza.security"
    label = "security"
    verbose_name = "Seguridad"

    def ready(self) -> None:
        from cobranza.security import signals  # noqa: F401 - login remembers a pending password change
