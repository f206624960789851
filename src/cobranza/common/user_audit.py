"""Changes to users, roles (groups) and permissions are audited wherever they are made.

Model signals, so the admin, the shell and any future page are all covered; the actor is the user
of the request being served (``AuditActorMiddleware``), else "sistema". Events:

- ``user.created`` / ``user.updated`` / ``user.deleted``: username, names, e-mail, active, staff,
  superuser — only the fields that changed, before and after;
- ``user.password_set``: an administrator set a user's password (never the password itself; a user
  changing its own password is recorded by ``cobranza.security``);
- ``user.roles_changed`` / ``user.permissions_changed``: the user's groups / own permissions, the
  whole list before and after;
- ``group.created`` / ``group.updated`` / ``group.deleted`` / ``group.permissions_changed``.

A service that records these changes itself (``portfolio.services.staff_user_upsert``) is
decorated with ``audit.records_user_changes_itself`` and the handlers stay silent meanwhile. A
login's ``last_login`` update is not a change of the user. Deleting a user who appears in the trail
is refused by the database (``AuditEvent.actor`` is PROTECT): deactivate the user instead.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from cobranza.common import audit

USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")
IGNORED_UPDATES = {"last_login"}


def _perm_code(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _user_values(user: User) -> dict[str, Any]:
    return {f: getattr(user, f) for f in USER_FIELDS}


def _skip(update_fields: Any) -> bool:
    return audit.user_signals_muted() or (update_fields is not None and set(update_fields) <= IGNORED_UPDATES)


def user_pre_save(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or _skip(update_fields) or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values(*USER_FIELDS, "password").first()
    instance._audit_old = old  # type: ignore[attr-defined]


def user_post_save(
    sender: Any, instance: User, created: bool, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or _skip(update_fields):
        return
    actor = audit.current_actor()
    if created:
        audit.record(actor=actor, action="user.created", obj=instance, after=_user_values(instance))
        return
    old = getattr(instance, "_audit_old", None)
    instance._audit_old = None  # type: ignore[attr-defined]
    if old is None:
        return
    new = _user_values(instance)
    changed = [f for f in USER_FIELDS if old[f] != new[f]]
    if changed:
        audit.record(
            actor=actor,
            action="user.updated",
            obj=instance,
            before={f: old[f] for f in changed},
            after={f: new[f] for f in changed},
        )
    # `update_fields=["password"]` is a user changing its own password (cobranza.security records it).
    if old["password"] != instance.password and update_fields is None:
        audit.record(
            actor=actor, action="user.password_set", obj=instance, after={"username": instance.username}
        )


def user_pre_delete(sender: Any, instance: User, **kwargs: Any) -> None:
    if audit.user_signals_muted():
        return
    audit.record(
        actor=audit.current_actor(), action="user.deleted", obj=instance, before=_user_values(instance)
    )


def group_pre_save(sender: Any, instance: Group, raw: bool = False, **kwargs: Any) -> None:
    if raw or audit.user_signals_muted() or instance.pk is None:
        return
    instance._audit_old_name = Group.objects.filter(pk=instance.pk).values_list("name", flat=True).first()  # type: ignore[attr-defined]


def group_post_save(sender: Any, instance: Group, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or audit.user_signals_muted():
        return
    actor = audit.current_actor()
    if created:
        audit.record(actor=actor, action="group.created", obj=instance, after={"name": instance.name})
        return
    old = getattr(instance, "_audit_old_name", None)
    if old is not None and old != instance.name:
        audit.record(
            actor=actor,
            action="group.updated",
            obj=instance,
            before={"name": old},
            after={"name": instance.name},
        )


def group_pre_delete(sender: Any, instance: Group, **kwargs: Any) -> None:
    if audit.user_signals_muted():
        return
    audit.record(
        actor=audit.current_actor(), action="group.deleted", obj=instance, before={"name": instance.name}
    )


def _m2m_event(
    *, action: str, owner: Any, field: str, names: list[str], added: set[str], removed: set[str]
) -> None:
    after = sorted(names)
    before = sorted((set(names) - added) | removed)
    if before == after:
        return
    audit.record(
        actor=audit.current_actor(), action=action, obj=owner, before={field: before}, after={field: after}
    )


def _names(queryset: Any, kind: str) -> list[str]:
    if kind == "groups":
        return list(queryset.values_list("name", flat=True))
    return [_perm_code(p) for p in queryset.select_related("content_type")]


def _m2m_handler(owner_model: type, kind: str, action_name: str) -> Any:
    """One handler for the users' groups, users' permissions and groups' permissions."""
    target_model = Group if kind == "groups" else Permission

    def handler(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
        if audit.user_signals_muted():
            return
        if action == "pre_clear":
            owners = [instance] if not reverse else list(_owners_of(instance))
            instance._audit_cleared = {o.pk: _names(_related(o, kind), kind) for o in owners}
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            owners = [instance]
            changed = set(pk_set or ())
        else:
            owners = list(owner_model.objects.filter(pk__in=pk_set or ())) if action != "post_clear" else []
            changed = {instance.pk}
        if action == "post_clear":
            cleared = getattr(instance, "_audit_cleared", {})
            owners = [instance] if not reverse else list(owner_model.objects.filter(pk__in=cleared))
            for owner in owners:
                old = set(cleared.get(owner.pk, ()))
                now = _names(_related(owner, kind), kind)
                _m2m_event(action=action_name, owner=owner, field=kind, names=now, added=set(), removed=old)
            return
        changed_names = set(_names(target_model.objects.filter(pk__in=changed), kind))
        for owner in owners:
            now = _names(_related(owner, kind), kind)
            _m2m_event(
                action=action_name,
                owner=owner,
                field=kind,
                names=now,
                added=changed_names if action == "post_add" else set(),
                removed=changed_names if action == "post_remove" else set(),
            )

    def _related(owner: Any, kind: str) -> Any:
        if kind == "groups":
            return owner.groups.all()
        if owner_model is Group:
            return owner.permissions.all()
        return owner.user_permissions.all()

    def _owners_of(target: Any) -> Any:
        if kind == "groups":
            return target.user_set.all()
        return target.group_set.all() if owner_model is Group else target.user_set.all()

    return handler


_HANDLERS: list[Any] = []


def connect() -> None:
    """Called once from ``CommonConfig.ready``."""
    pre_save.connect(user_pre_save, sender=User, dispatch_uid="audit_user_pre_save")
    post_save.connect(user_post_save, sender=User, dispatch_uid="audit_user_post_save")
    pre_delete.connect(user_pre_delete, sender=User, dispatch_uid="audit_user_pre_delete")
    pre_save.connect(group_pre_save, sender=Group, dispatch_uid="audit_group_pre_save")
    post_save.connect(group_post_save, sender=Group, dispatch_uid="audit_group_post_save")
    pre_delete.connect(group_pre_delete, sender=Group, dispatch_uid="audit_group_pre_delete")
    for through, owner, kind, action in (
        (User.groups.through, User, "groups", "user.roles_changed"),
        (User.user_permissions.through, User, "permissions", "user.permissions_changed"),
        (Group.permissions.through, Group, "permissions", "group.permissions_changed"),
    ):
        handler = _m2m_handler(owner, kind, action)
        _HANDLERS.append(handler)  # signals hold weak references
        m2m_changed.connect(handler, sender=through, dispatch_uid=f"audit_{action}")
