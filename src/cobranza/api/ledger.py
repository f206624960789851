"""Statements through the API (SPEC §11): exactly the statement JSON of SPEC §5, typed.

`StatementOut` describes that JSON field by field (money as strings with two decimals, dates as
AAAA-MM-DD, `status` one of four values) so the OpenAPI document and schemathesis can check it; the
body is `Statement.to_json_dict()`, key for key, plus each period's limitation date and "prescribed"
mark (SPEC §8).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from cobranza.api.employers import get_visible_employer
from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.ledger.selectors import limitation_dates, statement_for_employer

router = Router(tags=["estados de cuenta"])

MONEY = r"^-?\d+\.\d{2}$"


def Money(description: str) -> Any:  # noqa: N802 - reads like a type in the schemas below
    return Field(..., pattern=MONEY, description=description)


class StatementPeriodOut(Schema):
    period: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="Período AAAA-MM.")
    due_date: date = Field(..., description="Vencimiento del período.")
    months_late: int = Field(..., ge=0, description="Meses de atraso a la fecha del estado.")
    status: Literal["paid", "partial", "unpaid", "not_due"] = Field(
        ..., description="paid: pagado; partial: pago parcial; unpaid: sin pago; not_due: no vencido."
    )
    contribution: str = Money("Cotización.")
    contribution_paid: str = Money("Cotización pagada.")
    contribution_outstanding: str = Money("Cotización pendiente.")
    surcharge: str = Money("Recargo.")
    surcharge_paid: str = Money("Recargo pagado.")
    surcharge_outstanding: str = Money("Recargo pendiente.")
    fine: str = Money("Multa.")
    fine_paid: str = Money("Multa pagada.")
    fine_outstanding: str = Money("Multa pendiente.")
    interest: str = Money("Interés.")
    interest_paid: str = Money("Interés pagado.")
    interest_outstanding: str = Money("Interés pendiente.")
    outstanding: str = Money("Total pendiente del período.")
    worker_share: str = Money("Cuota laboral incluida en la cotización.")
    worker_share_outstanding: str = Money("Cuota laboral retenida y no enterada.")
    limitation_date: date | None = Field(
        None,
        description=(
            "Fecha en que el período prescribe (o prescribió): cinco años según la política desde el "
            "vencimiento o desde la última interrupción (aviso, convenio, demanda). Vacía si no hay deuda."
        ),
    )
    prescribed: bool = Field(
        False, description="Período marcado prescrito: fuera de la deuda cobrable (se conserva)."
    )


class StatementTotalsOut(Schema):
    contribution_outstanding: str = Money("Cotización pendiente.")
    surcharge_outstanding: str = Money("Recargo pendiente.")
    fine_outstanding: str = Money("Multa pendiente.")
    interest_outstanding: str = Money("Interés pendiente.")
    outstanding: str = Money("Saldo pendiente total.")
    credit: str = Money("Saldo a favor.")
    worker_share_outstanding: str = Money("Cuota laboral retenida no enterada.")
    overdue: str = Money("Saldo exigible (períodos vencidos).")
    current: str = Money("Saldo corriente (no vencido).")
    agreement_interest_outstanding: str = Money("Interés de convenios pendiente.")


class StatementAgreementOut(Schema):
    number: str = Field(..., description="Número del convenio.")
    interest: str = Money("Interés del convenio causado a la fecha.")
    interest_paid: str = Money("Interés del convenio pagado.")
    interest_outstanding: str = Money("Interés del convenio pendiente.")


class StatementOut(Schema):
    """The statement of SPEC §5."""

    employer_number: str
    as_of: date = Field(..., description="Fecha del estado de cuenta.")
    policy_version: str = Field(..., description="Versión de la política vigente a esa fecha.")
    periods: list[StatementPeriodOut]
    totals: StatementTotalsOut
    agreements: list[StatementAgreementOut]


@router.get(
    "/employers/{employer_number}/statement",
    response=StatementOut,
    summary="Estado de cuenta de un patrono a una fecha",
    description=(
        "El estado de cuenta (SPEC §5) calculado con la versión de la política vigente a la fecha "
        "`as_of` (AAAA-MM-DD o DD/MM/AAAA, entre 1954-01-01 y 2100-12-31; por defecto, la fecha de "
        "negocio: hoy). 404 si el patrono no existe o el usuario no puede verlo; 422 si la fecha no es "
        "válida, está fuera de rango o no hay política vigente a esa fecha."
    ),
)
def employer_statement(request: HttpRequest, employer_number: str, as_of: str = "") -> dict[str, Any]:
    employer = get_visible_employer(request, employer_number)
    if as_of.strip():
        try:
            day = parse_user_date(as_of, field="fecha")
        except ApplicationError as error:
            raise HttpError(422, error.message) from None
    else:
        day = business_date()
    try:
        statement = statement_for_employer(employer, day)
    except ApplicationError as error:
        raise HttpError(422, error.message) from None
    body = statement.to_json_dict()
    clocks = limitation_dates(employer=employer, as_of=day)
    for line, period in zip(statement.periods, body["periods"], strict=True):
        clock = clocks.get(line.period) if line.outstanding_cents else None
        period["limitation_date"] = clock.limitation_date if clock else None
        period["prescribed"] = bool(clock and clock.prescribed)
    return body
