"""Password validators that know the user's role (AUTH_PASSWORD_VALIDATORS in settings).

Staff — every user who holds a role of `cobranza.common.roles.Role`, has admin access or is a
superuser, and any account not saved yet (an administrator creating it has not given it a role
yet) — needs `staff_min_length` characters (12 by default, `COBRANZA_PASSWORD_MIN_LENGTH`); an
existing account with no role at all (it sees nothing) needs Django's 8. Messages in Spanish.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError


def is_staff_account(user: Any) -> bool:
    if user is None or not getattr(user, "pk", None):
        return True
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.exists()


class RoleAwareMinimumLengthValidator:
    def __init__(self, staff_min_length: int | None = None, other_min_length: int = 8) -> None:
        self.staff_min_length = staff_min_length or settings.COBRANZA_PASSWORD_MIN_LENGTH
        self.other_min_length = other_min_length

    def min_length_for(self, user: Any) -> int:
        return self.staff_min_length if is_staff_account(user) else self.other_min_length

    def validate(self, password: str, user: Any = None) -> None:
        minimum = self.min_length_for(user)
        if len(password) < minimum:
            raise ValidationError(
                f"La contraseña es demasiado corta: debe tener al menos {minimum} caracteres.",
                code="password_too_short",
                params={"min_length": minimum},
            )

    def get_help_text(self) -> str:
        return f"Su contraseña debe tener al menos {self.staff_min_length} caracteres."
