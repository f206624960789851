"""Portfolio pages for heads: reassign one or many employers, temporary cover for absences, and the
balanced assignment of unassigned employers in arrears (which also opens their cases).

Writes go through portfolio.services (assignment_create, assignments_bulk_create, cover_create) and
cases.services.case_for_employer."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cobranza.common import roles
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.sanitize import paginate
from cobranza.employers.models import Employer
from cobranza.employers.selectors import employer_list, visible_employers
from cobranza.portfolio import services
from cobranza.portfolio.forms import CoverForm, DistributeForm, ReassignForm
from cobranza.portfolio.models import Assignment, Cover
from cobranza.portfolio.planning import CurrentLoad, collectors_in_scope, current_loads, plan_distribution
from cobranza.portfolio.selectors import branch_of

PAGE_SIZE = 50
HEADS = (roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD, roles.Role.ADMIN)


def _require_head(request: HttpRequest) -> None:
    if not roles.has_role(request.user, *HEADS):
        raise PermissionDenied


def _scope_branch_ids(request: HttpRequest) -> list[int] | None:
    """None: every branch (department heads, administrators); else the branch head's own."""
    if roles.has_role(request.user, roles.Role.DEPARTMENT_HEAD, roles.Role.ADMIN):
        return None
    branch_id = branch_of(request.user)
    return [branch_id] if branch_id is not None else []


def _employers_page(request: HttpRequest):  # type: ignore[no-untyped-def]
    collector_name = Subquery(
        Assignment.objects.filter(employer=OuterRef("pk"), end__isnull=True).values("collector__username")[:1]
    )
    search = request.GET.get("q", "").strip()[:100]
    # The registry's own search (number, NIT, name without accents), biggest debts first.
    qs = employer_list(user=request.user, search=search, order="deuda").annotate(
        collector_name=collector_name
    )
    collector = request.GET.get("gestor", "")
    if collector == "-":
        qs = qs.filter(collector_name__isnull=True)
    elif collector:
        qs = qs.filter(collector_name=collector)
    page = paginate(request, qs, PAGE_SIZE)
    return page, search, collector


@login_required
def portfolio_index(request: HttpRequest, form: ReassignForm | None = None) -> HttpResponse:
    _require_head(request)
    collectors = collectors_in_scope(branch_ids=_scope_branch_ids(request))
    loads = current_loads(collectors)
    page, search, collector = _employers_page(request)
    return render(
        request,
        "portfolio/index.html",
        {
            "collectors": [(c, loads.get(c.pk, CurrentLoad())) for c in collectors],
            "page": page,
            "search": search,
            "collector": collector,
            "form": form or ReassignForm(collectors=collectors),
        },
        status=400 if form is not None else 200,
    )


@login_required
@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    _require_head(request)
    collectors = collectors_in_scope(branch_ids=_scope_branch_ids(request))
    form = ReassignForm(request.POST, collectors=collectors)
    ids = [int(x) for x in request.POST.getlist("employer") if x.isdigit()]
    employers = list(visible_employers(user=request.user).filter(pk__in=ids).order_by("employer_number"))
    if not ids:
        form.add_error(None, "Seleccione al menos un patrono.")
    elif len(employers) != len(set(ids)):
        form.add_error(None, "Algunos patronos seleccionados no existen o no son de su alcance.")
    if form.errors or not form.is_valid():
        return portfolio_index(request, form=form)
    target, reason = form.cleaned_data["collector"], form.cleaned_data["reason"]
    try:
        if len(employers) == 1:
            services.assignment_create(
                actor=request.user, employer=employers[0], collector=target, reason=reason
            )
            changed = 1
        else:
            changed = len(
                services.assignments_bulk_create(
                    actor=request.user, pairs=[(e, target) for e in employers], reason=reason
                )
            )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return portfolio_index(request, form=form)
    messages.success(
        request,
        f"{changed} patrono{'s' if changed != 1 else ''} asignado{'s' if changed != 1 else ''} a {target.username}.",
    )
    return redirect("portfolio:index")


@login_required
def covers(request: HttpRequest) -> HttpResponse:
    _require_head(request)
    collectors = collectors_in_scope(branch_ids=_scope_branch_ids(request))
    form = CoverForm(request.POST if request.method == "POST" else None, collectors=collectors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cover_create(
                actor=request.user,
                absent=data["absent"],
                substitute=data["substitute"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                reason=data["reason"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Suplencia registrada: {data['substitute'].username} cubre a {data['absent'].username}.",
            )
            return redirect("portfolio:covers")
    recent = (
        Cover.objects.filter(absent__in=collectors, end_date__gte=business_date())
        .select_related("absent", "substitute")
        .order_by("start_date")
    )
    return render(
        request,
        "portfolio/covers.html",
        {"form": form, "covers": list(recent)},
        status=400 if form.errors else 200,
    )


def _unassigned_in_arrears(request: HttpRequest) -> list[tuple[Employer, Decimal]]:
    """(employer, overdue debt) of the visible employers in arrears without a collector: only an
    overdue (exigible) balance puts an employer in arrears, and only it weighs on the workload."""
    qs = (
        visible_employers(user=request.user)
        .filter(balance__overdue_outstanding__gt=0)
        .exclude(pk__in=Assignment.objects.filter(end__isnull=True).values("employer_id"))
        .select_related("branch", "balance")
        .order_by("-balance__overdue_outstanding", "employer_number")
    )
    return [(e, e.balance.overdue_outstanding) for e in qs]


@login_required
def unassigned(request: HttpRequest) -> HttpResponse:
    _require_head(request)
    collectors = collectors_in_scope(branch_ids=_scope_branch_ids(request))
    plans = plan_distribution(_unassigned_in_arrears(request), collectors)
    return render(
        request,
        "portfolio/unassigned.html",
        {"plans": sorted(plans.values(), key=lambda p: p.branch_name), "form": DistributeForm()},
    )


@login_required
@require_POST
def distribute(request: HttpRequest) -> HttpResponse:
    from cobranza.cases.services import case_for_employer

    _require_head(request)
    form = DistributeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indique el motivo de la asignación.")
        return redirect("portfolio:unassigned")
    collectors = collectors_in_scope(branch_ids=_scope_branch_ids(request))
    plans = plan_distribution(_unassigned_in_arrears(request), collectors)
    pairs = [(e, c) for plan in plans.values() for e, c, _ in plan.pairs]
    debts = {e.pk: d for plan in plans.values() for e, _, d in plan.pairs}
    if not pairs:
        messages.info(request, "No hay patronos en mora sin gestor que asignar.")
        return redirect("portfolio:unassigned")
    try:
        with transaction.atomic():
            services.assignments_bulk_create(
                actor=request.user, pairs=pairs, reason=form.cleaned_data["reason"]
            )
            for employer, _ in pairs:
                case_for_employer(
                    employer=employer, actor=request.user, create=True, opening_debt=debts[employer.pk]
                )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("portfolio:unassigned")
    messages.success(request, f"{len(pairs)} patronos asignados y sus expedientes abiertos.")
    return redirect("portfolio:index")
