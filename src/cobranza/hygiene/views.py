"""Pages of account hygiene: findings, the areas' queue of clean-up requests, a request and its
answers, the request from a case file, the head's overdue list and the reports (screen and Excel).

Who may open what is decided by the selectors (visibility: 404) and the services (who may write:
403 here, an ApplicationError message otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers import selectors as employer_selectors
from cobranza.employers.models import Employer
from cobranza.employers.submissions import once_per_submission
from cobranza.hygiene import selectors, services
from cobranza.hygiene.exports import report_workbook
from cobranza.hygiene.forms import CleanupRequestForm, RejectForm, ResolveForm
from cobranza.hygiene.models import Area, CleanupRequest, FindingStatus, FindingType, RequestStatus


def _require_hygiene(request: HttpRequest) -> None:
    if not selectors.can_use_hygiene(request.user):
        raise PermissionDenied("No tiene acceso a la depuración de cuentas.")


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    _require_hygiene(request)
    kind = request.GET.get("tipo", "")
    if kind not in dict(FindingType.choices):
        kind = ""
    status = request.GET.get("estado", FindingStatus.OPEN)
    if status not in dict(FindingStatus.choices):
        status = ""
    employer = request.GET.get("patrono", "").strip()[:20]
    findings = selectors.finding_list(
        user=request.user, finding_type=kind, employer_number=employer, status=status
    )
    page = Paginator(findings, 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "hygiene/findings.html",
        {
            "page": page,
            "types": FindingType.choices,
            "statuses": FindingStatus.choices,
            "kind": kind,
            "status": status,
            "employer_number": employer,
            "last_scan": selectors.last_scan(),
            "area": services.area_of(request.user),
        },
    )


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    _require_hygiene(request)
    status = request.GET.get("estado", RequestStatus.PENDING)
    if status not in dict(RequestStatus.choices):
        status = ""
    area = request.GET.get("area", "")
    if area not in dict(Area.choices):
        area = ""
    overdue = request.GET.get("vencidas") == "1"
    requests = selectors.request_list(user=request.user, status=status, area=area, overdue=overdue)
    page = Paginator(requests, 50).get_page(request.GET.get("pagina"))
    my_area = services.area_of(request.user)
    return render(
        request,
        "hygiene/requests.html",
        {
            "page": page,
            "statuses": RequestStatus.choices,
            "areas": Area.choices,
            "status": status,
            "area": area,
            "overdue": overdue,
            "my_area": my_area,
            "my_area_label": dict(Area.choices).get(my_area or "", ""),
            "overdue_count": selectors.overdue_count(user=request.user),
            "title": "Solicitudes vencidas" if overdue else "Solicitudes de depuración",
            "today": business_date(),
        },
    )


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    """The head's list of overdue requests."""
    if not selectors.is_head(request.user):
        raise PermissionDenied("Solo las jefaturas ven la lista de solicitudes vencidas.")
    return redirect(reverse("hygiene:requests") + "?estado=pending&vencidas=1")


def _visible_request(request: HttpRequest, pk: int) -> CleanupRequest:
    _require_hygiene(request)
    try:
        return selectors.request_detail(user=request.user, pk=pk)
    except CleanupRequest.DoesNotExist:
        raise Http404("Solicitud no encontrada") from None


def _request_page(request: HttpRequest, req: CleanupRequest, *, status: int = 200, **forms) -> HttpResponse:  # type: ignore[no-untyped-def]
    can_answer = services.can_answer(request.user, req) and req.status == RequestStatus.PENDING
    return render(
        request,
        "hygiene/request_detail.html",
        {
            "req": req,
            "can_answer": can_answer,
            "resolve_form": forms.get("resolve_form") or ResolveForm(),
            "reject_form": forms.get("reject_form") or RejectForm(),
            "is_overdue": req.status == RequestStatus.PENDING and req.due_on < business_date(),
            "today": business_date(),
        },
        status=status,
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, _visible_request(request, pk))


@login_required
@require_POST
def request_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    if not services.can_answer(request.user, req):
        raise PermissionDenied("Solo el área responsable responde esta solicitud.")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _request_page(request, req, status=400, resolve_form=form)
    try:
        services.cleanup_request_resolve(
            actor=request.user,
            request=req,
            answer=form.cleaned_data["answer"],
            import_batch=form.cleaned_data["import_batch"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("hygiene:request_detail", pk=pk)
    messages.success(request, f"Solicitud {req.code} resuelta; el saldo del patrono se recalcula.")
    return redirect("hygiene:request_detail", pk=pk)


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    if not services.can_answer(request.user, req):
        raise PermissionDenied("Solo el área responsable responde esta solicitud.")
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _request_page(request, req, status=400, reject_form=form)
    try:
        services.cleanup_request_reject(actor=request.user, request=req, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("hygiene:request_detail", pk=pk)
    messages.success(request, f"Solicitud {req.code} rechazada.")
    return redirect("hygiene:request_detail", pk=pk)


@login_required
@require_POST
@once_per_submission
def request_create(request: HttpRequest, employer_number: str) -> HttpResponse:
    """A collector's request from the case file (the form of `hygiene/_case_panel.html`)."""
    try:
        employer = employer_selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None
    if not services.can_request(request.user):
        raise PermissionDenied("Solo los gestores y las jefaturas envían solicitudes de depuración.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    form = CleanupRequestForm(request.POST, employer=employer)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Solicitud de depuración no enviada: {error}")
        return redirect(back or "hygiene:findings")
    try:
        req = services.cleanup_request_create(
            actor=request.user,
            employer=employer,
            finding=form.cleaned_data["finding"],
            area=form.cleaned_data["area"] or None,
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back or "hygiene:findings")
    messages.success(
        request,
        f"Solicitud {req.code} enviada a {req.get_area_display()}; vence el {req.due_on:%d/%m/%Y}.",
    )
    return redirect(back or "hygiene:request_detail", **({} if back else {"pk": req.pk}))


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    if not selectors.can_read_reports(request.user):
        raise PermissionDenied("Solo las jefaturas leen los reportes de depuración.")
    report = selectors.hygiene_report(user=request.user)
    return render(request, "hygiene/reports.html", {"report": report, "bars": _bars(report)})


@login_required
def reports_excel(request: HttpRequest) -> HttpResponse:
    if not selectors.can_read_reports(request.user):
        raise PermissionDenied("Solo las jefaturas leen los reportes de depuración.")
    report = selectors.hygiene_report(user=request.user)
    response = HttpResponse(
        report_workbook(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="depuracion-{report.as_of:%Y-%m-%d}.xlsx"'
    return response


def _bars(report: selectors.HygieneReport) -> list[dict[str, object]]:
    """Horizontal bars of the open amount by finding type, for the inline SVG chart."""
    top = report.max_amount or 1
    bars = []
    for i, row in enumerate(report.by_type):
        width = int(row.amount * 340 / top) if row.amount else 0
        bars.append({"row": row, "y": 10 + i * 34, "width": max(width, 1 if row.amount else 0)})
    return bars
