"""Amounts in words (es-SV), as a debt certificate writes them."""

import pytest

from cobranza.common.money_words import amount_in_words, number_in_words


@pytest.mark.parametrize(
    "cents,words",
    [
        (0, "CERO 00/100 DÓLARES"),
        (1, "CERO 01/100 DÓLARES"),
        (100, "UN 00/100 DÓLAR"),
        (2100, "VEINTIÚN 00/100 DÓLARES"),
        (10000, "CIEN 00/100 DÓLARES"),
        (10100, "CIENTO UN 00/100 DÓLARES"),
        (100000, "MIL 00/100 DÓLARES"),
        (100000000, "UN MILLÓN 00/100 DE DÓLARES"),
        (252891, "DOS MIL QUINIENTOS VEINTIOCHO 91/100 DÓLARES"),
        (24780, "DOSCIENTOS CUARENTA Y SIETE 80/100 DÓLARES"),
        (1600, "DIECISÉIS 00/100 DÓLARES"),
        (2250, "VEINTIDÓS 50/100 DÓLARES"),
        (3100, "TREINTA Y UN 00/100 DÓLARES"),
        (50000, "QUINIENTOS 00/100 DÓLARES"),
        (71500, "SETECIENTOS QUINCE 00/100 DÓLARES"),
        (99999, "NOVECIENTOS NOVENTA Y NUEVE 99/100 DÓLARES"),
        (2100000, "VEINTIÚN MIL 00/100 DÓLARES"),
        (10000000, "CIEN MIL 00/100 DÓLARES"),
        (200000000, "DOS MILLONES 00/100 DE DÓLARES"),
        (123456789, "UN MILLÓN DOSCIENTOS TREINTA Y CUATRO MIL QUINIENTOS SESENTA Y SIETE 89/100 DÓLARES"),
    ],
)
def test_amount_in_words(cents, words):
    assert amount_in_words(cents) == words


def test_one_million_takes_de():
    assert amount_in_words(100_000_000) == "UN MILLÓN 00/100 DE DÓLARES"


def test_refuses_what_is_not_integer_cents():
    with pytest.raises(TypeError):
        amount_in_words(12.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        amount_in_words(-1)
    assert number_in_words(0) == "CERO"
