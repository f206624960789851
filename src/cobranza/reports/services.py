"""Writes of the reports app: heads set monthly goals (SPEC §9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from cobranza.common import audit, roles
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Branch
from cobranza.portfolio.selectors import branch_of
from cobranza.reports.models import Goal


def can_set_goals(user: Any) -> bool:
    return roles.is_head(user)


def _branch_scope(actor: User) -> int | None:
    """None: every branch (department head); else the branch head's own branch."""
    if roles.has_role(actor, roles.Role.DEPARTMENT_HEAD):
        return None
    return branch_of(actor) or -1


def _money(value: Any, *, what: str) -> Decimal:
    text = str(value if value is not None else "").strip().replace("$", "").replace(",", "")
    if not text:
        return Decimal("0")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ApplicationError(f"{what}: «{value}» no es un monto válido (ejemplo: 1,500.00).") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ApplicationError(f"{what}: el monto debe ser cero o positivo (se indicó «{value}»).")
    if amount != amount.quantize(Decimal("0.01")):
        raise ApplicationError(f"{what}: el monto admite a lo sumo dos decimales (se indicó «{value}»).")
    return amount.quantize(Decimal("0.01"))


def _count(value: Any, *, what: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return 0
    if not text.isdigit() or len(text) > 6:
        raise ApplicationError(f"{what}: «{value}» debe ser un número entero de 0 a 999999.")
    return int(text)


@transaction.atomic
def goal_set(
    *,
    actor: User,
    month: date,
    collector: User | None = None,
    branch: Branch | None = None,
    recovered: Any,
    agreements: Any,
    contacts: Any,
) -> Goal:
    """Set (create or change) one month's goals of a collector or of a branch. Heads only: a branch
    head for its branch and the collectors of its branch. Audited with before and after."""
    if not can_set_goals(actor):
        raise ApplicationError("Solo una jefatura puede fijar metas.")
    if (collector is None) == (branch is None):
        raise ApplicationError("Una meta es de un gestor o de una sucursal.")
    month = month.replace(day=1)
    scope = _branch_scope(actor)
    if collector is not None:
        who = collector.get_full_name() or collector.username
        if not roles.has_role(collector, roles.Role.COLLECTOR):
            raise ApplicationError(f"{who} no es gestor de cobros: solo los gestores tienen metas.")
        if scope is not None and branch_of(collector) != scope:
            raise ApplicationError(f"{who} no es gestor de su sucursal.")
    else:
        assert branch is not None
        who = f"la sucursal {branch.name}"
        if scope is not None and branch.pk != scope:
            raise ApplicationError(f"Solo puede fijar metas de su sucursal, no de {branch.name}.")
    label = f"Meta de {who} ({month:%m/%Y})"
    values = {
        "recovered": _money(recovered, what=f"{label}, monto recuperado"),
        "agreements": _count(agreements, what=f"{label}, convenios firmados"),
        "contacts": _count(contacts, what=f"{label}, contactos logrados"),
    }
    goal = Goal.objects.select_for_update().filter(month=month, collector=collector, branch=branch).first()
    before = None
    if goal is not None:
        before = {k: getattr(goal, k) for k in values}
        if before == values:
            return goal
    else:
        goal = Goal(month=month, collector=collector, branch=branch)
    for key, value in values.items():
        setattr(goal, key, value)
    goal.set_by = actor
    try:
        goal.full_clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from error
    goal.save()
    audit.record(
        actor=actor,
        action="goal.set",
        obj=goal,
        before=before,
        after={
            **values,
            "month": month,
            "collector": collector.username if collector else None,
            "branch": branch.name if branch else None,
        },
        reason=label,
    )
    return goal
