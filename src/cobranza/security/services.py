"""Writes of the security layer: a user changing their own password, and the forced-change mark."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cobranza.common.audit import record
from cobranza.common.errors import ApplicationError
from cobranza.security.models import AccountSecurity

SESSION_MUST_CHANGE = "cobranza_must_change_password"


def must_change_password(user: Any) -> bool:
    if not getattr(user, "pk", None):
        return False
    return AccountSecurity.objects.filter(user_id=user.pk, must_change_password=True).exists()


@transaction.atomic
def password_change_required_mark(*, actor: Any, user: Any, reason: str) -> AccountSecurity:
    """The next login of `user` opens the password-change page before anything else."""
    state, _ = AccountSecurity.objects.select_for_update().get_or_create(user=user)
    if not state.must_change_password:
        state.must_change_password = True
        state.full_clean()
        state.save()
        record(
            actor=actor,
            action="password_change_required",
            obj=user,
            object_type="auth.user",
            before={"must_change_password": False},
            after={"must_change_password": True},
            reason=reason,
        )
    return state


@transaction.atomic
def password_change(*, user: Any, old_password: str, new_password: str) -> Any:
    """The user changes their own password: the current one is checked, the new one validated.

    Their API tokens stop working (`cobranza.api.auth`: a token carries the password's fingerprint)
    and any forced change is fulfilled. An audit event records the change (never the password).
    """
    if not user.check_password(old_password):
        raise ApplicationError("La contraseña actual no es correcta.")
    if old_password == new_password:
        raise ApplicationError("La contraseña nueva debe ser distinta de la actual.")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise ApplicationError(
            "La contraseña nueva no es aceptable: " + " ".join(error.messages),
            details=[{"campo": "contraseña nueva", "motivo": m} for m in error.messages],
        ) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    state, _ = AccountSecurity.objects.select_for_update().get_or_create(user=user)
    was_forced = state.must_change_password
    state.must_change_password = False
    state.password_changed_at = timezone.now()
    state.full_clean()
    state.save()
    record(
        actor=user,
        action="password_changed",
        obj=user,
        object_type="auth.user",
        before={"must_change_password": was_forced},
        after={"must_change_password": False},
        reason="Cambio de contraseña por el propio usuario",
    )
    return user
