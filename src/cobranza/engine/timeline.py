"""The policy *timeline*: every version with its ``effective_from`` plus the amnesty records (SPEC §4).

A new version never changes a figure of the past, because every figure takes the version in force
when that figure arises:

* a period's **due-date rule** (business day, extra closed days) and **fine** (switch and rate) come
  from the version in force on the first day of the month after the period (when its payroll is
  filed): :meth:`PolicyTimeline.for_period`;
* **surcharge** month by month: month *k* of delay runs from the day after ``due + (k−1) months`` to
  ``due + k months`` and is charged at the rate of the version in force on the day it begins (0 when
  *k* is beyond that version's ``surcharge_max_months``): :meth:`PolicyTimeline.surcharge_steps`;
* **interest** day by day at the annual rate of the version in force that day (0 when it is off):
  :meth:`PolicyTimeline.interest_units`;
* the **allocation order** of a payment from the version in force on its date;
* agreement terms from the version in force on the draft's date.

Both the one-employer path and the batch use these same tables, so they cannot disagree. Rates are
expressed in integer *units* over one common denominator (:attr:`PolicyTimeline.unit_den`, the least
common multiple of every version's rate denominators): the surcharge of a piece of contribution
``x`` late ``m`` months is ``x × C(m) / unit_den`` with ``C`` the cumulative sum of the month rates,
kept exact and rounded half-up once per period and component.

Periods, dates or as-of dates before the first version use the first version (the institute's rules
before the system's first recorded version are taken to be those of that version).

**Amnesties** are records of their own, never a field of a version: each one waives its components
(``waives``) for a period whose contribution becomes fully paid on a date inside its window (scope
``paid_in_full``) — from that date on, and payments made inside the window do not go to the waived
components — or that is covered by an agreement signed inside it (scope ``agreements``, applied by
the agreements through the statement's ``waivers``). Every amnesty ever granted stays applied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate
from typing import Any

from cobranza.engine.calendar import add_months, due_date, parse_period
from cobranza.engine.money import rate_fraction
from cobranza.engine.policy import COMPONENTS, Policy, PolicyError

__all__ = [
    "WAIVABLE",
    "Amnesty",
    "AmnestyError",
    "PolicyTimeline",
    "as_timeline",
]

#: Components an amnesty can waive (the contribution is never waived).
WAIVABLE: tuple[str, ...] = ("surcharge", "fine", "interest")
WAIVE_BITS: dict[str, int] = {"surcharge": 1, "fine": 2, "interest": 4}
COMPONENT_BIT: dict[str, int] = {"contribution": 0, **WAIVE_BITS}

_AMNESTY_LABELS = {
    "name": "nombre",
    "start": "inicio",
    "end": "fin",
    "paid_in_full": "pago total en la ventana",
    "agreements": "convenios firmados en la ventana",
    "waives": "componentes condonados",
}
_ONE_DAY = timedelta(days=1)
_EARLIEST = date(1954, 1, 1)
_LATEST = date(2100, 12, 31)


class AmnestyError(ValueError):
    """An amnesty record is malformed (Spanish message naming the field)."""

    def __init__(self, field_name: str, problem: str) -> None:
        self.field = field_name
        label = _AMNESTY_LABELS.get(field_name)
        named = f"«{field_name}» ({label})" if label else f"«{field_name}»"
        super().__init__(f"Amnistía inválida: el campo {named} {problem}")


@dataclass(frozen=True)
class Amnesty:
    """An amnesty granted by the institute (SPEC §4): a window, a scope and the waived components."""

    name: str
    start: date
    end: date
    paid_in_full: bool = True
    agreements: bool = False
    waives: frozenset[str] = frozenset(WAIVABLE)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise AmnestyError("name", "es obligatorio")
        if len(self.name) > 120:
            raise AmnestyError("name", "admite como máximo 120 caracteres")
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, date) or hasattr(value, "hour"):
                raise AmnestyError(name, f"debe ser una fecha, no {value!r}")
            if not _EARLIEST <= value <= _LATEST:
                raise AmnestyError(name, f"debe estar entre el 01/01/1954 y el 31/12/2100: {value:%d/%m/%Y}")
        if self.end < self.start:
            raise AmnestyError(
                "end", f"no puede ser anterior al inicio ({self.end:%d/%m/%Y} < {self.start:%d/%m/%Y})"
            )
        for name in ("paid_in_full", "agreements"):
            if not isinstance(getattr(self, name), bool):
                raise AmnestyError(name, "debe ser verdadero o falso (true/false)")
        if not (self.paid_in_full or self.agreements):
            raise AmnestyError(
                "paid_in_full", "o «agreements» debe ser verdadero: la amnistía no tendría alcance"
            )
        if not isinstance(self.waives, frozenset) or not self.waives:
            raise AmnestyError("waives", "debe nombrar al menos un componente (surcharge, fine, interest)")
        unknown = sorted(self.waives - set(WAIVABLE))
        if unknown:
            raise AmnestyError("waives", f"solo admite surcharge, fine e interest, no {', '.join(unknown)}")

    @property
    def mask(self) -> int:
        """The waived components as bits (surcharge 1, fine 2, interest 4)."""
        return sum(WAIVE_BITS[c] for c in self.waives)

    def covers(self, d: date) -> bool:
        return self.start <= d <= self.end

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "paid_in_full": self.paid_in_full,
            "agreements": self.agreements,
            "waives": [c for c in WAIVABLE if c in self.waives],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Amnesty:
        """Build and validate an amnesty from its JSON form; unknown keys are refused."""
        if not isinstance(data, Mapping):
            raise AmnestyError(
                "(amnistía)", "debe ser un objeto con nombre, inicio, fin, alcance y componentes"
            )
        unknown = sorted(str(k) for k in data if k not in _AMNESTY_LABELS)
        if unknown:
            raise AmnestyError(unknown[0], "no es un campo conocido de la amnistía")
        for required in ("name", "start", "end"):
            if required not in data:
                raise AmnestyError(required, "es obligatorio")
        kwargs: dict[str, Any] = {"name": data["name"]}
        for name in ("start", "end"):
            raw = data[name]
            if isinstance(raw, date):
                kwargs[name] = raw
            elif isinstance(raw, str):
                try:
                    kwargs[name] = date.fromisoformat(raw.strip())
                except ValueError:
                    raise AmnestyError(name, f"no es una fecha válida (AAAA-MM-DD): {raw!r}") from None
            else:
                raise AmnestyError(name, f"debe ser una fecha (AAAA-MM-DD), no {raw!r}")
        for name in ("paid_in_full", "agreements"):
            if name in data:
                kwargs[name] = data[name]
        if "waives" in data:
            raw = data["waives"]
            if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
                raise AmnestyError("waives", 'debe ser una lista (p. ej. ["surcharge", "fine"])')
            kwargs["waives"] = frozenset(str(c) for c in raw)
        return cls(**kwargs)


def check_amnesties(amnesties: Iterable[Amnesty]) -> None:
    """Refuse overlapping windows whose terms differ (they would contradict each other)."""
    items = sorted(amnesties, key=lambda a: (a.start, a.end, a.name))
    names: set[str] = set()
    for a in items:
        if a.name in names:
            raise AmnestyError("name", f"está repetido: {a.name!r}")
        names.add(a.name)
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if b.start > a.end:
                break
            if (a.paid_in_full, a.agreements, a.waives) != (b.paid_in_full, b.agreements, b.waives):
                raise AmnestyError(
                    "start",
                    f"la ventana de «{b.name}» ({b.start:%d/%m/%Y}–{b.end:%d/%m/%Y}) se superpone con la de "
                    f"«{a.name}» ({a.start:%d/%m/%Y}–{a.end:%d/%m/%Y}) con otro alcance o componentes",
                )


@dataclass(frozen=True)
class PolicyTimeline:
    """Every policy version (by ``effective_from``) and every amnesty ever granted."""

    versions: tuple[Policy, ...]
    amnesties: tuple[Amnesty, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.versions:
            raise PolicyError("effective_from", "no hay ninguna versión de la política")
        ordered = tuple(sorted(self.versions, key=lambda p: p.effective_from))
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.effective_from == b.effective_from:
                raise PolicyError(
                    "effective_from",
                    f"hay dos versiones ({a.version} y {b.version}) vigentes desde {b.effective_from.isoformat()}",
                )
        seen: set[str] = set()
        for p in ordered:
            if p.version in seen:
                raise PolicyError("version", f"está repetida: {p.version}")
            seen.add(p.version)
        object.__setattr__(self, "versions", ordered)
        check_amnesties(self.amnesties)
        object.__setattr__(self, "amnesties", tuple(sorted(self.amnesties, key=lambda a: (a.start, a.name))))

    # ------------------------------------------------------------------ selection
    def at(self, on: date) -> Policy:
        """The version in force on ``on`` (the first version for dates before it)."""
        best = self.versions[0]
        for p in self.versions[1:]:
            if p.effective_from <= on:
                best = p
            else:
                break
        return best

    def for_period(self, period: str) -> Policy:
        """The version deciding a period's due date and fine: in force on the first day of the month
        after the period."""
        year, month = parse_period(period)
        return self.at(date(year + month // 12, month % 12 + 1, 1))

    def due_date(self, period: str) -> date:
        return due_date(period, self.for_period(period))

    def change_dates(self) -> tuple[date, ...]:
        return tuple(p.effective_from for p in self.versions[1:])

    # ------------------------------------------------------------------ exact rate units
    @cached_property
    def unit_den(self) -> int:
        """Common denominator of every version's surcharge (monthly) and interest (annual) rates."""
        den = 1
        for p in self.versions:
            for rate in (p.surcharge_monthly_rate, p.interest_annual_rate):
                den = math.lcm(den, rate_fraction(rate)[1])
        return den

    def _units(self, rate: Any) -> int:
        num, den = rate_fraction(rate)
        return num * (self.unit_den // den)

    @cached_property
    def _surcharge_units(self) -> tuple[tuple[date, int, int], ...]:
        """(effective_from, monthly surcharge units, cap) of every version."""
        return tuple(
            (p.effective_from, self._units(p.surcharge_monthly_rate), p.surcharge_max_months)
            for p in self.versions
        )

    def surcharge_month_units(self, p: Policy, k: int) -> int:
        """Rate units of month ``k`` of delay under version ``p`` (0 beyond its cap)."""
        return self._units(p.surcharge_monthly_rate) if k <= p.surcharge_max_months else 0

    def surcharge_steps(self, due: date, months: int) -> list[int]:
        """``C(0..months)``: cumulative surcharge rate units of the first ``m`` months of delay of a
        period due on ``due`` (``C(0) = 0``). Month ``k`` begins the day after ``due + (k−1)
        months`` and is charged at the rate of the version in force that day (0 past its cap)."""
        key = (due, months)
        cache = self._steps_cache
        found = cache.get(key)
        if found is not None:
            return found
        versions = self._surcharge_units
        # first month k (1-based) of each version: the first whose beginning is on/after effective_from
        firsts = [1]
        for eff, _u, _cap in versions[1:]:
            k = max(1, (eff.year - due.year) * 12 + (eff.month - due.month) - 1)
            while k > 1 and add_months(due, k - 2) + _ONE_DAY >= eff:
                k -= 1
            while add_months(due, k - 1) + _ONE_DAY < eff:
                k += 1
            firsts.append(k)
        per_month: list[int] = []
        for i, (_eff, units, cap) in enumerate(versions):
            lo = max(firsts[i], 1)
            hi = min(firsts[i + 1] - 1 if i + 1 < len(versions) else months, months)
            if hi < lo:
                continue
            charged = max(0, min(hi, cap) - lo + 1)
            per_month.extend([units] * charged)
            per_month.extend([0] * (hi - lo + 1 - charged))
        out = [0, *accumulate(per_month)]
        if len(cache) > 100_000:
            cache.clear()
        cache[key] = out
        return out

    @cached_property
    def _steps_cache(self) -> dict[tuple[date, int], list[int]]:
        return {}

    def interest_units(self, on: date) -> int:
        """Annual interest rate units of the version in force on ``on`` (0 when interest is off)."""
        p = self.at(on)
        return self._units(p.interest_annual_rate) if p.interest_enabled else 0

    @cached_property
    def interest_ever(self) -> bool:
        return any(p.interest_enabled and p.interest_annual_rate != 0 for p in self.versions)

    def interest_cumulative(self, first: date, last: date) -> list[int]:
        """``CI[i]`` = Σ interest units of the days ``first+1 … first+i`` (``CI[0] = 0``), for
        ``i`` up to ``last − first``: interest of ``x`` cents late from ``due+1`` to ``t`` is
        ``x × (CI[t−first] − CI[due−first]) / (unit_den × 365)``."""
        n = max((last - first).days, 0)
        out = [0] * (n + 1)
        if not self.interest_ever:
            return out
        total = 0
        bounds = [(p.effective_from, self.interest_units(p.effective_from)) for p in self.versions]
        day = first
        for i in range(1, n + 1):
            day = day + timedelta(days=1)
            rate = bounds[0][1]
            for start, units in bounds:
                if start <= day:
                    rate = units
                else:
                    break
            total += rate
            out[i] = total
        return out

    # ------------------------------------------------------------------ allocation order and amnesties
    @cached_property
    def _orders(self) -> dict[str, tuple[int, ...]]:
        return {p.version: tuple(COMPONENTS.index(c) for c in p.allocation_order) for p in self.versions}

    def allocation_order(self, on: date) -> tuple[int, ...]:
        return self._orders[self.at(on).version]

    def amnesty_mask(self, on: date) -> int:
        """Components waived by the ``paid_in_full`` amnesties whose window contains ``on``."""
        mask = 0
        for a in self.amnesties:
            if a.paid_in_full and a.covers(on):
                mask |= a.mask
        return mask

    def agreement_waives(self, on: date) -> frozenset[str]:
        """Components waived for the periods of an agreement drafted on ``on``: those of the
        amnesties whose scope includes agreements and whose window contains ``on`` (SPEC §6:
        such an agreement is drafted on contributions only; a lapse revokes the waiver)."""
        out: set[str] = set()
        for a in self.amnesties:
            if a.agreements and a.covers(on):
                out |= a.waives
        return frozenset(out)

    def amnesties_on(self, on: date) -> list[Amnesty]:
        return [a for a in self.amnesties if a.paid_in_full and a.covers(on)]

    def version_names_between(self, first: date, last: date) -> list[str]:
        """Versions in force at some day of ``[first, last]`` (for explanations)."""
        return [
            p.version
            for i, p in enumerate(self.versions)
            if p.effective_from <= last
            and (i + 1 == len(self.versions) or self.versions[i + 1].effective_from > first)
        ]


def as_timeline(policy: Policy | PolicyTimeline) -> PolicyTimeline:
    """A timeline from a single policy (one version, no amnesties) or the timeline itself."""
    if isinstance(policy, PolicyTimeline):
        return policy
    return _single(policy)


_SINGLE_CACHE: dict[Policy, PolicyTimeline] = {}


def _single(policy: Policy) -> PolicyTimeline:
    found = _SINGLE_CACHE.get(policy)
    if found is None:
        if len(_SINGLE_CACHE) > 64:
            _SINGLE_CACHE.clear()
        found = PolicyTimeline(versions=(policy,))
        _SINGLE_CACHE[policy] = found
    return found
