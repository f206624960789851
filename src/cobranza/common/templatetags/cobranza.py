"""Formatting for es-SV: money `$1,234.56`, dates dd/mm/yyyy. Exact: Decimal or integer cents only."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone

register = template.Library()


def format_money(value: Decimal | int | str | None, *, cents: bool = False) -> str:
    if value is None or value == "":
        return ""
    if cents:
        amount = Decimal(int(value)) / 100
    else:
        amount = Decimal(str(value))
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """Decimal dollars → `$1,234.56`."""
    return format_money(value)


@register.filter
def money_cents(value: int | None) -> str:
    """Integer cents → `$1,234.56`."""
    return format_money(value, cents=True)


@register.filter
def fecha(value: date | datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


@register.filter
def fecha_letras(value: date | datetime | None) -> str:
    """A date in words, as letters write it: `29 de noviembre de 2026` (common.dates.date_in_words)."""
    from cobranza.common.dates import date_in_words

    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return date_in_words(value)


@register.filter
def periodo(value: str | None) -> str:
    """`2024-03` → `03/2024`."""
    if not value or len(value) != 7:
        return value or ""
    return f"{value[5:]}/{value[:4]}"


@register.filter
def numero(value: int | None) -> str:
    """Whole numbers as es-SV writes them: `12,345`."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"
