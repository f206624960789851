"""Statement screens and documents for one employer (its page embeds the statement section).

The date of a statement comes from `?as_of=` (dd/mm/aaaa or ISO; empty: the business date). A date
that cannot be used (malformed, out of range, no policy in force then) never makes a server error:
the page shows the message beside its date field and today's statement; the PDF and Excel answer
400 with the message, since no document can be made for it.
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.documents.services import document_content
from cobranza.employers import selectors as employer_selectors
from cobranza.employers.models import Employer
from cobranza.engine.statement import Statement
from cobranza.ledger import documents
from cobranza.ledger.forms import StatementDateForm
from cobranza.ledger.models import DeclarationVersion
from cobranza.ledger.paging import allocation_rows, period_page_context, period_page_of
from cobranza.ledger.presentation import (
    STATUS_BADGE,
    aging,
    agreement_rows,
    prescription_split,
    status_label,
    version_lines,
)
from cobranza.ledger.selectors import (
    LimitationInfo,
    declaration_versions,
    limitation_dates,
    period_claims,
    statement_for_employer,
)


def as_of_from(request: HttpRequest) -> tuple[date | None, str]:
    """The statement date asked for (default: the business date), or None and why it was refused."""
    form = StatementDateForm(request.GET)
    if not form.is_valid():
        return None, str(form.errors["as_of"][0])
    return form.cleaned_data["as_of"] or business_date(), ""


def requested_statement(request: HttpRequest, employer: Employer) -> tuple[Statement | None, str]:
    """The employer's statement at the requested date, or None and the Spanish reason it cannot be
    made (the date typed wrong or out of range, or no policy version in force at it)."""
    as_of, error = as_of_from(request)
    if as_of is None:
        return None, error
    try:
        return statement_for_employer(employer, as_of), ""
    except ApplicationError as exc:
        return None, exc.message


def statement_page_context(request: HttpRequest, employer: Employer) -> dict:
    """The statement section of the employer's page: at the requested date, or, when that date
    cannot be used, at the business date with the reason shown as the date field's error."""
    statement, error = requested_statement(request, employer)
    if statement is None:
        today = business_date()
        statement = statement_for_employer(employer, today)
        error = f"{error} Se muestra el estado de cuenta de hoy ({today:%d/%m/%Y})."
    section = statement_section_context(
        statement,
        versions=declaration_versions(employer=employer, as_of=statement.as_of),
        claims=period_claims(employer=employer, as_of=statement.as_of),
        limitation=limitation_dates(employer=employer, as_of=statement.as_of),
    )
    return {
        **section,
        # one page of the period rows (issue 15): the totals above still cover every period
        **period_page_context(request, statement, section["periods"]),
        "as_of_error": error,
        "as_of_typed": request.GET.get("as_of", "").strip() if error else "",
    }


def statement_section_context(
    statement: Statement,
    *,
    versions: dict[str, list[DeclarationVersion]] | None = None,
    claims: dict[str, list[str]] | None = None,
    limitation: dict[str, LimitationInfo] | None = None,
) -> dict:
    """What the statement section shows; `versions` (`selectors.declaration_versions`) lists the
    versions of each corrected declaration in its period's detail; `claims`
    (`selectors.period_claims`) marks the periods "en reclamo" (SPEC §8)."""
    versions = versions or {}
    claims = claims or {}
    limitation = limitation or {}
    # The explanation and the payments of each period are its drill-down, fetched on demand
    # (`statement_period_detail`): 360 periods of them made the page 750 KB (issue 15).
    return {
        "statement": statement,
        "periods": [
            {
                "line": ln,
                "status_label": status_label(ln.status),
                "badge": STATUS_BADGE[ln.status],
                "versions": version_lines(versions.get(ln.period, []), statement.as_of),
                "claims": claims.get(ln.period, []),
                "limitation": limitation.get(ln.period) if ln.outstanding_cents else None,
            }
            for ln in reversed(statement.periods)
        ],
        "aging": aging(statement),
        "agreement_rows": agreement_rows(statement),
        "credit_explanation": statement.explain_credit(),
        "prescription": prescription_split(statement, limitation),
    }


def _visible_employer(request: HttpRequest, employer_number: str) -> Employer:
    try:
        return employer_selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None


def _refused_document(request: HttpRequest, employer: Employer, message: str) -> HttpResponse:
    """No PDF or Excel for a date that cannot be used: 400, the reason, a way back to the page."""
    return render(
        request,
        "errors/400.html",
        {
            "message": message,
            "back_url": reverse("employers:detail", args=[employer.employer_number]),
            "back_label": "Volver al patrono",
        },
        status=400,
    )


@login_required
def statement_pdf(request: HttpRequest, employer_number: str) -> HttpResponse:
    employer = _visible_employer(request, employer_number)
    statement, error = requested_statement(request, employer)
    if statement is None:
        return _refused_document(request, employer, error)
    issued = documents.statement_issue(actor=request.user, employer=employer, statement=statement)
    response = HttpResponse(document_content(issued), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{issued.filename}"'
    return response


@login_required
def statement_xlsx(request: HttpRequest, employer_number: str) -> HttpResponse:
    employer = _visible_employer(request, employer_number)
    statement, error = requested_statement(request, employer)
    if statement is None:
        return _refused_document(request, employer, error)
    as_of = statement.as_of
    response = HttpResponse(
        documents.statement_xlsx(
            statement, employer, limitation=limitation_dates(employer=employer, as_of=as_of)
        ),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="estado-de-cuenta-{employer_number}-{as_of:%Y%m%d}.xlsx"'
    )
    return response


@login_required
def statement_period_detail(request: HttpRequest, employer_number: str, period: str) -> HttpResponse:
    """The drill-down of one period of the employer's statement (its explanation, the versions of
    its declaration, which payment paid what), fetched by the page's "Detalle" button (htmx). Same
    visibility as the page: 404 for an employer the user may not see or a period not in the
    statement at that date. Opened directly (no htmx), it goes to the page listing that period."""
    employer = _visible_employer(request, employer_number)
    statement, error = requested_statement(request, employer)
    if statement is None:
        return _refused_document(request, employer, error)
    try:
        line = statement.line(period)
    except KeyError:
        raise Http404("Período no encontrado en el estado de cuenta") from None
    versions = declaration_versions(employer=employer, as_of=statement.as_of)
    claims = period_claims(employer=employer, as_of=statement.as_of)
    limitation = limitation_dates(employer=employer, as_of=statement.as_of)
    section = statement_section_context(statement, versions=versions, claims=claims, limitation=limitation)
    if not request.headers.get("HX-Request"):
        page = period_page_of(section["periods"], period)
        url = reverse("employers:detail", args=[employer.employer_number])
        return redirect(f"{url}?as_of={statement.as_of.isoformat()}&periodos={page}#explain-{period}")
    row = next(r for r in section["periods"] if r["line"] is line)
    detail = {
        **row,
        "explanation": statement.explain(period),
        "allocations": allocation_rows(statement, period),
    }
    return render(
        request, "ledger/_period_detail.html", {"statement": statement, "employer": employer, "p": detail}
    )
