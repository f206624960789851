"""Amounts in words as Salvadoran legal documents write them (es-SV).

`amount_in_words(252891)` → ``"DOS MIL QUINIENTOS VEINTIOCHO 91/100 DÓLARES"``: the whole dollars in
capital letters, the cents as a fraction over 100 and the currency, the way a debt certificate, a
cheque or a notarial deed states a sum. Rules of Spanish numerals kept here:

- 1 is ``UN`` before a noun (``UN DÓLAR``, ``VEINTIÚN MIL``, ``UN MILLÓN``), never ``UNO``;
- 16–29 are one word (``DIECISÉIS``, ``VEINTIDÓS``, ``VEINTITRÉS``, ``VEINTISÉIS``);
- 100 alone is ``CIEN``, 101–199 ``CIENTO …``; 500 ``QUINIENTOS``, 700 ``SETECIENTOS``, 900 ``NOVECIENTOS``;
- 1,000 is ``MIL`` (not ``UN MIL``), 1,000,000 ``UN MILLÓN`` and 2,000,000 ``DOS MILLONES``; a round
  number of millions takes ``DE`` before the currency (``UN MILLÓN DE DÓLARES``);
- the currency is singular only for exactly one dollar (``UN 00/100 DÓLAR``); zero dollars are
  ``CERO 45/100 DÓLARES``.
"""

from __future__ import annotations

UNITS = (
    "",
    "UN",
    "DOS",
    "TRES",
    "CUATRO",
    "CINCO",
    "SEIS",
    "SIETE",
    "OCHO",
    "NUEVE",
    "DIEZ",
    "ONCE",
    "DOCE",
    "TRECE",
    "CATORCE",
    "QUINCE",
    "DIECISÉIS",
    "DIECISIETE",
    "DIECIOCHO",
    "DIECINUEVE",
    "VEINTE",
    "VEINTIÚN",
    "VEINTIDÓS",
    "VEINTITRÉS",
    "VEINTICUATRO",
    "VEINTICINCO",
    "VEINTISÉIS",
    "VEINTISIETE",
    "VEINTIOCHO",
    "VEINTINUEVE",
)
TENS = ("", "", "", "TREINTA", "CUARENTA", "CINCUENTA", "SESENTA", "SETENTA", "OCHENTA", "NOVENTA")
HUNDREDS = (
    "",
    "CIENTO",
    "DOSCIENTOS",
    "TRESCIENTOS",
    "CUATROCIENTOS",
    "QUINIENTOS",
    "SEISCIENTOS",
    "SETECIENTOS",
    "OCHOCIENTOS",
    "NOVECIENTOS",
)


def _below_hundred(n: int) -> str:
    if n < 30:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens] + (f" Y {UNITS[unit]}" if unit else "")


def _below_thousand(n: int) -> str:
    if n == 100:
        return "CIEN"
    hundreds, rest = divmod(n, 100)
    return " ".join(part for part in (HUNDREDS[hundreds], _below_hundred(rest)) if part)


def _below_million(n: int) -> str:
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        head = ""
    elif thousands == 1:
        head = "MIL"
    else:
        head = f"{_below_thousand(thousands)} MIL"
    return " ".join(part for part in (head, _below_thousand(rest)) if part)


def number_in_words(n: int) -> str:
    """A whole number ≥ 0 in capital Spanish words, with the apocopated ``UN`` (``VEINTIÚN``)."""
    if n < 0:
        raise ValueError("number_in_words: negative number")
    if n == 0:
        return "CERO"
    millions, rest = divmod(n, 1_000_000)
    parts = []
    if millions:
        if millions >= 1_000_000:  # billions (millardos) are not in any debt of this institute
            raise ValueError("number_in_words: number too large")
        parts.append("UN MILLÓN" if millions == 1 else f"{_below_million(millions)} MILLONES")
    if rest:
        parts.append(_below_million(rest))
    return " ".join(parts)


def amount_in_words(cents: int, *, currency: str = "DÓLARES", currency_one: str = "DÓLAR") -> str:
    """``252891`` → ``DOS MIL QUINIENTOS VEINTIOCHO 91/100 DÓLARES`` (see the module docstring)."""
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError("amount_in_words takes integer cents")
    if cents < 0:
        raise ValueError("amount_in_words: negative amount")
    dollars, rest = divmod(cents, 100)
    words = number_in_words(dollars)
    if dollars >= 1_000_000 and dollars % 1_000_000 == 0:
        unit = f"DE {currency}"
    else:
        unit = currency_one if dollars == 1 else currency
    return f"{words} {rest:02d}/100 {unit}"
