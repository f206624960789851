"""The admin's user forms: Django's (they run AUTH_PASSWORD_VALIDATORS, so `12345678` and
`password` are refused there too), plus: a password an administrator sets for somebody else is
temporary — the user must choose their own at the next login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AdminPasswordChangeForm

from cobranza.common.audit import current_actor
from cobranza.security.services import password_change_required_mark


class TemporaryPasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit and user.has_usable_password():
            actor = current_actor()
            if actor is None or actor.pk != user.pk:
                password_change_required_mark(
                    actor=actor, user=user, reason="Contraseña asignada por un administrador"
                )
        return user


def mark_new_user_password_temporary(*, actor: Any, user: Any) -> None:
    """After the admin's add-user form saved `user` with a password chosen by `actor`."""
    if user.has_usable_password() and (actor is None or actor.pk != user.pk):
        password_change_required_mark(
            actor=actor, user=user, reason="Contraseña asignada por un administrador"
        )
