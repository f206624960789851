from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cobranza.employers import selectors
from cobranza.employers.models import Branch, Employer
from cobranza.ledger.views import statement_page_context

PAGE_SIZE = 25


@login_required
def employer_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    branch_raw = request.GET.get("sucursal", "")
    branch_id = int(branch_raw) if branch_raw.isdigit() else None
    in_arrears = request.GET.get("en_mora") == "1"
    order = request.GET.get("orden", "numero")
    if order not in selectors.ORDERINGS:
        order = "numero"
    qs = selectors.employer_list(
        user=request.user, search=search, branch_id=branch_id, in_arrears=in_arrears, order=order
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "page": page,
        "search": search,
        "branch_id": branch_id,
        "in_arrears": in_arrears,
        "order": order,
        "query": query.urlencode(),
        "branches": Branch.objects.order_by("name"),
    }
    template = "employers/_list_rows.html" if request.headers.get("HX-Request") else "employers/list.html"
    return render(request, template, context)


@login_required
def employer_detail(request: HttpRequest, employer_number: str) -> HttpResponse:
    try:
        employer = selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None
    context = {
        **statement_page_context(request, employer),
        "employer": employer,
        "collector": selectors.current_collector(employer),
        "assignments": list(employer.assignments.all()),
        "audit_events": selectors.employer_audit_events(user=request.user, employer=employer),
    }
    return render(request, "employers/detail.html", context)
