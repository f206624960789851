"""The roles of SPEC §1 as Django groups, and the questions pages ask about a user."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import TextChoices


class Role(TextChoices):
    COLLECTOR = "gestor", "Gestor de cobros"
    DEPARTMENT_HEAD = "jefe_departamento", "Jefe de departamento"
    BRANCH_HEAD = "jefe_sucursal", "Jefe de sucursal"
    CALL_CENTER = "centro_llamadas", "Centro de llamadas"
    LEGAL = "juridico", "Unidad jurídica"
    SERVICE_DESK = "atencion", "Atención a usuarios"
    OTHER_AREAS = "otras_areas", "Otras áreas (afiliación, contabilidad, inspección)"
    ADMIN = "administrador", "Administrador"


HEADS = {Role.DEPARTMENT_HEAD, Role.BRANCH_HEAD}


def roles_of(user: User | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_cobranza_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._cobranza_roles = cached  # type: ignore[union-attr]
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_admin(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.ADMIN)


def is_head(user: User | AnonymousUser) -> bool:
    return has_role(user, *HEADS)


def sees_all_employers(user: User | AnonymousUser) -> bool:
    """Department heads, administrators and the institute-wide units see every employer.

    Collectors see their portfolio and branch heads their branch (see employers.selectors).
    """
    return has_role(
        user,
        Role.ADMIN,
        Role.DEPARTMENT_HEAD,
        Role.CALL_CENTER,
        Role.LEGAL,
        Role.SERVICE_DESK,
        Role.OTHER_AREAS,
    )


def can_read_audit(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.ADMIN, *HEADS)


def can_import(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.ADMIN)


def role_labels(user: User | AnonymousUser) -> list[str]:
    labels = dict(Role.choices)
    return [labels[r] for r in sorted(roles_of(user)) if r in labels]
