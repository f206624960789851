"""Pages of the judicial referral: the legal unit's work page (its home), the request from a case
file (criteria and checklist), a referral (decisions, steps, documents) and the reports.

Visibility is the selectors' (404 for what a user may not see); what a role may do is the
services' (403 for a role that may not do it at all, the service's Spanish message otherwise)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from cobranza.cases import selectors as case_selectors
from cobranza.cases.models import CaseFile
from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.submissions import once_per_submission
from cobranza.legal import criteria, selectors, services
from cobranza.legal.forms import RequestForm, ReturnForm, StepForm
from cobranza.legal.models import STEPS_ALLOWED, Referral, ReferralKind, ReferralState, StepKind


def _require_pages(request: HttpRequest) -> None:
    if not selectors.can_use_legal_pages(request.user):
        raise PermissionDenied("Solo la unidad jurídica y las jefaturas trabajan las remisiones.")


def _referral(request: HttpRequest, pk: int) -> Referral:
    try:
        return selectors.referral_detail(user=request.user, pk=pk)
    except Referral.DoesNotExist:
        raise Http404("Remisión no encontrada") from None


def _case(request: HttpRequest, pk: int) -> CaseFile:
    try:
        return case_selectors.case_detail(user=request.user, pk=pk)
    except CaseFile.DoesNotExist:
        raise Http404("Expediente no encontrado") from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The legal unit's work page (its home) and the heads' view of referrals."""
    _require_pages(request)
    user = request.user
    return render(
        request,
        "legal/index.html",
        {
            "pending": selectors.pending_approval(user=user),
            "received": selectors.received(user=user),
            "in_progress": selectors.in_progress(user=user),
            "finished": selectors.finished(user=user),
            "is_legal": services.is_legal(user),
            "is_head": services.can_approve(user),
            "today": business_date(),
        },
    )


def _kind_of(value: str) -> str:
    return value if value in ReferralKind.values else ReferralKind.ORDINARY


def _request_page(
    request: HttpRequest, case: CaseFile, form: RequestForm, *, status: int = 200
) -> HttpResponse:
    kind = _kind_of(form.data.get("kind", "") if form.is_bound else request.GET.get("tipo", ""))
    try:
        check = criteria.referral_check(case=case, as_of=business_date(), kind=kind)
    except ApplicationError as error:
        check = None
        form.add_error(None, error.message)
    return render(
        request,
        "legal/request.html",
        {
            "case": case,
            "employer": case.employer,
            "check": check,
            "form": form,
            "kind": kind,
            "kinds": ReferralKind.choices,
            "referrals": selectors.case_referrals(user=request.user, case=case),
        },
        status=status,
    )


@login_required
def request_referral(request: HttpRequest, case_pk: int) -> HttpResponse:
    """GET: the criteria, the checklist and the figures of the case; the form to request."""
    case = _case(request, case_pk)
    if not services.can_request(request.user):
        raise PermissionDenied("Solo el gestor de cobros del patrono o una jefatura solicitan remisiones.")
    if request.method == "POST":
        return _request_submit(request, case)
    return _request_page(request, case, RequestForm(initial={"kind": _kind_of(request.GET.get("tipo", ""))}))


@once_per_submission
def _request_submit(request: HttpRequest, case: CaseFile) -> HttpResponse:
    form = RequestForm(request.POST)
    if not form.is_valid():
        return _request_page(request, case, form, status=400)
    try:
        referral = services.referral_request(
            actor=request.user, case=case, kind=form.cleaned_data["kind"], note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _request_page(request, case, form, status=400)
    messages.success(
        request, f"Remisión {referral.code} solicitada: queda pendiente de aprobación de la jefatura."
    )
    return redirect("legal:detail", referral.pk)


def _detail_page(request: HttpRequest, referral: Referral, *, status: int = 200, **forms) -> HttpResponse:  # type: ignore[no-untyped-def]
    user = request.user
    is_legal = services.is_legal(user)
    can_decide = (
        referral.state == ReferralState.REQUESTED
        and services.can_approve(user)
        and referral.requested_by_id != user.pk
    )
    steps_allowed = STEPS_ALLOWED.get(referral.state, frozenset())
    step_form = forms.get("step_form") or StepForm(initial={"on": business_date().strftime("%d/%m/%Y")})
    step_form.fields["kind"].choices = [(k, label) for k, label in StepKind.choices if k in steps_allowed]
    return render(
        request,
        "legal/detail.html",
        {
            "referral": referral,
            "employer": referral.employer,
            "case": referral.case,
            "steps": selectors.referral_steps(referral=referral),
            "criteria": referral.criteria or {},
            "figures": (
                referral.certificate.figures
                if referral.certificate
                else (referral.criteria or {}).get("figures")
            ),
            "can_decide": can_decide,
            "own_request": referral.state == ReferralState.REQUESTED and referral.requested_by_id == user.pk,
            "can_receive": is_legal and referral.state == ReferralState.APPROVED,
            "can_step": is_legal and bool(steps_allowed),
            "can_package": (is_legal or services.can_approve(user)) and referral.certificate_id is not None,
            "return_form": forms.get("return_form") or ReturnForm(),
            "legal_return_form": forms.get("legal_return_form") or ReturnForm(),
            "step_form": step_form,
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _referral(request, pk))


def _act(request: HttpRequest, referral: Referral, action, success: str, **form_key):  # type: ignore[no-untyped-def]
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("legal:detail", referral.pk)
    messages.success(request, success)
    return redirect("legal:detail", referral.pk)


@login_required
@require_POST
@once_per_submission
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not services.can_approve(request.user):
        raise PermissionDenied("Solo una jefatura aprueba remisiones.")
    return _act(
        request,
        referral,
        lambda: services.referral_approve(actor=request.user, referral=referral),
        f"Remisión {referral.code} aprobada: el expediente pasó a «Remitido a cobro judicial» y se emitió la "
        "certificación de mora.",
    )


def _return(request: HttpRequest, referral: Referral, *, legal: bool) -> HttpResponse:
    form = ReturnForm(request.POST)
    key = "legal_return_form" if legal else "return_form"
    if not form.is_valid():
        return _detail_page(request, referral, status=400, **{key: form})
    try:
        if legal:
            services.referral_legal_return(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        else:
            services.referral_return(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _detail_page(request, referral, status=400, **{key: form})
    messages.success(request, f"Remisión {referral.code} devuelta con el motivo indicado.")
    return redirect("legal:detail", referral.pk)


@login_required
@require_POST
@once_per_submission
def return_referral(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not services.can_approve(request.user):
        raise PermissionDenied("Solo una jefatura devuelve solicitudes de remisión.")
    return _return(request, referral, legal=False)


@login_required
@require_POST
@once_per_submission
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not services.is_legal(request.user):
        raise PermissionDenied("Solo la unidad jurídica recibe remisiones.")
    return _act(
        request,
        referral,
        lambda: services.referral_accept(actor=request.user, referral=referral),
        f"Remisión {referral.code} aceptada por la unidad jurídica.",
    )


@login_required
@require_POST
@once_per_submission
def legal_return(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not services.is_legal(request.user):
        raise PermissionDenied("Solo la unidad jurídica devuelve remisiones recibidas.")
    return _return(request, referral, legal=True)


@login_required
@require_POST
@once_per_submission
def step(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not services.is_legal(request.user):
        raise PermissionDenied("Solo la unidad jurídica registra el avance de las remisiones.")
    form = StepForm(request.POST, request.FILES)
    form.fields["kind"].choices = StepKind.choices
    if not form.is_valid():
        return _detail_page(request, referral, status=400, step_form=form)
    data = form.cleaned_data
    upload = data.get("file")
    try:
        services.referral_step_record(
            actor=request.user,
            referral=referral,
            kind=data["kind"],
            on=data["on"],
            notes=data["notes"],
            court=data["court"],
            court_case_number=data["court_case_number"],
            amount=data["amount"],
            outcome=data["outcome"],
            next_step=data["next_step"],
            next_step_on=data["next_step_on"],
            file_content=upload.read() if upload else None,
            file_name=upload.name if upload else "",
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _detail_page(request, referral, status=400, step_form=form)
    messages.success(
        request, f"Paso «{dict(StepKind.choices)[data['kind']]}» registrado en la remisión {referral.code}."
    )
    return redirect("legal:detail", referral.pk)


@login_required
@require_POST
@once_per_submission
def package(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not (services.is_legal(request.user) or services.can_approve(request.user)):
        raise PermissionDenied("Solo la unidad jurídica o una jefatura generan el paquete de remisión.")
    return _act(
        request,
        referral,
        lambda: services.referral_package_build(actor=request.user, referral=referral),
        f"Paquete de la remisión {referral.code} generado de nuevo con los documentos actuales del expediente.",
    )


# ------------------------------------------------------------------------------------------ reports
def _report_range(request: HttpRequest) -> tuple[date, date, str]:
    today = business_date()
    default_from = date(today.year - 1, today.month, 1)
    error = ""
    try:
        date_from = (
            parse_user_date(request.GET["desde"], field="fecha desde")
            if request.GET.get("desde")
            else default_from
        )
        date_to = (
            parse_user_date(request.GET["hasta"], field="fecha hasta") if request.GET.get("hasta") else today
        )
    except ApplicationError as exc:
        return default_from, today, exc.message
    if date_from > date_to:
        return (
            default_from,
            today,
            "La fecha «desde» es posterior a la fecha «hasta»: se muestran los últimos 12 meses.",
        )
    if (date_to - date_from).days > 5 * 366:
        return (
            default_from,
            today,
            "El informe admite rangos de hasta 5 años: se muestran los últimos 12 meses.",
        )
    return date_from, date_to, error


def _report_context(request: HttpRequest) -> dict:
    from cobranza.legal.reports import report_chart

    _require_pages(request)
    date_from, date_to, error = _report_range(request)
    report = selectors.referral_report(user=request.user, date_from=date_from, date_to=date_to)
    return {"report": report, "error": error, "chart": report_chart(report), "query": request.GET.urlencode()}


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/reports.html", _report_context(request))


@login_required
def reports_xlsx(request: HttpRequest) -> HttpResponse:
    from cobranza.legal.reports import report_workbook

    context = _report_context(request)
    report = context["report"]
    response = HttpResponse(
        report_workbook(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="remisiones-judiciales-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.xlsx"'
    )
    return response


@login_required
def reports_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML

    from cobranza.legal.reports import report_chart

    context = _report_context(request)
    context["chart"] = report_chart(context["report"], fixed=True)
    html = render_to_string("legal/reports_pdf.html", context, request=request)
    report = context["report"]
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="remisiones-judiciales-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.pdf"'
    )
    return response
