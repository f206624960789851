"""Dates: the business date ("today" for every service, command and page) and dates typed by people.

- `business_date()` is the one "today" of the application: `settings.COBRANZA_BUSINESS_DATE` when
  it is set (the `COBRANZA_BUSINESS_DATE` environment variable, parsed once by the settings), else
  today's date in the institute's time zone (America/El_Salvador). A demo, a test or a rehearsal
  can so run the whole system as of any date. Timestamps (`created_at`, an audit event's `when`)
  stay real time: only the business date moves.
- `parse_user_date()` reads a date typed by a person, ISO (2024-06-30) or dd/mm/yyyy (30/06/2024),
  and refuses dates outside what the institute can have (`EARLIEST` … `LATEST`, SPEC §5), so that
  no page, download, command or API call ever fails later with a server error on such a date.

This module imports no Django at import time: the settings use it to parse the environment.
"""

from __future__ import annotations

from datetime import date, datetime

from cobranza.common.errors import ApplicationError

FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

# The institute's dates (SPEC §5): nothing it handles is before its first period or after this.
EARLIEST = date(1954, 1, 1)
LATEST = date(2100, 12, 31)

SETTING = "COBRANZA_BUSINESS_DATE"


def _subject(field: str) -> str:
    """«fecha de corte» → «Fecha de corte» (only the first letter: «--today» stays as is)."""
    return field[:1].upper() + field[1:]


def _range_error(shown: str, field: str) -> ApplicationError:
    return ApplicationError(
        f"{_subject(field)} fuera de rango: «{shown}» "
        f"(debe estar entre {EARLIEST:%d/%m/%Y} y {LATEST:%d/%m/%Y})."
    )


def check_date_range(day: date, *, field: str = "fecha", shown: str | None = None) -> date:
    """`day` itself when it lies within `EARLIEST` … `LATEST`; else a Spanish ApplicationError
    quoting `shown` (what the person typed; by default the date as dd/mm/yyyy)."""
    if isinstance(day, datetime):
        day = day.date()
    if not EARLIEST <= day <= LATEST:
        raise _range_error(shown if shown is not None else _dmy(day), field)
    return day


def parse_user_date(text: str, *, field: str = "fecha") -> date:
    """A date typed by a person: ISO or dd/mm/yyyy, within `EARLIEST` … `LATEST`.

    Raises ApplicationError with a Spanish message naming `field` and quoting the text: an
    impossible or malformed date («Fecha inválida: «2024-02-30» …») or one out of range
    («Fecha fuera de rango: «01/01/1900» (debe estar entre 01/01/1954 y 31/12/2100).»).
    """
    value = (text or "").strip()
    day = date_from_text(value)
    if day is None:
        raise ApplicationError(f"{_subject(field)} inválida: «{value}» (use AAAA-MM-DD o DD/MM/AAAA).")
    return check_date_range(day, field=field, shown=value)


def date_from_text(text: str) -> date | None:
    """The date written as ISO or dd/mm/yyyy, None when it is neither or impossible (2024-02-30).
    No range check: callers that report in their own words (imports) check `EARLIEST`/`LATEST`."""
    value = (text or "").strip()
    for fmt in FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_business_date_setting(text: str | None) -> date | None:
    """The `COBRANZA_BUSINESS_DATE` environment value: None when empty (the real today), else the
    date. A malformed or out-of-range value raises ImproperlyConfigured with a Spanish message, so
    the server or command refuses to start rather than run on a wrong "today"."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return parse_user_date(value, field=f"fecha de negocio ({SETTING})")
    except ApplicationError as error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{error.message} Corrija o quite la variable de entorno {SETTING} "
            "(sin ella, la fecha de negocio es la de hoy en El Salvador)."
        ) from None


def business_date() -> date:
    """The application's "today": `settings.COBRANZA_BUSINESS_DATE`, else today in El Salvador.

    Use it wherever "today" is a business date (defaults of as-of dates, what is overdue, what is
    future, a letter's date); keep `timezone.now()` for timestamps.
    """
    from django.conf import settings
    from django.utils import timezone

    configured = getattr(settings, SETTING, None)
    if isinstance(configured, datetime):
        return configured.date()
    if isinstance(configured, date):
        return configured
    if isinstance(configured, str) and configured.strip():  # e.g. a test's override as text
        return parse_user_date(configured, field=f"fecha de negocio ({SETTING})")
    # The institute's own time zone (settings.TIME_ZONE), whatever time zone a request activated.
    return timezone.localdate(timezone=timezone.get_default_timezone())


def business_now() -> datetime:
    """Now, on the business date: the current time of day on `business_date()` (the real moment
    when the business date is today). For timestamps users record as "now" (a collection action),
    so what they record falls on the day every rule reads as today."""
    from django.utils import timezone

    now = timezone.now()
    today = business_date()
    local = timezone.localtime(now, timezone=timezone.get_default_timezone())
    if local.date() == today:
        return now
    return timezone.make_aware(datetime.combine(today, local.time()), timezone.get_default_timezone())


def _dmy(day: date) -> str:
    # strftime pads the year only on some platforms; the message must read the same everywhere.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def date_in_words(day: date) -> str:
    """The date as a letter writes it (es-SV): ``date(2026, 11, 29)`` → ``29 de noviembre de 2026``;
    the first of a month is written ``1 de …`` (the template filter is ``fecha_letras``)."""
    return f"{day.day} de {MONTH_NAMES[day.month - 1]} de {day.year}"
