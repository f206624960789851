"""Desk pages: the work page, register, detail (answer, resolve, close, attachments), heads'
overdue list, the worker's question, the solvency certificate and the reports.

Roles: the service desk, heads and administrators work the desk (others: 403); the solvency page
also opens to the employer's collector; an employer or inquiry the user may not see is 404.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import has_role, is_admin, is_head
from cobranza.desk import selectors, services
from cobranza.desk.forms import AttachmentForm, InquiryForm, ReportForm, TransitionForm, WorkerInquiryForm
from cobranza.desk.models import Inquiry, InquiryAttachment, InquiryKind, InquiryStatus
from cobranza.employers import selectors as employer_selectors
from cobranza.employers.models import Employer
from cobranza.employers.submissions import once_per_submission


def _require_desk(request: HttpRequest) -> None:
    if not selectors.can_work_desk(request.user):
        raise PermissionDenied


def _visible_employer(request: HttpRequest, number: str) -> Employer:
    try:
        return employer_selectors.employer_detail(user=request.user, employer_number=number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None


def _inquiry(request: HttpRequest, number: str) -> Inquiry:
    try:
        return selectors.inquiry_detail(user=request.user, number=number)
    except Inquiry.DoesNotExist:
        raise Http404("Consulta no encontrada") from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_desk(request)
    kind = request.GET.get("tipo", "")
    search = request.GET.get("q", "").strip()[:100]
    work = selectors.desk_work(user=request.user, kind=kind, search=search)
    return render(
        request,
        "desk/index.html",
        {
            "work": work,
            "kind": kind,
            "search": search,
            "kinds": InquiryKind.choices,
            "overdue_for_head": selectors.overdue_items(user=request.user)[:10],
        },
    )


@login_required
@once_per_submission
def create(request: HttpRequest) -> HttpResponse:
    _require_desk(request)
    if request.method == "POST":
        form = InquiryForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            upload = data.get("attachment")
            try:
                inquiry = services.inquiry_register(
                    actor=request.user,
                    kind=data["kind"],
                    channel=data["channel"],
                    requester_type=data["requester_type"],
                    requester_name=data["requester_name"],
                    requester_document=data["requester_document"],
                    subject=data["subject"],
                    description=data["description"],
                    employer=form.employer,
                    periods=form.period_list,
                    attachments=[(upload.name, upload.read())] if upload else [],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                note = (
                    f" Cobro suspendido de los períodos {inquiry.periods_display} hasta su resolución."
                    if inquiry.is_claim
                    else ""
                )
                messages.success(
                    request,
                    f"{inquiry.get_kind_display()} {inquiry.number} registrad{'o' if inquiry.is_claim else 'a'}.{note}",
                )
                return redirect("desk:detail", number=inquiry.number)
        status = 400
    else:
        initial = {"kind": request.GET.get("tipo", InquiryKind.INQUIRY)}
        number = request.GET.get("patrono", "").strip()[:20]
        if number:
            initial["employer_number"] = number
        form = InquiryForm(initial=initial, user=request.user)
        status = 200
    return render(request, "desk/create.html", {"form": form}, status=status)


def _detail_page(request: HttpRequest, inquiry: Inquiry, *, status: int = 200, **forms) -> HttpResponse:  # type: ignore[no-untyped-def]
    from cobranza.desk.models import TRANSITIONS

    allowed = TRANSITIONS[inquiry.kind].get(inquiry.status, set())
    labels = {
        InquiryStatus.ANSWERED: "Responder",
        InquiryStatus.ACCEPTED: "Aceptar el reclamo",
        InquiryStatus.REJECTED: "Rechazar el reclamo",
        InquiryStatus.CLOSED: "Cerrar",
    }
    actions = [
        (to, labels[to])
        for to in (
            InquiryStatus.ANSWERED,
            InquiryStatus.ACCEPTED,
            InquiryStatus.REJECTED,
            InquiryStatus.CLOSED,
        )
        if to in allowed
    ]
    return render(
        request,
        "desk/detail.html",
        {
            "inquiry": inquiry,
            "actions": actions,
            "transition_form": forms.get("transition_form") or TransitionForm(),
            "attachment_form": forms.get("attachment_form") or AttachmentForm(),
            "today": business_date(),
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    _require_desk(request)
    return _detail_page(request, _inquiry(request, number))


@login_required
@require_POST
def transition(request: HttpRequest, number: str) -> HttpResponse:
    _require_desk(request)
    inquiry = _inquiry(request, number)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            inquiry = services.inquiry_transition(
                actor=request.user,
                inquiry=inquiry,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            form.add_error("note", error.message)
        else:
            messages.success(request, f"{inquiry.number}: {inquiry.get_status_display()}.")
            return redirect("desk:detail", number=inquiry.number)
    return _detail_page(request, inquiry, status=400, transition_form=form)


@login_required
@require_POST
def attachment_add(request: HttpRequest, number: str) -> HttpResponse:
    _require_desk(request)
    inquiry = _inquiry(request, number)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["attachment"]
        try:
            services.attachment_add(
                actor=request.user, inquiry=inquiry, filename=upload.name, content=upload.read()
            )
        except ApplicationError as error:
            form.add_error("attachment", error.message)
        else:
            messages.success(request, "Adjunto agregado.")
            return redirect("desk:detail", number=inquiry.number)
    return _detail_page(request, inquiry, status=400, attachment_form=form)


@login_required
def attachment_download(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    _require_desk(request)
    inquiry = _inquiry(request, number)
    attachment = InquiryAttachment.objects.filter(inquiry=inquiry, pk=pk).first()
    if attachment is None:
        raise Http404("Adjunto no encontrado")
    with attachment.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.original_name}"'
    return response


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    if not (is_head(request.user) or is_admin(request.user)):
        raise PermissionDenied
    return render(
        request,
        "desk/overdue.html",
        {"items": selectors.overdue_items(user=request.user), "today": business_date()},
    )


@login_required
def worker(request: HttpRequest) -> HttpResponse:
    """«¿Mi patrono está al día?»: find the employer, then answer and record the consulta."""
    _require_desk(request)
    term = request.GET.get("q", "").strip()[:100]
    found = selectors.find_employers(user=request.user, term=term) if term else []
    context: dict = {"term": term, "found": found, "searched": bool(term)}
    status = 200
    if request.method == "POST":
        form = WorkerInquiryForm(request.POST)
        if form.is_valid():
            employer = _visible_employer(request, form.cleaned_data["employer_number"])
            try:
                inquiry, answer = services.worker_inquiry_answer(
                    actor=request.user,
                    employer=employer,
                    requester_name=form.cleaned_data["requester_name"],
                    requester_document=form.cleaned_data["requester_document"],
                    channel=form.cleaned_data["channel"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                context.update(answer=answer, inquiry=inquiry)
        else:
            status = 400
            selected = request.POST.get("employer_number", "")
            context["selected"] = (
                employer_selectors.visible_employers(user=request.user)
                .filter(employer_number=selected)
                .first()
            )
        context["form"] = form
    else:
        selected_number = request.GET.get("patrono", "").strip()[:20]
        if selected_number:
            context["selected"] = _visible_employer(request, selected_number)
        context["form"] = WorkerInquiryForm(initial={"employer_number": selected_number})
    return render(request, "desk/worker.html", context, status=status)


def _may_issue_solvency(request: HttpRequest) -> bool:
    return has_role(request.user, *services.SOLVENCY_ROLES)


@login_required
@once_per_submission
def solvency(request: HttpRequest, employer_number: str) -> HttpResponse:
    """GET: the employer's standing today; POST: issue the certificate (or record the refusal)."""
    employer = _visible_employer(request, employer_number)
    if not _may_issue_solvency(request):
        raise PermissionDenied
    if request.method == "POST":
        try:
            solvency_request = services.solvency_issue(actor=request.user, employer=employer)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("desk:solvency", employer_number=employer_number)
        if solvency_request.issued:
            assert solvency_request.document is not None
            messages.success(
                request,
                f"Constancia de solvencia {solvency_request.document.number} emitida "
                f"({solvency_request.standing}), vigente hasta el {solvency_request.document.valid_until:%d/%m/%Y}.",
            )
        else:
            messages.error(request, f"Constancia denegada. {solvency_request.reason}")
        return redirect("desk:solvency", employer_number=employer_number)
    try:
        result = services.solvency_check(employer=employer)
        error = ""
    except ApplicationError as exc:
        result, error = None, exc.message
    return render(
        request,
        "desk/solvency.html",
        {
            "employer": employer,
            "result": result,
            "error": error,
            "requests": selectors.employer_solvency_requests(user=request.user, employer=employer),
        },
    )


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _require_desk(request)
    form = ReportForm(request.GET or None)
    today = business_date()
    start, end = date(today.year, 1, 1), today
    status = 200
    if form.is_bound:
        if form.is_valid():
            start = form.cleaned_data.get("start") or start
            end = form.cleaned_data.get("end") or end
        else:
            status = 400
    report = selectors.desk_report(user=request.user, start=start, end=end)
    if request.GET.get("formato") == "xlsx" and status == 200:
        from cobranza.desk.exports import report_xlsx

        response = HttpResponse(
            report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="atencion-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
        return response
    from cobranza.desk.exports import month_chart_svg

    return render(
        request,
        "desk/reports.html",
        {
            "form": form,
            "report": report,
            "chart": month_chart_svg(report["months"]),
            "xlsx_url": f"{reverse('desk:reports')}?{request.GET.urlencode()}&formato=xlsx".replace(
                "?&", "?"
            ),
        },
        status=status,
    )
