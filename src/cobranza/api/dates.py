"""Dates in the API's query parameters and bodies: `ApiDate`, parsed like every other entry point.

`ApiDate` accepts AAAA-MM-DD (and DD/MM/AAAA, as the pages and commands do) within 1954-01-01 …
2100-12-31 (SPEC §5). A refused date is a validation error of type `DATE_ERROR` whose message is the
Spanish sentence of `cobranza.common.dates.parse_user_date`; the API's validation handler answers 422
with that sentence as `detail`. The OpenAPI document still shows the parameter as a date.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from cobranza.common.dates import check_date_range, parse_user_date
from cobranza.common.errors import ApplicationError

DATE_ERROR = "cobranza_fecha"


def _refused(error: ApplicationError) -> PydanticCustomError:
    # The message is a pydantic template: braces would be placeholders (our messages have none).
    return PydanticCustomError(DATE_ERROR, error.message.replace("{", "(").replace("}", ")"))


def _parse_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_user_date(value, field="fecha")
        except ApplicationError as error:
            raise _refused(error) from None
    return value  # a date, or something pydantic itself will refuse


def _in_range(value: date) -> date:
    try:
        return check_date_range(value, field="fecha")
    except ApplicationError as error:
        raise _refused(error) from None


ApiDate = Annotated[date, BeforeValidator(_parse_text), AfterValidator(_in_range)]
