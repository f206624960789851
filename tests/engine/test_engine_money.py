from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cobranza.engine.money import (
    cents_to_decimal,
    fmt_cents,
    fmt_rate_percent,
    fmt_usd,
    rate_fraction,
    round_half_up,
    split_exact,
    to_cents,
)


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        ("1234.50", 123450),
        ("1234.5", 123450),
        ("0.01", 1),
        (" 7 ", 700),
        ("-3.10", -310),
        (Decimal("110.25"), 11025),
        (Decimal("1.500"), 150),
        (5, 500),
        ("0", 0),
    ],
)
def test_to_cents(value: Decimal | str | int, cents: int) -> None:
    assert to_cents(value) == cents


@pytest.mark.parametrize("value", ["1.005", "0.001", Decimal("2.345"), "abc", "", "NaN", "Infinity", "1,50"])
def test_to_cents_refuses(value: Decimal | str) -> None:
    with pytest.raises(ValueError):
        to_cents(value)


def test_to_cents_refuses_more_than_two_decimals_with_message() -> None:
    with pytest.raises(ValueError, match="más de dos decimales"):
        to_cents("10.123")


@pytest.mark.parametrize("value", [1.5, True])
def test_to_cents_refuses_float_and_bool(value: object) -> None:
    with pytest.raises(TypeError):
        to_cents(value)  # type: ignore[arg-type]


def test_cents_to_decimal_and_formatting() -> None:
    assert cents_to_decimal(123450) == Decimal("1234.50")
    assert str(cents_to_decimal(0)) == "0.00"
    assert str(cents_to_decimal(-5)) == "-0.05"
    assert fmt_cents(123450) == "1234.50"
    assert fmt_cents(0) == "0.00"
    assert fmt_cents(7) == "0.07"
    assert fmt_cents(-5) == "-0.05"
    assert fmt_usd(123456789) == "$1,234,567.89"
    assert fmt_usd(-5) == "-$0.05"
    assert fmt_rate_percent(Decimal("0.0126")) == "1.26 %"
    assert fmt_rate_percent(Decimal("0.20")) == "20 %"
    assert fmt_rate_percent(Decimal("0.075")) == "7.5 %"


@pytest.mark.parametrize(
    ("x", "cents"),
    [
        (Fraction(45990 * 5, 100), 2300),  # 2299.5 -> 2300: half up
        (Fraction(22995, 10), 2300),
        (Fraction(22994, 10), 2299),
        (Decimal("220.5"), 221),
        (Decimal("220.49999"), 220),
        (Fraction(-5, 2), -3),  # halves away from zero
        (Fraction(-12, 5), -2),
        (Decimal("0"), 0),
        (7, 7),
    ],
)
def test_round_half_up(x: Fraction | Decimal | int, cents: int) -> None:
    assert round_half_up(x) == cents


def test_rate_fraction() -> None:
    assert rate_fraction(Decimal("0.01")) == (1, 100)
    assert rate_fraction(Decimal("0.0126")) == (126, 10000)
    assert rate_fraction(Decimal("0.250")) == (1, 4) or rate_fraction(Decimal("0.250")) == (25, 100)
    assert Fraction(*rate_fraction(Decimal("0.250"))) == Fraction(1, 4)
    assert rate_fraction(Decimal("0")) == (0, 1)
    assert rate_fraction(Decimal("2")) == (2, 1)


def test_split_exact_examples() -> None:
    assert split_exact(100, 3) == [34, 33, 33]
    assert split_exact(-100, 3) == [-34, -33, -33]
    assert split_exact(1000, [1, 1, 2]) == [250, 250, 500]
    assert split_exact(10, [Decimal("0.5"), Fraction(1, 4), 0]) == [7, 3, 0]
    assert split_exact(0, 4) == [0, 0, 0, 0]
    with pytest.raises(ValueError):
        split_exact(10, 0)
    with pytest.raises(ValueError):
        split_exact(10, [0, 0])
    with pytest.raises(ValueError):
        split_exact(10, [1, -1])


@settings(max_examples=150, deadline=None)
@given(
    total=st.integers(-(10**9), 10**9),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_split_exact_loses_no_cent(total: int, weights: list[int]) -> None:
    parts = split_exact(total, weights)
    assert sum(parts) == total
    wsum = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        exact = Fraction(total * w, wsum)
        assert abs(part - exact) < 1


@settings(max_examples=150, deadline=None)
@given(cents=st.integers(-(10**12), 10**12))
def test_cents_round_trip(cents: int) -> None:
    assert to_cents(fmt_cents(cents)) == cents
    assert to_cents(cents_to_decimal(cents)) == cents
