"""Exact money: integer cents inside the engine, ``Decimal`` at the edges.

Every amount the engine handles is an ``int`` number of cents. Rates are ``Decimal`` (exact) and
products of amounts and rates are carried as exact ``Fraction`` values (or as an integer numerator
over an integer denominator) until the one rounding step: half-up to the cent, once per period and
component, on the exact sum (SPEC §5). ``float`` is never accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

__all__ = [
    "Weight",
    "cents_to_decimal",
    "fmt_cents",
    "fmt_usd",
    "fmt_rate_percent",
    "rate_fraction",
    "round_half_up",
    "round_half_up_ratio",
    "split_exact",
    "to_cents",
]

Weight = int | Decimal | Fraction

_HUNDRED = Decimal(100)


def to_cents(value: Decimal | str | int) -> int:
    """Convert a dollar amount to integer cents.

    ``int`` values are whole dollars (``to_cents(5) == 500``). Strings are parsed as exact decimals
    (``"1234.5"``, ``"-3.00"``, surrounding spaces allowed); thousands separators and decimal commas
    are the importer's job, not this function's. A value that is not a whole number of cents
    (``"1.005"``) raises ``ValueError``; trailing zeros beyond the second place are accepted
    because the value is still exact (``"1.500"`` is 150 cents). ``float`` and ``bool`` raise
    ``TypeError``: binary floating point cannot represent cents exactly.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"monto inválido {value!r}: use Decimal, texto o entero, nunca float")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("monto vacío")
        try:
            dec = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"monto inválido: {value!r} no es un número") from exc
    elif isinstance(value, Decimal):
        dec = value
    else:
        raise TypeError(f"monto inválido {value!r}: tipo {type(value).__name__} no admitido")
    if not dec.is_finite():
        raise ValueError(f"monto inválido: {value!r} no es un número finito")
    scaled = dec * _HUNDRED
    if scaled != scaled.to_integral_value():
        raise ValueError(f"monto inválido: {value!r} tiene más de dos decimales")
    return int(scaled)


def cents_to_decimal(c: int) -> Decimal:
    """Integer cents to a ``Decimal`` with exactly two places (``150 -> Decimal("1.50")``)."""
    return Decimal(int(c)).scaleb(-2)


def fmt_cents(c: int) -> str:
    """Integer cents as a plain two-decimal string: ``123450 -> "1234.50"``, ``-5 -> "-0.05"``."""
    sign = "-" if c < 0 else ""
    units, cents = divmod(abs(int(c)), 100)
    return f"{sign}{units}.{cents:02d}"


def fmt_usd(c: int) -> str:
    """Integer cents for people (es-SV uses the US dollar, comma thousands, point decimals).

    ``123450 -> "$1,234.50"``, ``-5 -> "-$0.05"``.
    """
    sign = "-" if c < 0 else ""
    units, cents = divmod(abs(int(c)), 100)
    return f"{sign}${units:,}.{cents:02d}"


def fmt_rate_percent(rate: Decimal) -> str:
    """A rate as a percentage for explanations: ``Decimal("0.0126") -> "1.26 %"``."""
    pct = (rate * _HUNDRED).normalize()
    text = format(pct, "f")
    return f"{text} %"


def rate_fraction(rate: Decimal) -> tuple[int, int]:
    """An exact decimal rate as ``(numerator, denominator)`` with the smallest power-of-ten
    denominator: ``Decimal("0.0126") -> (126, 10000)``, ``Decimal("0.25") -> (25, 100)``."""
    if not rate.is_finite():
        raise ValueError(f"tasa inválida: {rate}")
    sign, digits, exponent = rate.as_tuple()
    assert isinstance(exponent, int)
    numerator = 0
    for d in digits:
        numerator = numerator * 10 + d
    if sign:
        numerator = -numerator
    if exponent >= 0:
        return numerator * 10**exponent, 1
    denominator = 10 ** (-exponent)
    # strip common powers of ten so the denominator is as small as possible
    while denominator > 1 and numerator % 10 == 0:
        numerator //= 10
        denominator //= 10
    return numerator, denominator


def round_half_up_ratio(numerator: int, denominator: int) -> int:
    """Round ``numerator / denominator`` to the nearest integer, halves away from zero."""
    if denominator <= 0:
        if denominator == 0:
            raise ZeroDivisionError("denominador cero")
        numerator, denominator = -numerator, -denominator
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((2 * -numerator + denominator) // (2 * denominator))


def round_half_up(x: Fraction | Decimal | int) -> int:
    """Round an exact amount *in cents* to integer cents, halves away from zero.

    ``round_half_up(Fraction(45990 * 5, 100)) == 2300`` (2299.5 cents -> $23.00).
    """
    if isinstance(x, bool):
        raise TypeError("booleano no es un monto")
    if isinstance(x, int):
        return x
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise ValueError(f"valor no finito: {x}")
        x = Fraction(x)
    if not isinstance(x, Fraction):
        raise TypeError(f"round_half_up no admite {type(x).__name__}: use Fraction o Decimal")
    return round_half_up_ratio(x.numerator, x.denominator)


def split_exact(total_cents: int, parts: int | Sequence[Weight]) -> list[int]:
    """Split ``total_cents`` into integer parts that add up exactly to it (no cent lost).

    ``parts`` is either a number of equal parts or a list of non-negative weights (int, Decimal or
    Fraction). Largest-remainder method: every part gets the floor of its exact share and the
    cents left over go, one each, to the parts with the largest remainders (earlier parts first on
    ties). A negative total is split symmetrically.
    """
    if isinstance(parts, bool):
        raise TypeError("parts no puede ser booleano")
    weights: list[Fraction]
    if isinstance(parts, int):
        if parts < 1:
            raise ValueError("el número de partes debe ser al menos 1")
        weights = [Fraction(1)] * parts
    else:
        if len(parts) == 0:
            raise ValueError("se necesita al menos un peso")
        weights = []
        for w in parts:
            if isinstance(w, bool) or isinstance(w, float):
                raise TypeError(f"peso inválido {w!r}")
            fw = Fraction(w)
            if fw < 0:
                raise ValueError(f"peso negativo {w}")
            weights.append(fw)
    weight_sum = sum(weights, Fraction(0))
    if weight_sum == 0:
        raise ValueError("la suma de los pesos debe ser positiva")
    sign = -1 if total_cents < 0 else 1
    total = abs(int(total_cents))
    shares = [total * w / weight_sum for w in weights]
    floors = [s.numerator // s.denominator for s in shares]
    left = total - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * f for f in floors]
