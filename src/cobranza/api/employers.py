from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cobranza.api.errors import page_query
from cobranza.employers import selectors
from cobranza.employers.models import Employer
from cobranza.ledger.models import BalanceSnapshot

router = Router(tags=["patronos"])

PAGE_SIZE = 50


def _balance(obj: Employer) -> BalanceSnapshot | None:
    try:
        return obj.balance
    except Employer.balance.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


def _money(obj: Employer, field: str) -> str | None:
    snapshot = _balance(obj)
    return None if snapshot is None else f"{getattr(snapshot, field):.2f}"


class EmployerOut(Schema):
    """An employer and its balance from the last recompute (null before the first one): `outstanding`
    = `overdue_outstanding` (exigible: periods past their due date, what "in arrears" means) +
    `current_outstanding` (not yet due). Money as strings with two decimals, like the statement."""

    employer_number: str
    nit: str
    legal_name: str
    trade_name: str
    sector: str | None
    branch: str
    address: str
    phone: str
    email: str
    legal_representative: str
    status: str
    registered_on: date | None
    balance_as_of: date | None = Field(None, description="Fecha del último cálculo de saldos.")
    outstanding: str | None = Field(None, description="Saldo pendiente total.")
    overdue_outstanding: str | None = Field(None, description="Saldo exigible (períodos vencidos).")
    current_outstanding: str | None = Field(None, description="Saldo corriente (no vencido).")

    @staticmethod
    def resolve_balance_as_of(obj: Employer) -> date | None:
        snapshot = _balance(obj)
        return snapshot.as_of if snapshot is not None else None

    @staticmethod
    def resolve_outstanding(obj: Employer) -> str | None:
        return _money(obj, "outstanding")

    @staticmethod
    def resolve_overdue_outstanding(obj: Employer) -> str | None:
        return _money(obj, "overdue_outstanding")

    @staticmethod
    def resolve_current_outstanding(obj: Employer) -> str | None:
        return _money(obj, "current_outstanding")

    @staticmethod
    def resolve_sector(obj: Employer) -> str | None:
        return obj.sector.name if obj.sector_id else None

    @staticmethod
    def resolve_branch(obj: Employer) -> str:
        return obj.branch.name


class EmployerDetailOut(EmployerOut):
    assigned_collector: str | None

    @staticmethod
    def resolve_assigned_collector(obj: Employer) -> str | None:
        collector = selectors.current_collector(obj)
        return collector.username if collector else None


class EmployerPage(Schema):
    items: list[EmployerOut]
    count: int
    page: int
    pages: int


def get_visible_employer(request: HttpRequest, employer_number: str) -> Employer:
    """The employer, or 404 both when it does not exist and when the user may not see it."""
    try:
        return selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise HttpError(404, "Patrono no encontrado.") from None


@router.get("/employers", response=EmployerPage, summary="Buscar patronos visibles para el usuario")
def list_employers(
    request: HttpRequest,
    search: str = Query("", description="Número patronal, NIT o nombre (sin importar tildes ni mayúsculas)."),
    page: int = page_query(),
) -> dict:
    qs = selectors.employer_list(user=request.user, search=search[:100])
    count = qs.count()
    pages = max(1, -(-count // PAGE_SIZE))
    items = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"items": items, "count": count, "page": page, "pages": pages}


@router.get("/employers/{employer_number}", response=EmployerDetailOut, summary="Datos de un patrono")
def employer_detail(request: HttpRequest, employer_number: str) -> Employer:
    return get_visible_employer(request, employer_number)
