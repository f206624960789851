"""Writes for staff and portfolios: users with their roles and branch, assignments, temporary cover.

Every service is keyword-only, atomic, validates before saving and records an audit event in the
same transaction (ARCHITECTURE.md, conventions 1 and 5). `actor=None` means the system itself
(`cobranza seed`, scheduled work); a person acting must hold the role the operation needs.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cobranza.common import audit
from cobranza.common import roles as role_checks
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.common.roles import Role
from cobranza.employers.models import Branch, Employer
from cobranza.portfolio.models import Assignment, Cover, StaffProfile
from cobranza.security.services import password_change_required_mark

_CHUNK = 500  # ids per IN (...) clause: well under every database's parameter limit


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{field}: {'; '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def _full_clean(instance: Any, **kwargs: Any) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise ApplicationError(f"Datos no válidos: {_validation_message(error)}") from error


def _require(actor: User | None, *allowed: str, message: str) -> None:
    if actor is not None and not role_checks.has_role(actor, *allowed):
        raise ApplicationError(message)


def _collector_ids(users: Iterable[User]) -> set[int]:
    """Of these users, the ids of the active ones in the collector group (one query)."""
    ids = {u.pk for u in users}
    return set(
        User.objects.filter(pk__in=ids, is_active=True, groups__name=Role.COLLECTOR).values_list(
            "pk", flat=True
        )
    )


def _require_collector(user: User) -> None:
    if user.pk not in _collector_ids([user]):
        raise ApplicationError(f"El usuario {user.username} no es gestor de cobros.")


def _require_branch_scope(actor: User | None, employers: Sequence[Employer]) -> None:
    """A branch head (without wider roles) assigns only the employers of its own branch."""
    if actor is None or role_checks.has_role(actor, Role.ADMIN, Role.DEPARTMENT_HEAD):
        return
    profile = StaffProfile.objects.filter(user=actor).only("branch_id").first()
    branch_id = profile.branch_id if profile else None
    outside = [e.employer_number for e in employers if e.branch_id != branch_id]
    if outside:
        listed = ", ".join(outside[:5]) + ("…" if len(outside) > 5 else "")
        raise ApplicationError(f"Solo puede asignar patronos de su sucursal; fuera de ella: {listed}.")


# -- staff ---------------------------------------------------------------------------------------


def _staff_snapshot(user: User) -> dict[str, Any]:
    profile = StaffProfile.objects.filter(user=user).select_related("branch").first()
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "branch": profile.branch.name if profile and profile.branch else None,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
    }


@audit.records_user_changes_itself  # its one event below; the user_audit signals stay silent
@transaction.atomic
def staff_user_upsert(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    roles: list[str],
    branch: Branch | None,
    first_name: str = "",
    last_name: str = "",
    superuser: bool = False,
    password_hash: str | None = None,
) -> User:
    """Create or update a staff user: names, roles (exactly these groups), branch, password.

    `password=None` keeps the current one (a new user then cannot log in until one is set).
    `password_hash` (instead of `password`) stores an already hashed password, e.g. one
    `make_password("demo")` for all the demo users: hashing costs ~0.3 s per user.
    The administrator role also opens Django's admin site (`is_staff`); `superuser` grants every
    permission and is reserved to the administrator role.
    """
    _require(actor, Role.ADMIN, message="Solo un administrador puede crear o modificar usuarios.")
    username = (username or "").strip()
    if not username:
        raise ApplicationError("Indique el nombre de usuario.")
    known = set(Role.values)
    unknown = sorted(set(roles) - known)
    if unknown:
        raise ApplicationError(f"Rol desconocido: {', '.join(unknown)}.")
    if superuser and Role.ADMIN not in roles:
        raise ApplicationError("Solo un usuario con el rol administrador puede ser superusuario.")
    if Role.BRANCH_HEAD in roles and branch is None:
        raise ApplicationError(f"El jefe de sucursal {username} necesita una sucursal.")

    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    before = None if user is None else _staff_snapshot(user)
    if user is None:
        user = User(username=username)
        user.set_unusable_password()
    user.first_name = first_name
    user.last_name = last_name
    user.is_staff = Role.ADMIN in roles
    user.is_superuser = superuser
    user.is_active = True
    if password is not None and password_hash is not None:
        raise ApplicationError("Indique la contraseña o su hash, no ambos.")
    if password is not None:
        if not password:
            raise ApplicationError("La contraseña no puede estar vacía.")
        user.set_password(password)
    elif password_hash is not None:
        try:
            identify_hasher(password_hash)
        except ValueError as error:
            raise ApplicationError("El hash de contraseña no es válido.") from error
        user.password = password_hash
    password_changed = password is not None or password_hash is not None
    _full_clean(user)
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    missing = set(roles) - set(user.groups.values_list("name", flat=True))
    if missing:  # the groups come from a migration; a missing one is an installation problem
        raise ApplicationError(f"No existe el grupo del rol: {', '.join(sorted(missing))}.")
    if password is not None and (actor is None or actor.pk != user.pk):
        # A password somebody else chose is temporary: the user picks their own at the next login.
        # (The demo users' public `demo` comes as `password_hash` and is not marked.)
        password_change_required_mark(
            actor=actor, user=user, reason="Contraseña asignada por un administrador"
        )
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    if profile.branch_id != (branch.pk if branch else None):
        profile.branch = branch
        _full_clean(profile)
        profile.save()
    after = _staff_snapshot(user)
    if created or after != before or password_changed:
        audit.record(
            actor=actor,
            action="user.created" if created else "user.updated",
            obj=user,
            before=before,
            after={**after, "password_changed": password_changed},
        )
    return user


# -- assignments ---------------------------------------------------------------------------------


def _assignment_day(on: date | None) -> date:
    """The business date a change of portfolio takes effect: today by default; an earlier day only
    to record history (the demo's initial portfolio), never a future one."""
    today = business_date()
    if on is None:
        return today
    if on > today:
        raise ApplicationError(
            f"La asignación no puede regir desde una fecha futura ({on:%d/%m/%Y}; hoy es {today:%d/%m/%Y})."
        )
    return on


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique el motivo de la asignación.")
    return reason


@transaction.atomic
def assignment_create(
    *, actor: User | None, employer: Employer, collector: User, reason: str, on: date | None = None
) -> Assignment:
    """Assign the employer to the collector from business date `on` (today by default): closes the
    current assignment on that day and opens a new one."""
    _require(
        actor,
        Role.ADMIN,
        Role.DEPARTMENT_HEAD,
        Role.BRANCH_HEAD,
        message="Solo un jefe o un administrador puede asignar carteras.",
    )
    reason = _require_reason(reason)
    _require_collector(collector)
    _require_branch_scope(actor, [employer])
    current = (
        Assignment.objects.select_for_update()
        .select_related("collector")
        .filter(employer=employer, end__isnull=True)
        .first()
    )
    if current is not None and current.collector_id == collector.pk:
        raise ApplicationError(
            f"El patrono {employer.employer_number} ya está asignado a {collector.username}."
        )
    now = timezone.now()
    day = _assignment_day(on)
    if current is not None and day < current.start_on:
        raise ApplicationError(
            f"El patrono {employer.employer_number} está a cargo de su gestor actual desde el "
            f"{current.start_on:%d/%m/%Y}: la nueva asignación no puede regir antes."
        )
    if current is not None:
        current.end = now
        current.end_on = day
        current.save(update_fields=["end", "end_on"])
    assignment = Assignment(
        employer=employer,
        collector=collector,
        start_on=day,
        reason=reason,
        assigned_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _full_clean(assignment, validate_constraints=False)  # the open-row constraint is the database's
    assignment.save()
    audit.record(
        actor=actor,
        action="assignment.created",
        obj=assignment,
        employer_number=employer.employer_number,
        before={"collector": current.collector.username if current else None},
        after={"collector": collector.username},
        reason=reason,
    )
    return assignment


@transaction.atomic
def assignments_bulk_create(
    *, actor: User | None, pairs: Sequence[tuple[Employer, User]], reason: str, on: date | None = None
) -> list[Assignment]:
    """Assign many employers at once (initial portfolios, redistributions): a fixed number of queries
    per 500 employers, one audit event per new assignment. Pairs whose employer is already assigned
    to that collector are left alone, so running the same distribution twice changes nothing.
    """
    _require(
        actor,
        Role.ADMIN,
        Role.DEPARTMENT_HEAD,
        Role.BRANCH_HEAD,
        message="Solo un jefe o un administrador puede asignar carteras.",
    )
    reason = _require_reason(reason)
    day = _assignment_day(on)
    if not pairs:
        return []
    seen: set[int] = set()
    for employer, _ in pairs:
        if employer.pk in seen:
            raise ApplicationError(f"El patrono {employer.employer_number} aparece más de una vez.")
        seen.add(employer.pk)
    collectors = {c.pk: c for _, c in pairs}
    valid = _collector_ids(collectors.values())
    not_collectors = sorted(c.username for pk, c in collectors.items() if pk not in valid)
    if not_collectors:
        if len(not_collectors) == 1:
            raise ApplicationError(f"El usuario {not_collectors[0]} no es gestor de cobros.")
        raise ApplicationError(f"Los usuarios {', '.join(not_collectors)} no son gestores de cobros.")
    _require_branch_scope(actor, [e for e, _ in pairs])

    employer_ids = [e.pk for e, _ in pairs]
    current: dict[int, tuple[int, int]] = {}  # employer id -> (assignment id, collector id)
    for start in range(0, len(employer_ids), _CHUNK):
        rows = (
            Assignment.objects.select_for_update()
            .filter(employer_id__in=employer_ids[start : start + _CHUNK], end__isnull=True)
            .values_list("employer_id", "pk", "collector_id")
        )
        current.update({emp: (pk, coll) for emp, pk, coll in rows})
    changes = [(e, c) for e, c in pairs if current.get(e.pk, (None, None))[1] != c.pk]
    if not changes:
        return []
    now = timezone.now()
    to_close = [current[e.pk][0] for e, _ in changes if e.pk in current]
    for start in range(0, len(to_close), _CHUNK):
        Assignment.objects.filter(pk__in=to_close[start : start + _CHUNK]).update(end=now, end_on=day)
    previous_names = dict(
        User.objects.filter(pk__in={current[e.pk][1] for e, _ in changes if e.pk in current}).values_list(
            "pk", "username"
        )
    )
    assigned_by = actor if actor is not None and actor.is_authenticated else None
    new = [
        Assignment(employer=e, collector=c, reason=reason, assigned_by=assigned_by, start_on=day)
        for e, c in changes
    ]
    for assignment in new:
        # Field validation only: the employer and collector exist, the open-row rule was handled above.
        _full_clean(assignment, exclude=["employer", "collector", "assigned_by"], validate_constraints=False)
    created = Assignment.objects.bulk_create(new, batch_size=_CHUNK)
    if any(a.pk is None for a in created):  # a backend that does not return ids: fetch them
        by_employer = dict(
            Assignment.objects.filter(employer_id__in=employer_ids, end__isnull=True).values_list(
                "employer_id", "pk"
            )
        )
        for assignment in created:
            assignment.pk = by_employer[assignment.employer_id]
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    audit.bulk_record(
        [
            AuditEvent(
                actor=actor_obj,
                action="assignment.created",
                object_type=Assignment._meta.label_lower,
                object_id=str(a.pk),
                employer_number=a.employer.employer_number,
                before={
                    "collector": previous_names.get(current[a.employer_id][1])
                    if a.employer_id in current
                    else None
                },
                after={"collector": a.collector.username},
                reason=reason[:500],
            )
            for a in created
        ]
    )
    return created


@transaction.atomic
def assignment_close(
    *, actor: User | None, employer: Employer, reason: str, on: date | None = None
) -> Assignment:
    """Take the employer out of every portfolio (paid, prescribed, sent to legal)."""
    _require(
        actor,
        Role.ADMIN,
        Role.DEPARTMENT_HEAD,
        Role.BRANCH_HEAD,
        message="Solo un jefe o un administrador puede modificar carteras.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique el motivo.")
    _require_branch_scope(actor, [employer])
    current = (
        Assignment.objects.select_for_update()
        .select_related("collector")
        .filter(employer=employer, end__isnull=True)
        .first()
    )
    if current is None:
        raise ApplicationError(f"El patrono {employer.employer_number} no está asignado a ningún gestor.")
    current.end = timezone.now()
    current.end_on = max(_assignment_day(on), current.start_on)
    current.save(update_fields=["end", "end_on"])
    audit.record(
        actor=actor,
        action="assignment.closed",
        obj=current,
        employer_number=employer.employer_number,
        before={"collector": current.collector.username},
        after={"collector": None},
        reason=reason,
    )
    return current


@dataclass(frozen=True)
class CollectorLoad:
    username: str
    employers: int
    debt_cents: int


def balanced_distribution(
    debts: Sequence[tuple[Employer, int]], collectors: Sequence[User]
) -> list[tuple[Employer, User]]:
    """Greedy balance: largest debt first, each to the collector with the least total so far.

    Deterministic: ties go to the employer number, then to the collector's username.
    """
    if not collectors:
        return []
    heap = [(0, c.username, c) for c in sorted(collectors, key=lambda c: c.username)]
    heapq.heapify(heap)
    pairs = []
    for employer, cents in sorted(debts, key=lambda d: (-d[1], d[0].employer_number)):
        total, username, collector = heapq.heappop(heap)
        pairs.append((employer, collector))
        heapq.heappush(heap, (total + cents, username, collector))
    return pairs


@transaction.atomic
def portfolio_distribute(
    *, actor: User | None, debts: Sequence[tuple[Employer, int]], reason: str, on: date | None = None
) -> dict[str, CollectorLoad]:
    """Assign employers in arrears to the collectors of their branch, balancing the debt (SPEC §7).

    `debts` are (employer, overdue debt in cents): the saldo exigible, never what is not yet due
    (SPEC §5), so an employer with nothing overdue (0) is not in arrears and is left out. Employers
    that already have a collector keep it; a branch without active collectors keeps its employers
    unassigned. Returns what each collector received.
    """
    assigned = set(
        Assignment.objects.filter(end__isnull=True, employer_id__in=[e.pk for e, _ in debts]).values_list(
            "employer_id", flat=True
        )
    )
    by_branch: dict[int, list[tuple[Employer, int]]] = defaultdict(list)
    for employer, cents in debts:
        if employer.pk not in assigned and cents > 0:
            by_branch[employer.branch_id].append((employer, cents))
    collectors_by_branch: dict[int, list[User]] = defaultdict(list)
    collectors = User.objects.filter(
        is_active=True, groups__name=Role.COLLECTOR, staff_profile__branch_id__in=list(by_branch)
    ).select_related("staff_profile")
    for collector in collectors.order_by("username"):
        collectors_by_branch[collector.staff_profile.branch_id].append(collector)
    pairs: list[tuple[Employer, User]] = []
    loads: dict[str, list[int]] = {}
    cents_of = {e.pk: cents for e, cents in debts}
    for branch_id in sorted(by_branch):
        planned = balanced_distribution(by_branch[branch_id], collectors_by_branch.get(branch_id, []))
        pairs.extend(planned)
        for employer, collector in planned:
            load = loads.setdefault(collector.username, [0, 0])
            load[0] += 1
            load[1] += cents_of[employer.pk]
    assignments_bulk_create(actor=actor, pairs=pairs, reason=reason, on=on)
    return {name: CollectorLoad(name, count, cents) for name, (count, cents) in sorted(loads.items())}


# -- cover ---------------------------------------------------------------------------------------


@transaction.atomic
def cover_create(
    *, actor: User | None, absent: User, substitute: User, start_date: date, end_date: date, reason: str
) -> Cover:
    """A collector covers an absent colleague's portfolio from start_date to end_date (inclusive)."""
    _require(
        actor,
        Role.ADMIN,
        Role.DEPARTMENT_HEAD,
        Role.BRANCH_HEAD,
        message="Solo un jefe o un administrador puede registrar suplencias.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Indique el motivo de la suplencia.")
    if absent.pk == substitute.pk:
        raise ApplicationError("Un gestor no puede cubrirse a sí mismo.")
    _require_collector(absent)
    _require_collector(substitute)
    if end_date < start_date:
        raise ApplicationError("La fecha final de la suplencia no puede ser anterior a la inicial.")
    overlapping = Cover.objects.filter(
        absent=absent, substitute=substitute, start_date__lte=end_date, end_date__gte=start_date
    ).exists()
    if overlapping:
        raise ApplicationError(f"{substitute.username} ya cubre a {absent.username} en parte de esas fechas.")
    cover = Cover(
        absent=absent, substitute=substitute, start_date=start_date, end_date=end_date, reason=reason
    )
    _full_clean(cover)
    cover.save()
    audit.record(
        actor=actor,
        action="cover.created",
        obj=cover,
        after={
            "absent": absent.username,
            "substitute": substitute.username,
            "start_date": start_date,
            "end_date": end_date,
        },
        reason=reason,
    )
    return cover
