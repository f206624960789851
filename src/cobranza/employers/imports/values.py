"""Parsing one cell: amounts, integers, dates, periods and text, exactly (never through float).

Cells come from a CSV file (always `str`) or from an XLSX sheet (`str`, `int`, `float`, `datetime`,
`bool` or `None`). Every parser returns the typed value or raises `BadValue` with the Spanish reason
the report shows.

Decimal separators (SPEC §3: accept `1.234,56` "when the file says so or it is unambiguous"):

1. A value with both `.` and `,` uses the one that comes last as the decimal separator and the other
   one as the thousands separator: `1,234.56` and `1.234,56` are both 1234.56.
2. A value with the same separator more than once uses it for thousands: `1,234,567` or
   `1.234.567` is 1234567.
3. A value with one separator followed by one or two digits uses it as the decimal separator:
   `1234.5`, `1234,56`.
4. A value with one separator followed by exactly three digits and at most three digits before it
   (`1,234`, `1.234`) is ambiguous. The file decides: a `;`-separated file uses the Spanish
   convention (`,` decimal, `.` thousands: `1.234` = 1234 and `1,234` = 1.234, refused for having three
   decimals); a `,`-separated file and an XLSX text cell use the English one (`1,234` = 1234,
   `1.234` refused).
5. Any other use of a separator (`1.2.3`, `12,34,567`, a thousands group that is not three digits,
   more than two decimals) is refused.
A leading `$` and a sign are allowed; the sign is then checked by the column (amounts must be
positive, contributions not negative).

XLSX numbers: integers are exact; a float is read through its shortest `repr` (what Excel shows).
A float with a third decimal is refused, except the binary noise of spreadsheet arithmetic
(`204.75000000000003`, a difference under 1e-12 relative), which is the two-decimal amount shown.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from cobranza.common.dates import EARLIEST, LATEST

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
FIRST_PERIOD = "1954-01"  # the ISSS began collecting in 1954 (SPEC §3)


class BadValue(Exception):
    """A cell that cannot be read; `reason` is the Spanish text of the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_SIMPLE_DECIMAL = re.compile(r"-?\d+(?:\.\d{1,2})?\Z", re.ASCII)
_NUMBER_CHARS = re.compile(r"[+-]?\$?[\d.,]+\Z", re.ASCII)
_DIGITS = re.compile(r"\d+\Z", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z", re.ASCII)
_DMY_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z", re.ASCII)
_PERIOD = re.compile(r"(\d{4})-(\d{2})\Z", re.ASCII)
_GROUPED = {
    ",": re.compile(r"\d{1,3}(?:,\d{3})+\Z", re.ASCII),
    ".": re.compile(r"\d{1,3}(?:\.\d{3})+\Z", re.ASCII),
}


def cell_text(value: object) -> str:
    """The cell as the user would read it: stripped text, integers without `.0`, dates ISO."""
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, bool):
        return "VERDADERO" if value else "FALSO"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_decimal_text(text: str, *, decimal_comma: bool) -> Decimal:
    """A decimal written as text (see the module docstring for the separator rules)."""
    if _SIMPLE_DECIMAL.match(text):
        return Decimal(text)
    if not text:
        raise BadValue("falta el valor")
    compact = text
    if not _NUMBER_CHARS.match(compact):
        raise BadValue("no es un número")
    sign = ""
    if compact[0] in "+-":
        sign, compact = compact[0].replace("+", ""), compact[1:]
    compact = compact.removeprefix("$")
    if not compact or compact[0] in "+-$":
        raise BadValue("no es un número")
    has_dot, has_comma = "." in compact, "," in compact
    if has_dot and has_comma:
        decimal_sep = "." if compact.rfind(".") > compact.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        whole, _, fraction = compact.rpartition(decimal_sep)
        if decimal_sep in whole or not _GROUPED[thousands_sep].match(whole):
            raise BadValue("número mal escrito (separadores de miles o decimales)")
        whole = whole.replace(thousands_sep, "")
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        if compact.count(sep) > 1:
            if not _GROUPED[sep].match(compact):
                raise BadValue("número mal escrito (separadores de miles o decimales)")
            whole, fraction = compact.replace(sep, ""), ""
        else:
            whole, _, fraction = compact.partition(sep)
            file_thousands_sep = "." if decimal_comma else ","
            if len(fraction) == 3 and 1 <= len(whole) <= 3 and sep == file_thousands_sep and whole[0] != "0":
                whole, fraction = whole + fraction, ""
    else:
        whole, fraction = compact, ""
    if not _DIGITS.match(whole or "0") or (fraction and not _DIGITS.match(fraction)):
        raise BadValue("no es un número")
    if (has_dot or has_comma) and not fraction and not whole:
        raise BadValue("no es un número")
    if len(fraction) > 2:
        raise BadValue("tiene más de dos decimales")
    return Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")


def _decimal_from_float(value: float) -> Decimal:
    exact = Decimal(repr(value))
    rounded = exact.quantize(CENT)
    if exact == rounded:
        return exact
    if abs(exact - rounded) <= abs(rounded) * Decimal("1e-12"):
        return rounded  # binary noise of spreadsheet arithmetic, not a third decimal
    raise BadValue("tiene más de dos decimales")


def parse_decimal(value: object, *, decimal_comma: bool) -> Decimal:
    """A money amount with at most two decimals, any sign; the column checks the sign."""
    if type(value) is str:
        amount = parse_decimal_text(value.strip(), decimal_comma=decimal_comma)
    elif value is None:
        raise BadValue("falta el valor")
    elif isinstance(value, bool):
        raise BadValue("no es un número")
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise BadValue("no es un número")
        amount = _decimal_from_float(value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise BadValue("no es un número")
    try:
        quantized = amount.quantize(CENT)
    except InvalidOperation as exc:
        raise BadValue("monto demasiado grande") from exc
    if quantized != amount:
        raise BadValue("tiene más de dos decimales")
    if abs(quantized) > MAX_MONEY:
        raise BadValue("monto demasiado grande")
    return quantized


def parse_positive_amount(value: object, *, decimal_comma: bool) -> Decimal:
    amount = parse_decimal(value, decimal_comma=decimal_comma)
    if amount <= 0:
        raise BadValue("el monto debe ser mayor que cero")
    return amount


def parse_non_negative_amount(value: object, *, decimal_comma: bool) -> Decimal:
    amount = parse_decimal(value, decimal_comma=decimal_comma)
    if amount < 0:
        raise BadValue("no puede ser negativo")
    return amount


def parse_count(value: object) -> int:
    """A whole number ≥ 0 (workers). Text must be plain digits; an XLSX number must be integral."""
    if type(value) is str:
        text = value.strip()
        if _DIGITS.match(text):
            return int(text)
        if not text:
            raise BadValue("falta el valor")
        if text.startswith("-") and _DIGITS.match(text[1:]):
            raise BadValue("no puede ser negativo")
        try:
            Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise BadValue("no es un número") from None
        raise BadValue("debe ser un número entero")
    if value is None:
        raise BadValue("falta el valor")
    if isinstance(value, bool):
        raise BadValue("no es un número")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue("debe ser un número entero")
        value = int(value)
    if not isinstance(value, int):
        raise BadValue("no es un número")
    if value < 0:
        raise BadValue("no puede ser negativo")
    if value > 2_147_483_647:
        raise BadValue("número demasiado grande")
    return value


def parse_date(value: object) -> date:
    """ISO `yyyy-mm-dd` or `dd/mm/yyyy`; an XLSX date cell as is (its time of day is ignored).
    Within 01/01/1954 … 31/12/2100 (SPEC §5), like every date a person gives the system."""
    day = _date_of(value)
    if not EARLIEST <= day <= LATEST:
        raise BadValue(f"fecha fuera de rango (debe estar entre {EARLIEST:%d/%m/%Y} y {LATEST:%d/%m/%Y})")
    return day


def _date_of(value: object) -> date:
    if type(value) is str:
        text = value.strip()
        match = _ISO_DATE.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
        else:
            match = _DMY_DATE.match(text)
            if match is None:
                if not text:
                    raise BadValue("falta el valor")
                raise BadValue("no es una fecha (use AAAA-MM-DD o DD/MM/AAAA)")
            day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise BadValue("fecha imposible (ese día no existe)") from None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        raise BadValue("falta el valor")
    raise BadValue("no es una fecha (use AAAA-MM-DD o DD/MM/AAAA)")


def parse_period(value: object, *, last_period: str) -> str:
    """`YYYY-MM` between 1954-01 and `last_period` (the current month). An XLSX date on day 1 is its month."""
    if type(value) is str:
        text = value.strip()
    elif isinstance(value, date) and value.day == 1:
        text = f"{value.year:04d}-{value.month:02d}"
    elif value is None:
        text = ""
    else:
        raise BadValue("no es un periodo (use AAAA-MM)")
    match = _PERIOD.match(text)
    if match is None:
        if not text:
            raise BadValue("falta el valor")
        raise BadValue("no es un periodo (use AAAA-MM)")
    if not 1 <= int(match.group(2)) <= 12:
        raise BadValue("periodo imposible (el mes va de 01 a 12)")
    if text < FIRST_PERIOD or text > last_period:
        raise BadValue(f"periodo fuera del rango {FIRST_PERIOD} … {last_period}")
    return text


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
