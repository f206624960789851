"""`cobranza.common.dates`: the business date (SPEC §10) and the dates people type (SPEC §5).

The one "today" is `business_date()`: COBRANZA_BUSINESS_DATE when set, else today in El Salvador.
Every typed date goes through `parse_user_date`, which refuses what the institute cannot have
(before 01/01/1954 or after 31/12/2100) with a Spanish message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cobranza.common.dates import (
    EARLIEST,
    LATEST,
    business_date,
    check_date_range,
    parse_business_date_setting,
    parse_user_date,
)
from cobranza.common.errors import ApplicationError
from cobranza.common.forms import UserDateField

RANGE = "(debe estar entre 01/01/1954 y 31/12/2100)."
# What a person may type that the institute cannot have, and an impossible day.
OUT_OF_RANGE = ["01/01/1900", "9999-12-31", "1953-12-31", "31/12/1953", "2101-01-01", "0001-01-01"]


# -- business date ---------------------------------------------------------------------------------


def test_business_date_is_the_setting(settings):
    settings.COBRANZA_BUSINESS_DATE = date(2024, 6, 30)
    assert business_date() == date(2024, 6, 30)


def test_a_setting_given_as_text_is_read_like_the_environment(settings):
    settings.COBRANZA_BUSINESS_DATE = "15/03/2024"
    assert business_date() == date(2024, 3, 15)


def test_without_the_setting_it_is_today_in_el_salvador(settings):
    settings.COBRANZA_BUSINESS_DATE = None
    el_salvador = datetime.now(ZoneInfo("America/El_Salvador")).date()
    assert business_date() == el_salvador
    # A time zone activated for a request (none is, today) does not move the institute's day.
    with timezone.override(ZoneInfo("Pacific/Kiritimati")):  # UTC+14: often already tomorrow
        assert business_date() == el_salvador


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2024-06-30", date(2024, 6, 30)),
        ("30/06/2024", date(2024, 6, 30)),
        (" 01/01/1954 ", EARLIEST),
        ("2100-12-31", LATEST),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_the_environment_value_iso_or_day_month_year_or_empty(text, expected):
    assert parse_business_date_setting(text) == expected


@pytest.mark.parametrize(
    "text,reason",
    [
        ("2024-02-30", "inválida: «2024-02-30» (use AAAA-MM-DD o DD/MM/AAAA)."),
        ("06/30/2024", "inválida: «06/30/2024»"),
        ("mañana", "inválida: «mañana»"),
        ("01/01/1900", f"fuera de rango: «01/01/1900» {RANGE}"),
        ("9999-12-31", f"fuera de rango: «9999-12-31» {RANGE}"),
    ],
)
def test_a_bad_environment_value_is_a_spanish_configuration_error(text, reason):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_business_date_setting(text)
    message = str(error.value)
    assert message.startswith(f"Fecha de negocio (COBRANZA_BUSINESS_DATE) {reason}")
    assert "Corrija o quite la variable de entorno COBRANZA_BUSINESS_DATE" in message


def _console(tmp_path: Path, business_date_value: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["COBRANZA_DATA_DIR"] = str(tmp_path)
    env["COBRANZA_BUSINESS_DATE"] = business_date_value
    script = Path(sys.executable).with_name("cobranza")
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_the_environment_sets_the_business_date_of_a_real_process(tmp_path):
    code = "from cobranza.common.dates import business_date; print(business_date().isoformat())"
    done = _console(tmp_path, "30/06/2024", "shell", "-v", "0", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2024-06-30"


@pytest.mark.parametrize(
    "value,message",
    [
        ("2024-02-30", "Fecha de negocio (COBRANZA_BUSINESS_DATE) inválida: «2024-02-30»"),
        ("1900-01-01", "Fecha de negocio (COBRANZA_BUSINESS_DATE) fuera de rango: «1900-01-01»"),
    ],
)
def test_a_bad_environment_value_stops_every_command_at_startup(tmp_path, value, message):
    """Before any command runs: the message on stderr, exit code 1, no traceback."""
    done = _console(tmp_path, value, "statement", "100000004")
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


# -- dates typed by people -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("01/01/1954", EARLIEST),
        ("1954-01-01", EARLIEST),
        ("31/12/2100", LATEST),
        ("2100-12-31", LATEST),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_the_bounds_themselves_are_accepted(text, expected):
    assert parse_user_date(text) == expected


@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_out_of_range_dates_are_refused_quoting_what_was_typed(text):
    with pytest.raises(ApplicationError) as error:
        parse_user_date(text)
    assert error.value.message == f"Fecha fuera de rango: «{text}» {RANGE}"


def test_the_message_names_the_date():
    with pytest.raises(ApplicationError, match=r"^Fecha de corte fuera de rango: «01/01/1900»"):
        parse_user_date("01/01/1900", field="fecha de corte")
    with pytest.raises(ApplicationError, match=r"^--today fuera de rango"):
        parse_user_date("9999-12-31", field="--today")


@pytest.mark.parametrize("text", ["2024-02-30", "30/02/2024", "2023-02-29", "ayer", "", "10000-01-01"])
def test_impossible_or_malformed_dates_are_refused(text):
    with pytest.raises(ApplicationError) as error:
        parse_user_date(text)
    assert error.value.message == f"Fecha inválida: «{text}» (use AAAA-MM-DD o DD/MM/AAAA)."


def test_check_date_range_for_dates_already_parsed():
    assert check_date_range(date(2024, 6, 30)) == date(2024, 6, 30)
    assert check_date_range(datetime(2024, 6, 30, 15, 0)) == date(2024, 6, 30)
    with pytest.raises(ApplicationError) as error:
        check_date_range(date(1, 1, 1))
    assert error.value.message == f"Fecha fuera de rango: «01/01/0001» {RANGE}"


# -- the form field every page uses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,message",
    [
        ("01/01/1900", f"Fecha de corte fuera de rango: «01/01/1900» {RANGE}"),
        ("9999-12-31", f"Fecha de corte fuera de rango: «9999-12-31» {RANGE}"),
        ("1953-12-31", f"Fecha de corte fuera de rango: «1953-12-31» {RANGE}"),
        ("2024-02-30", "Fecha de corte inválida: «2024-02-30» (use AAAA-MM-DD o DD/MM/AAAA)."),
    ],
)
def test_user_date_field_refuses_with_the_same_words(typed, message):
    field = UserDateField(subject="fecha de corte", required=False)
    with pytest.raises(Exception) as error:  # django.forms.ValidationError
        field.clean(typed)
    assert error.value.messages == [message]


def test_user_date_field_accepts_both_formats_and_empty():
    field = UserDateField(required=False)
    assert field.clean("30/06/2024") == field.clean("2024-06-30") == date(2024, 6, 30)
    assert field.clean("") is None
    assert field.clean(date(2024, 6, 30)) == date(2024, 6, 30)
