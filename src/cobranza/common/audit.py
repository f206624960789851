"""Writing audit events. Call inside the service's transaction."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cobranza.common.models import AuditEvent


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
    AuditEvent.objects.bulk_create(events, batch_size=2000)
