"""Dates typed by people: ISO (2024-06-30) or dd/mm/yyyy (30/06/2024)."""

from datetime import date, datetime

from cobranza.common.errors import ApplicationError

FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_user_date(text: str, *, field: str = "fecha") -> date:
    value = (text or "").strip()
    for fmt in FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ApplicationError(f"{field.capitalize()} inválida: «{value}» (use AAAA-MM-DD o DD/MM/AAAA).")
