"""What the security layer remembers about an account."""

from django.conf import settings
from django.db import models


class AccountSecurity(models.Model):
    """One per user, created when first needed.

    `must_change_password`: the password was set by somebody else (an administrator in the admin
    site, or `staff_user_upsert` with a password): the user must choose their own at the next login
    before opening any page or obtaining an API token. The demo users of `cobranza seed` are never
    marked (their public password `demo` is stored as a hash, not set by a person).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="usuario",
        related_name="account_security",
        on_delete=models.CASCADE,
    )
    must_change_password = models.BooleanField("debe cambiar su contraseña", default=False)
    password_changed_at = models.DateTimeField("último cambio de contraseña propio", null=True, blank=True)

    class Meta:
        verbose_name = "seguridad de la cuenta"
        verbose_name_plural = "seguridad de las cuentas"

    def __str__(self) -> str:
        return f"seguridad de {self.user.username}"
