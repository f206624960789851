"""Every problem of a policy version's parameters or of an amnesty, in Spanish — not only the first.

The engine validates a whole object and stops at its first problem (`PolicyError`,
`AmnestyError`). A person loading a file (or filling the admin form) wants every problem at once,
so each field is checked on its own against a valid base, and only when every field is fine by
itself is the whole set checked together (what relates fields to each other: the window's order,
the scope). The messages are the engine's own. Pure functions: no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cobranza.engine.policy import LEGACY_AMNESTY_KEYS, Policy, PolicyError
from cobranza.engine.timeline import Amnesty, AmnestyError

#: A problem: (field, Spanish message). The field is a key of the data checked.
Problem = tuple[str, str]

AMNESTY_FIELDS = ("name", "start", "end", "paid_in_full", "agreements", "waives")

_VERSION_BASE: dict[str, Any] = {"version": "x", "effective_from": "2000-01-01"}
# The widest window, so that a start or an end checked alone is never "out of order".
_AMNESTY_BASE: dict[str, Any] = {"name": "x", "start": "1954-01-01", "end": "2100-12-31"}

LEGACY_AMNESTY_PROBLEM = (
    'ya no es un parámetro de la versión: una amnistía es un registro propio (cárguela con {"amnesty": {…}})'
)


def policy_parameter_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a version's stored form (`Policy.to_dict()` keys, with `version` and
    `effective_from`): unknown keys, wrong types, negative or out-of-range values, each named.

    The amnesty keys of the first versions are refused here, whatever their value: a new version
    has no amnesty (amnesties are records of their own)."""
    problems: list[Problem] = []
    for key, value in data.items():
        name = str(key)
        if name in LEGACY_AMNESTY_KEYS:
            problems.append((name, str(PolicyError(name, LEGACY_AMNESTY_PROBLEM))))
            continue
        try:
            Policy.from_dict({**_VERSION_BASE, name: value})
        except PolicyError as error:
            problems.append((name, str(error)))
    if problems:
        return problems
    for required in ("version", "effective_from"):
        if required not in data:
            problems.append((required, str(PolicyError(required, "es obligatorio"))))
    if problems:
        return problems
    try:
        Policy.from_dict(data)
    except PolicyError as error:
        return [(error.field, str(error))]
    return []


def amnesty_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of an amnesty's JSON form (`engine.timeline.Amnesty.from_dict`), each named."""
    if not isinstance(data, Mapping):
        return [("amnesty", str(AmnestyError("amnesty", "debe ser un objeto con name, start, end, …")))]
    problems: list[Problem] = []
    for required in ("name", "start", "end"):
        if required not in data:
            problems.append((required, str(AmnestyError(required, "es obligatorio"))))
    for key, value in data.items():
        name = str(key)
        probe = {**_AMNESTY_BASE, name: value}
        if name == "paid_in_full":
            probe["agreements"] = True  # the scope as a whole is checked below
        try:
            Amnesty.from_dict(probe)
        except AmnestyError as error:
            problems.append((name, str(error)))
    if problems:
        return problems
    try:
        Amnesty.from_dict(data)
    except AmnestyError as error:
        return [(error.field, str(error))]
    return []


def as_date(value: Any) -> date | None:
    """`value` as a date when it is one or an ISO date text; else None (its problem is named by the
    checks above)."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
