"""Policy parameters (SPEC §4) as data: versioned, effective-dated, validated.

Every legal figure the engine uses lives in a :class:`Policy` value. Nothing in the engine reads
settings or hard-codes a rate: callers pick the version in force (:func:`select_policy`) and pass it
in. ``Policy.from_dict`` / ``Policy.to_dict`` are the storage format (JSON-friendly: decimals as
strings, dates in ISO format) used by the policy-version table and the administrator's editor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "COMPONENTS",
    "Policy",
    "PolicyError",
    "default_policy",
    "select_policy",
]

#: The four components of a period's debt, in the default allocation order.
COMPONENTS: tuple[str, ...] = ("contribution", "surcharge", "fine", "interest")

#: Rates may carry at most this many decimal places (keeps the batch kernel's integer units small).
MAX_RATE_DECIMALS = 8

_LABELS: dict[str, str] = {
    "version": "versión",
    "effective_from": "vigente desde",
    "employer_rate": "tasa de cotización patronal",
    "worker_rate": "tasa de cotización laboral",
    "salary_ceiling_cents": "salario máximo cotizable (centavos)",
    "due_business_day": "día hábil de vencimiento",
    "extra_closed_days": "días inhábiles adicionales",
    "surcharge_monthly_rate": "tasa mensual de recargo por mora",
    "surcharge_max_months": "máximo de meses de recargo",
    "fine_enabled": "multa activada",
    "fine_rate": "tasa de multa",
    "interest_enabled": "interés moratorio activado",
    "interest_annual_rate": "tasa anual de interés moratorio",
    "allocation_order": "orden de imputación de pagos",
    "agreement_min_down_payment_rate": "prima mínima de convenio",
    "agreement_down_payment_worker_share": "prima mínima con el 100 % de la cuota laboral pendiente",
    "agreement_term_bands": "cuotas máximas por monto de deuda",
    "agreement_rate_bands": "interés mensual por número de cuotas",
    "agreement_allowed_terms": "plazos ofrecidos (cuotas)",
    "agreement_lapse_installments": "cuotas vencidas para incumplimiento",
    "agreement_grace_days": "días de gracia por cuota",
    "agreement_max_restructures": "reestructuraciones permitidas por convenio",
    "agreement_draft_validity_days": "días hábiles para pagar la prima de un borrador",
    "publication_min_months": "meses mínimos en mora para publicación",
    "publication_min_debt_cents": "deuda mínima para publicación (centavos)",
    "publication_reply_business_days": "días hábiles para responder antes de publicar",
    "publication_times_per_year": "publicaciones por año",
    "referral_min_notices": "avisos mínimos para remisión judicial",
    "referral_days": "días desde el primer aviso para remisión judicial",
    "limitation_years": "años de prescripción",
    "limitation_alert_days": "días de alerta antes de la prescripción",
    "solvency_validity_days": "días de vigencia de la constancia de solvencia (desde el día siguiente)",
    "inquiry_reply_business_days": "días hábiles para responder una consulta",
    "claim_resolution_business_days": "días hábiles para resolver un reclamo",
}


class PolicyError(ValueError):
    """A policy value is malformed. The message is Spanish and names the field."""

    def __init__(self, field_name: str, problem: str) -> None:
        self.field = field_name
        label = _LABELS.get(field_name)
        named = f"«{field_name}» ({label})" if label else f"«{field_name}»"
        super().__init__(f"Política inválida: el campo {named} {problem}")


TermBand = tuple[int | None, int]
RateBand = tuple[int | None, Decimal]


@dataclass(frozen=True)
class Policy:
    """One version of the collection policy. Defaults are the SPEC §4 values (version 2024.1).

    Amounts are integer cents, rates exact ``Decimal`` fractions (``0.075`` = 7.5 %), day counts
    integers. Bands are tuples ``(upper_limit, value)`` in ascending order whose last limit is
    ``None`` (no upper limit): ``agreement_term_bands`` maps the debt in cents to the maximum
    number of installments, ``agreement_rate_bands`` maps the number of installments to the
    monthly interest rate.
    """

    version: str = "2024.1"
    effective_from: date = date(2015, 8, 1)
    # contributions (used to reconcile declarations; the statement uses the declared amounts)
    employer_rate: Decimal = Decimal("0.075")
    worker_rate: Decimal = Decimal("0.03")
    salary_ceiling_cents: int = 100000
    # due date and business days
    due_business_day: int = 10
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)
    # surcharge, fine, interest
    surcharge_monthly_rate: Decimal = Decimal("0.01")
    surcharge_max_months: int = 60
    fine_enabled: bool = True
    fine_rate: Decimal = Decimal("0.25")
    interest_enabled: bool = False
    interest_annual_rate: Decimal = Decimal("0")
    allocation_order: tuple[str, ...] = COMPONENTS
    # payment agreements
    agreement_min_down_payment_rate: Decimal = Decimal("0.20")
    #: SPEC §4: when on, the minimum down payment is 100 % of the outstanding worker share plus
    #: ``agreement_min_down_payment_rate`` of the rest (rounded up to the cent); off by default.
    agreement_down_payment_worker_share: bool = False
    agreement_term_bands: tuple[TermBand, ...] = ((100000, 6), (1000000, 12), (5000000, 24), (None, 48))
    agreement_rate_bands: tuple[RateBand, ...] = (
        (12, Decimal("0.0126")),
        (24, Decimal("0.0153")),
        (None, Decimal("0.0182")),
    )
    agreement_allowed_terms: tuple[int, ...] = (3, 6, 9, 12, 18, 24, 36, 48)
    agreement_lapse_installments: int = 3
    agreement_grace_days: int = 5
    agreement_max_restructures: int = 1
    agreement_draft_validity_days: int = 10
    # publication of resisting employers
    publication_min_months: int = 3
    publication_min_debt_cents: int = 50000
    publication_reply_business_days: int = 10
    publication_times_per_year: int = 2
    # judicial referral
    referral_min_notices: int = 2
    referral_days: int = 90
    # limitation (prescripción)
    limitation_years: int = 5
    limitation_alert_days: int = 180
    # service desk (SPEC §4 solvency row, §8 service desk)
    solvency_validity_days: int = 30
    inquiry_reply_business_days: int = 5
    claim_resolution_business_days: int = 15

    def __post_init__(self) -> None:
        _validate(self)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (decimals as strings, dates ISO); ``from_dict`` reads it back."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "extra_closed_days":
                out[f.name] = [d.isoformat() for d in sorted(value)]
            elif f.name == "agreement_term_bands":
                out[f.name] = [[limit, n] for limit, n in value]
            elif f.name == "agreement_rate_bands":
                out[f.name] = [[limit, str(rate)] for limit, rate in value]
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, Decimal):
                out[f.name] = str(value)
            elif isinstance(value, date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build and validate a policy from its stored form.

        ``version`` and ``effective_from`` are required; any other missing key takes the SPEC §4
        default. Unknown keys, wrong types, negative or out-of-range values raise
        :class:`PolicyError` naming the field.
        """
        if not isinstance(data, Mapping):
            raise PolicyError("(política)", "debe ser un objeto con los parámetros")
        if any(k in data for k in LEGACY_AMNESTY_KEYS):
            if data.get("amnesty_enabled"):
                raise PolicyError(
                    "amnesty_enabled",
                    "ya no es un parámetro de la versión: una amnistía es un registro propio "
                    '(cárguela con {"amnesty": {…}})',
                )
            data = {k: v for k, v in data.items() if k not in LEGACY_AMNESTY_KEYS}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise PolicyError(unknown[0], "no es un parámetro conocido de la política")
        for required in ("version", "effective_from"):
            if required not in data:
                raise PolicyError(required, "es obligatorio")
        kwargs: dict[str, Any] = {}
        for name, raw in data.items():
            kwargs[name] = _parse_field(name, raw)
        return cls(**kwargs)

    # ------------------------------------------------------------------ helpers
    def with_changes(self, **changes: Any) -> Policy:
        """A copy with some parameters changed (validated again)."""
        return dataclasses.replace(self, **changes)


def default_policy() -> Policy:
    """The SPEC §4 defaults: version ``2024.1`` effective from 2015-08-01."""
    return Policy()


def select_policy(versions: Iterable[Policy], on: date) -> Policy:
    """The version in force on ``on``: the latest ``effective_from`` on or before that date."""
    candidates = [p for p in versions if p.effective_from <= on]
    if not candidates:
        raise PolicyError(
            "effective_from", f"no hay ninguna versión de la política vigente al {on.isoformat()}"
        )
    candidates.sort(key=lambda p: p.effective_from)
    best = candidates[-1]
    if len(candidates) > 1 and candidates[-2].effective_from == best.effective_from:
        raise PolicyError(
            "effective_from",
            f"hay dos versiones ({candidates[-2].version} y {best.version}) vigentes desde "
            f"{best.effective_from.isoformat()}",
        )
    return best


# ---------------------------------------------------------------------- parsing
_DECIMAL_FIELDS = {
    "employer_rate",
    "worker_rate",
    "surcharge_monthly_rate",
    "fine_rate",
    "interest_annual_rate",
    "agreement_min_down_payment_rate",
}
_INT_FIELDS = {
    "salary_ceiling_cents",
    "due_business_day",
    "surcharge_max_months",
    "agreement_lapse_installments",
    "agreement_grace_days",
    "agreement_max_restructures",
    "agreement_draft_validity_days",
    "publication_min_months",
    "publication_min_debt_cents",
    "publication_reply_business_days",
    "publication_times_per_year",
    "referral_min_notices",
    "referral_days",
    "limitation_years",
    "limitation_alert_days",
    "solvency_validity_days",
    "inquiry_reply_business_days",
    "claim_resolution_business_days",
}
_BOOL_FIELDS = {"fine_enabled", "interest_enabled", "agreement_down_payment_worker_share"}
_DATE_FIELDS = {"effective_from"}
_OPTIONAL_DATE_FIELDS: set[str] = set()
#: Keys of the first versions' stored form, when the amnesty was a switch of the version. A disabled
#: one is dropped on reading; an enabled one is refused (amnesties are records of their own now).
LEGACY_AMNESTY_KEYS = ("amnesty_enabled", "amnesty_start", "amnesty_end")


def _parse_decimal(name: str, raw: Any) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, bool) or isinstance(raw, float):
        raise PolicyError(name, f'debe escribirse como texto decimal exacto (p. ej. "0.01"), no {raw!r}')
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise PolicyError(name, f"no es un número decimal: {raw!r}") from None
    else:
        raise PolicyError(name, f"debe ser un número decimal, no {type(raw).__name__}")
    return value


def _parse_int(name: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise PolicyError(name, f"debe ser un número entero, no {raw!r}")
    return raw


def _parse_date(name: str, raw: Any) -> date:
    if isinstance(raw, date) and not hasattr(raw, "hour"):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise PolicyError(name, f"no es una fecha válida (AAAA-MM-DD): {raw!r}") from None
    raise PolicyError(name, f"debe ser una fecha (AAAA-MM-DD), no {raw!r}")


def _parse_limit(name: str, raw: Any) -> int | None:
    if raw is None:
        return None
    return _parse_int(name, raw)


def _parse_field(name: str, raw: Any) -> Any:
    if name == "version":
        if not isinstance(raw, str):
            raise PolicyError(name, f"debe ser texto, no {raw!r}")
        return raw
    if name in _DECIMAL_FIELDS:
        return _parse_decimal(name, raw)
    if name in _INT_FIELDS:
        return _parse_int(name, raw)
    if name in _BOOL_FIELDS:
        if not isinstance(raw, bool):
            raise PolicyError(name, f"debe ser verdadero o falso (true/false), no {raw!r}")
        return raw
    if name in _DATE_FIELDS:
        return _parse_date(name, raw)
    if name in _OPTIONAL_DATE_FIELDS:
        return None if raw is None or raw == "" else _parse_date(name, raw)
    if name == "extra_closed_days":
        if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
            raise PolicyError(name, "debe ser una lista de fechas (AAAA-MM-DD)")
        return frozenset(_parse_date(name, d) for d in raw)
    if name == "allocation_order":
        if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
            raise PolicyError(name, "debe ser una lista de componentes")
        return tuple(raw)
    if name == "agreement_allowed_terms":
        if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
            raise PolicyError(name, "debe ser una lista de números de cuotas")
        return tuple(_parse_int(name, t) for t in raw)
    if name in ("agreement_term_bands", "agreement_rate_bands"):
        if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
            raise PolicyError(name, "debe ser una lista de pares [límite, valor]")
        bands: list[tuple[int | None, Any]] = []
        for item in raw:
            if isinstance(item, str | bytes) or not isinstance(item, Iterable):
                raise PolicyError(name, f"cada tramo debe ser un par [límite, valor], no {item!r}")
            pair = list(item)
            if len(pair) != 2:
                raise PolicyError(name, f"cada tramo debe ser un par [límite, valor], no {item!r}")
            limit = _parse_limit(name, pair[0])
            value = (
                _parse_int(name, pair[1]) if name == "agreement_term_bands" else _parse_decimal(name, pair[1])
            )
            bands.append((limit, value))
        return tuple(bands)
    raise PolicyError(name, "no es un parámetro conocido de la política")  # pragma: no cover


# ---------------------------------------------------------------------- validation
def _check_rate(name: str, value: Any, *, upper: Decimal = Decimal(1), strict_upper: bool = False) -> None:
    if not isinstance(value, Decimal):
        raise PolicyError(name, f"debe ser un Decimal, no {type(value).__name__}")
    if not value.is_finite():
        raise PolicyError(name, f"no es un número finito: {value}")
    if value < 0:
        raise PolicyError(name, f"no puede ser negativo: {value}")
    if value > upper or (strict_upper and value == upper):
        raise PolicyError(name, f"debe ser menor {'que' if strict_upper else 'o igual a'} {upper}: {value}")
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if value != 0 and -exponent > MAX_RATE_DECIMALS:
        raise PolicyError(name, f"admite como máximo {MAX_RATE_DECIMALS} decimales: {value}")


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(name, f"debe ser un número entero, no {value!r}")
    if value < low or value > high:
        raise PolicyError(name, f"debe estar entre {low} y {high}: {value}")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise PolicyError(name, f"debe ser verdadero o falso, no {value!r}")


def _check_date(name: str, value: Any, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise PolicyError(name, f"debe ser una fecha, no {value!r}")


def _check_bands(name: str, bands: Any, *, value_kind: str) -> None:
    if not isinstance(bands, tuple) or not bands:
        raise PolicyError(name, "debe tener al menos un tramo")
    previous: int | None = None
    for i, band in enumerate(bands):
        if not isinstance(band, tuple) or len(band) != 2:
            raise PolicyError(name, f"el tramo {i + 1} debe ser un par (límite, valor)")
        limit, value = band
        last = i == len(bands) - 1
        if last:
            if limit is not None:
                raise PolicyError(name, "el último tramo debe no tener límite (null)")
        else:
            if limit is None:
                raise PolicyError(name, f"solo el último tramo puede no tener límite (tramo {i + 1})")
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise PolicyError(name, f"el límite del tramo {i + 1} debe ser un entero positivo: {limit!r}")
            if previous is not None and limit <= previous:
                raise PolicyError(
                    name, f"los límites deben ser crecientes (tramo {i + 1}: {limit} ≤ {previous})"
                )
            previous = limit
        if value_kind == "installments":
            _check_int(name, value, 1, 600)
        else:
            _check_rate(name, value, strict_upper=True)


def _validate(p: Policy) -> None:
    if not isinstance(p.version, str) or not p.version.strip():
        raise PolicyError("version", "es obligatorio y no puede estar vacío")
    if len(p.version) > 40:
        raise PolicyError("version", "admite como máximo 40 caracteres")
    _check_date("effective_from", p.effective_from)
    for name in ("employer_rate", "worker_rate", "fine_rate", "agreement_min_down_payment_rate"):
        _check_rate(name, getattr(p, name))
    _check_rate("surcharge_monthly_rate", p.surcharge_monthly_rate)
    _check_rate("interest_annual_rate", p.interest_annual_rate)
    _check_int("salary_ceiling_cents", p.salary_ceiling_cents, 1, 10**12)
    _check_int("due_business_day", p.due_business_day, 1, 18)
    if not isinstance(p.extra_closed_days, frozenset):
        raise PolicyError("extra_closed_days", "debe ser un conjunto de fechas")
    for d in p.extra_closed_days:
        _check_date("extra_closed_days", d)
    _check_int("surcharge_max_months", p.surcharge_max_months, 0, 1200)
    for name in ("fine_enabled", "interest_enabled", "agreement_down_payment_worker_share"):
        _check_bool(name, getattr(p, name))
    order = p.allocation_order
    if (
        not isinstance(order, tuple)
        or sorted(order) != sorted(COMPONENTS)
        or len(set(order)) != len(COMPONENTS)
    ):
        raise PolicyError(
            "allocation_order",
            f"debe contener exactamente una vez cada componente {', '.join(COMPONENTS)}: {order!r}",
        )
    _check_bands("agreement_term_bands", p.agreement_term_bands, value_kind="installments")
    _check_bands("agreement_rate_bands", p.agreement_rate_bands, value_kind="rate")
    terms = p.agreement_allowed_terms
    if not isinstance(terms, tuple) or not terms:
        raise PolicyError("agreement_allowed_terms", "debe tener al menos un plazo")
    for t in terms:
        _check_int("agreement_allowed_terms", t, 1, 600)
    if list(terms) != sorted(set(terms)):
        raise PolicyError(
            "agreement_allowed_terms", f"los plazos deben ser crecientes y sin repetir: {terms!r}"
        )
    _check_int("agreement_lapse_installments", p.agreement_lapse_installments, 1, 600)
    _check_int("agreement_grace_days", p.agreement_grace_days, 0, 365)
    _check_int("agreement_max_restructures", p.agreement_max_restructures, 0, 10)
    _check_int("agreement_draft_validity_days", p.agreement_draft_validity_days, 1, 120)
    _check_int("publication_min_months", p.publication_min_months, 0, 1200)
    _check_int("publication_min_debt_cents", p.publication_min_debt_cents, 0, 10**14)
    _check_int("publication_reply_business_days", p.publication_reply_business_days, 0, 365)
    _check_int("publication_times_per_year", p.publication_times_per_year, 1, 12)
    _check_int("referral_min_notices", p.referral_min_notices, 0, 100)
    _check_int("referral_days", p.referral_days, 0, 3650)
    _check_int("limitation_years", p.limitation_years, 1, 100)
    _check_int("limitation_alert_days", p.limitation_alert_days, 0, 3650)
    _check_int("solvency_validity_days", p.solvency_validity_days, 1, 365)
    _check_int("inquiry_reply_business_days", p.inquiry_reply_business_days, 1, 365)
    _check_int("claim_resolution_business_days", p.claim_resolution_business_days, 1, 365)
