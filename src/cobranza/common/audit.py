"""Writing audit events. Call inside the service's transaction.

Every event stores its actor's name at the time (``actor_name``); reading events for people goes
through ``cobranza.common.audit_display`` (Spanish sentences), never through the raw dicts.

``current_actor()`` is the user of the request being served (set by ``AuditActorMiddleware``), for
changes recorded from model signals (users, groups and permissions, see ``user_audit``) where no
service passes an actor.
"""

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from cobranza.common.models import AuditEvent, actor_display_name

_F = TypeVar("_F", bound=Callable[..., Any])
_current_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("cobranza_audit_actor", default=None)
_user_signals_muted: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "cobranza_user_audit_muted", default=False
)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute the changes recorded by signals inside the block to `user` (a request's user)."""
    token = _current_actor.set(user)
    try:
        yield
    finally:
        _current_actor.reset(token)


def current_actor() -> Any:
    user = _current_actor.get()
    if hasattr(user, "resolve"):
        user = user.resolve()
    return user if getattr(user, "is_authenticated", False) else None


def user_signals_muted() -> bool:
    return _user_signals_muted.get()


def records_user_changes_itself(func: _F) -> _F:
    """For a service that writes its own audit event for user, group and role changes: the signal
    handlers of ``user_audit`` stay silent while it runs (one event per change, not two)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _user_signals_muted.set(True)
        try:
            return func(*args, **kwargs)
        finally:
            _user_signals_muted.reset(token)

    return wrapper  # type: ignore[return-value]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def snapshot(instance: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: _jsonable(getattr(instance, f)) for f in fields}


def record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    employer_number: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_name=actor_display_name(actor_obj),
        action=action,
        object_type=object_type,
        object_id=object_id,
        employer_number=employer_number,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason[:500],
    )


def bulk_record(events: list[AuditEvent]) -> None:
    """Write many events at once (imports). Events are new objects, so this never edits one."""
    names: dict[int, str] = {}
    for event in events:
        if event.actor_id is not None and not event.actor_name:
            if event.actor_id not in names:
                names[event.actor_id] = actor_display_name(event.actor)
            event.actor_name = names[event.actor_id]
    AuditEvent.objects.bulk_create(events, batch_size=2000)
