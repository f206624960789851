"""Statement screens and documents for one employer (its page embeds the statement section)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from cobranza.common.dates import parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.employers import selectors as employer_selectors
from cobranza.employers.models import Employer
from cobranza.engine.statement import COMPONENT_ES, Statement
from cobranza.ledger import documents
from cobranza.ledger.presentation import STATUS_BADGE, aging, status_label
from cobranza.ledger.selectors import statement_for_employer


def as_of_from(request: HttpRequest) -> tuple[date, str]:
    """The statement date asked for (default today) and, when it was typed wrong, why."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return timezone.localdate(), ""
    try:
        return parse_user_date(raw, field="fecha de corte"), ""
    except ApplicationError as exc:
        return timezone.localdate(), f"{exc.message} Se muestra el estado de cuenta de hoy."


def statement_section_context(statement: Statement) -> dict:
    explanations = statement.explanations()
    by_period: dict[str | None, list] = {}
    for a in statement.allocations:
        by_period.setdefault(a.period, []).append(
            {
                "payment_id": a.payment_id,
                "paid_on": a.paid_on,
                "cents": a.cents,
                "component_label": COMPONENT_ES[a.component],
            }
        )
    return {
        "statement": statement,
        "periods": [
            {
                "line": ln,
                "status_label": status_label(ln.status),
                "badge": STATUS_BADGE[ln.status],
                "explanation": explanations[ln.period],
                "allocations": by_period.get(ln.period, []),
            }
            for ln in reversed(statement.periods)
        ],
        "aging": aging(statement),
        "credit_explanation": statement.explain_credit(),
    }


def _visible_employer(request: HttpRequest, employer_number: str) -> Employer:
    try:
        return employer_selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None


@login_required
def statement_pdf(request: HttpRequest, employer_number: str) -> HttpResponse:
    employer = _visible_employer(request, employer_number)
    as_of, _ = as_of_from(request)
    statement = statement_for_employer(employer, as_of)
    issued_by = request.user.get_full_name() or request.user.get_username()
    pdf = documents.statement_pdf(statement, employer, issued_by=issued_by)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="estado-de-cuenta-{employer_number}-{as_of:%Y%m%d}.pdf"'
    )
    return response


@login_required
def statement_xlsx(request: HttpRequest, employer_number: str) -> HttpResponse:
    employer = _visible_employer(request, employer_number)
    as_of, _ = as_of_from(request)
    statement = statement_for_employer(employer, as_of)
    response = HttpResponse(
        documents.statement_xlsx(statement, employer),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="estado-de-cuenta-{employer_number}-{as_of:%Y%m%d}.xlsx"'
    )
    return response
