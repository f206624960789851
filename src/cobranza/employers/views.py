from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cobranza.common import roles
from cobranza.common.audit_display import describe_events
from cobranza.common.sanitize import paginate
from cobranza.employers import selectors
from cobranza.employers.models import Branch, Employer
from cobranza.employers.services import can_edit_contacts
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
    page = paginate(request, qs, PAGE_SIZE)
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
        "audit_views": describe_events(selectors.employer_audit_events(user=request.user, employer=employer)),
        "show_technical": roles.is_admin(request.user),
        "can_edit_contacts": can_edit_contacts(request.user),
    }
    return render(request, "employers/detail.html", context)
