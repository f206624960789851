"""Pages of payment agreements: options and drafting for an employer, the agreement (approval,
down payment, schedule, PDF), the follow-up check, the call center's list, and the reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cobranza.agreements import documents, selectors, services
from cobranza.agreements.forms import (
    CallForm,
    CallImportForm,
    CancelForm,
    CheckForm,
    DownPaymentForm,
    DraftForm,
    OptionForm,
    RestructureForm,
)
from cobranza.agreements.models import Agreement, AgreementState
from cobranza.common import roles
from cobranza.common import selectors as audit_selectors
from cobranza.common.audit_display import describe_events
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers import selectors as employer_selectors
from cobranza.employers.models import Employer
from cobranza.employers.submissions import once_per_submission
from cobranza.engine.agreements import AgreementOptionError, build_schedule
from cobranza.engine.calendar import add_months
from cobranza.engine.money import cents_to_decimal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _employer(request: HttpRequest, employer_number: str) -> Employer:
    try:
        return employer_selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None


def _agreement(request: HttpRequest, pk: int) -> Agreement:
    try:
        return selectors.agreement_detail(user=request.user, pk=pk)
    except Agreement.DoesNotExist:
        raise Http404("Convenio no encontrado") from None


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "Datos inválidos."


# ------------------------------------------------------------------------------------ list
@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(
    request: HttpRequest, *, status: int = 200, check_form: CheckForm | None = None
) -> HttpResponse:
    state = request.GET.get("estado", "")
    qs = selectors.visible_agreements(user=request.user).order_by("-created_at", "-id")
    if state in AgreementState.values:
        qs = qs.filter(state=state)
    context = {
        "agreements": list(qs[:300]),
        "state": state,
        "states": AgreementState.choices,
        "pending": list(selectors.pending_approval(user=request.user)),
        "can_check": services.can_run_check(request.user),
        "check_form": check_form or CheckForm(),
    }
    return render(request, "agreements/list.html", context, status=status)


# ------------------------------------------------------------------------------------ options and draft
@login_required
def employer_options(request: HttpRequest, employer_number: str) -> HttpResponse:
    """Options for today or any date; a typed option validated against the policy with its schedule."""
    employer = _employer(request, employer_number)
    if not selectors.can_view_agreements(request.user):
        raise PermissionDenied
    form = OptionForm(request.GET or None)
    today = business_date()
    as_of, start = today, None
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data.get("as_of") or today
        start = form.cleaned_data.get("start")
    # A date typed wrong or out of range is said at the top, whether or not there is debt to show.
    date_errors = [
        str(form.errors[name][0]) for name in ("as_of", "start") if form.is_bound and name in form.errors
    ]
    error = f"{date_errors[0]} Se muestran las opciones de hoy." if date_errors else ""
    if as_of > today:
        error = f"La fecha de cálculo {as_of:%d/%m/%Y} es futura: se muestran las opciones de hoy."
        as_of = today
    start = start or add_months(as_of, 1)
    if start <= as_of:
        error = "La primera cuota debe vencer después de la fecha de cálculo: se usa un mes después."
        start = add_months(as_of, 1)
    try:
        opts = selectors.employer_options(employer=employer, as_of=as_of, start=start)
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    simulation = None
    sim_error = ""
    typed = form.is_bound and form.is_valid() and form.cleaned_data.get("down_payment") is not None
    if form.is_bound and not form.is_valid():
        sim_error = "" if date_errors else _first_error(form)
    elif typed:
        try:
            simulation = build_schedule(
                debt_cents=opts.debt_cents,
                down_payment_cents=form.cleaned_data["down_payment"],
                installments=form.cleaned_data["installments"],
                start=start,
                policy=opts.policy,
                worker_share_cents=opts.worker_share_cents,
            )
        except AgreementOptionError as exc:
            sim_error = str(exc)
            # Said in the form's error summary, like any other refusal of what was typed (issue 16).
            form.add_error(None, sim_error)
    context = {
        "employer": employer,
        "opts": opts,
        "form": form,
        "error": error,
        "simulation": simulation,
        "sim_error": sim_error,
        # Drafts are dated today (no back-dating): options of another date are only a simulation.
        "can_draft": services.can_draft(request.user) and as_of == today,
        "agreements": selectors.employer_agreements(user=request.user, employer=employer),
    }
    return render(request, "agreements/options.html", context)


@login_required
@require_POST
@once_per_submission
def agreement_draft(request: HttpRequest, employer_number: str) -> HttpResponse:
    employer = _employer(request, employer_number)
    if not services.can_draft(request.user):
        raise PermissionDenied
    form = DraftForm(request.POST)
    back = reverse("agreements:options", args=[employer.employer_number])
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(back)
    data = form.cleaned_data
    try:
        agreement = services.agreement_draft(
            actor=request.user,
            employer=employer,
            down_payment=_cents_text(data["down_payment"]),
            installments=data["installments"],
            start=data["start"],
            as_of=data["as_of"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{back}?as_of={data['as_of']:%Y-%m-%d}&start={data['start']:%Y-%m-%d}")
    messages.success(
        request,
        f"Convenio {agreement.number} elaborado: queda en borrador hasta que una jefatura lo apruebe.",
    )
    return redirect("agreements:detail", pk=agreement.pk)


def _cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# ------------------------------------------------------------------------------------ the agreement
@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _agreement(request, pk))


def _detail_page(
    request: HttpRequest, agreement: Agreement, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The agreement's page; a form sent with errors comes back bound (`forms`), with status 400, so
    each message shows beside its field and the error summary takes the focus (issue 16)."""
    user = request.user
    payments = (
        [p for p in selectors.candidate_down_payments(agreement) if p.paid_on < agreement.start]
        if agreement.state == AgreementState.APPROVED
        else []
    )
    is_drafter = agreement.drafted_by_id == user.pk
    context = {
        "agreement": agreement,
        "employer": agreement.employer,
        "installments": list(agreement.installments.all()),
        "calls": list(agreement.calls.all()),
        "can_approve": agreement.state == AgreementState.DRAFT
        and services.can_approve(user)
        and not is_drafter,
        "drafter_cannot_approve": agreement.state == AgreementState.DRAFT
        and services.can_approve(user)
        and is_drafter,
        "can_cancel": agreement.state in (AgreementState.DRAFT, AgreementState.APPROVED)
        and (is_drafter or services.can_approve(user)),
        "can_register": agreement.state == AgreementState.APPROVED and services.can_draft(user),
        "can_check": agreement.state == AgreementState.ACTIVE and services.can_run_check(user),
        "can_call": agreement.state in (AgreementState.ACTIVE, AgreementState.LAPSED)
        and services.can_record_call(user),
        "down_payment_form": forms.get("down_payment_form") or DownPaymentForm(payments=payments),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "can_restructure": agreement.state in (AgreementState.ACTIVE, AgreementState.LAPSED)
        and services.can_approve(user),
        "restructure_form": forms.get("restructure_form") or RestructureForm(),
        "restructured_into": Agreement.objects.filter(restructured_from=agreement).first(),
        "check_form": forms.get("check_form") or CheckForm(),
        "call_form": forms.get("call_form") or CallForm(initial={"called_on": business_date()}),
        "paid_total": sum(i.paid_amount for i in agreement.installments.all()),
        **_agreement_audit_context(user, agreement),
    }
    return render(request, "agreements/detail.html", context, status=status)


def _agreement_audit_context(user: Any, agreement: Agreement) -> dict[str, Any]:
    """The agreement's history as sentences (heads and administrators): its own events, its calls'
    and its ledger terms' (common.audit_display)."""
    if not roles.can_read_audit(user):
        return {"audit_views": None}
    from cobranza.ledger.models import AgreementTerms

    refs = [("agreements.agreement", agreement.pk)]
    refs += [("agreements.callrecord", pk) for pk in agreement.calls.values_list("pk", flat=True)]
    refs += [
        ("ledger.agreementterms", pk)
        for pk in AgreementTerms.objects.filter(number=agreement.number).values_list("pk", flat=True)
    ]
    events = audit_selectors.object_events(user=user, refs=refs)
    return {"audit_views": describe_events(events), "show_technical": roles.is_admin(user)}


def _post_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    agreement = _agreement(request, pk)
    try:
        action(agreement)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success.format(number=agreement.number))
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda a: services.agreement_approve(actor=request.user, agreement=a),
        "Convenio {number} aprobado: se activa al recibir la prima.",
    )


@login_required
@require_POST
def agreement_restructure(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    form = RestructureForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, agreement, status=400, restructure_form=form)
    try:
        new = services.agreement_restructure(
            actor=request.user,
            agreement=agreement,
            down_payment=form.cleaned_data["down_payment"],
            installments=form.cleaned_data["installments"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("agreements:detail", pk=agreement.pk)
    messages.success(
        request,
        f"Convenio {agreement.number} reestructurado: su saldo pasa al borrador {new.number}, que otra jefatura "
        f"debe aprobar.",
    )
    return redirect("agreements:detail", pk=new.pk)


@login_required
@require_POST
def agreement_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, _agreement(request, pk), status=400, cancel_form=form)
    reason = form.cleaned_data["reason"]
    return _post_action(
        request,
        pk,
        lambda a: services.agreement_cancel(actor=request.user, agreement=a, reason=reason),
        "Convenio {number} anulado.",
    )


@login_required
@require_POST
def agreement_down_payment(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    payments = list(
        agreement.employer.payments.filter(paid_on__gt=agreement.as_of).order_by("paid_on", "payment_id")
    )
    form = DownPaymentForm(request.POST, payments=payments)
    if not form.is_valid():
        return _detail_page(request, agreement, status=400, down_payment_form=form)
    payment = form.payments[form.cleaned_data["payment"]]
    return _post_action(
        request,
        pk,
        lambda a: services.agreement_register_down_payment(actor=request.user, agreement=a, payment=payment),
        f"Prima registrada con el pago {payment.payment_id}: el convenio {{number}} está vigente y sus períodos "
        f"quedan congelados desde el {payment.paid_on:%d/%m/%Y}.",
    )


@login_required
@require_POST
def agreement_check(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, agreement, status=400, check_form=form)
    as_of = form.as_of_or(business_date())
    try:
        result = services.agreements_check(actor=request.user, as_of=as_of, agreements=[agreement])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, result.summary())
    return redirect("agreements:detail", pk=pk)


@login_required
@require_POST
def agreements_check_all(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST)
    if not services.can_run_check(request.user):
        raise PermissionDenied
    if not form.is_valid():
        return _list_page(request, status=400, check_form=form)
    try:
        result = services.agreements_check(actor=request.user, as_of=form.as_of_or(business_date()))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, result.summary())
    return redirect("agreements:list")


@login_required
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    response = HttpResponse(documents.agreement_pdf(agreement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="convenio-{agreement.number}.pdf"'
    return response


@login_required
@require_POST
@once_per_submission
def agreement_call(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    form = CallForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, agreement, status=400, call_form=form)
    data = form.cleaned_data
    amount = data.get("promised_amount")
    return _post_action(
        request,
        pk,
        lambda a: services.call_record(
            actor=request.user,
            agreement=agreement,
            called_on=data["called_on"],
            outcome=data["outcome"],
            notes=data.get("notes", ""),
            promised_amount=None if amount is None else cents_to_decimal(amount),
            promised_on=data.get("promised_on"),
        ),
        "Llamada registrada en el convenio {number}.",
    )


# ------------------------------------------------------------------------------------ call center
def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    return _call_list_page(request)


def _call_list_page(
    request: HttpRequest, *, status: int = 200, import_form: CallImportForm | None = None
) -> HttpResponse:
    _require(selectors.can_see_call_list(request.user))
    today = business_date()
    rows = selectors.defaulted_agreements(user=request.user, as_of=today)
    if request.GET.get("formato") == "xlsx":
        response = HttpResponse(documents.call_list_xlsx(rows, as_of=today), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="convenios-en-mora-{today:%Y%m%d}.xlsx"'
        return response
    from cobranza.cases.selectors import broken_promises

    return render(
        request,
        "agreements/call_list.html",
        {
            "rows": rows,
            "as_of": today,
            "import_form": import_form or CallImportForm(),
            "can_import": selectors.can_import_calls(request.user),
            "own_portfolio": selectors.sees_own_portfolio_only(request.user),
            "broken_promises": broken_promises(user=request.user),
        },
        status=status,
    )


@login_required
@require_POST
def call_import(request: HttpRequest) -> HttpResponse:
    """Re-import the call list with outcomes: all rows are checked first; any problem saves nothing."""
    _require(selectors.can_import_calls(request.user))
    form = CallImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _call_list_page(request, status=400, import_form=form)
    try:
        parsed = documents.read_call_outcomes(form.cleaned_data["file"].read())
        visible = {a.number: a for a in selectors.visible_agreements(user=request.user)}
        for row in parsed.rows:
            if row.agreement_number not in visible:
                parsed.problems.append(
                    {
                        "fila": row.row,
                        "columna": "Convenio",
                        "valor": row.agreement_number,
                        "motivo": "convenio desconocido",
                    }
                )
        if parsed.problems:
            raise ApplicationError(
                "El archivo tiene errores; no se registró ninguna llamada.", details=parsed.problems
            )
        with transaction.atomic():
            for row in parsed.rows:
                services.call_record(
                    actor=request.user,
                    agreement=visible[row.agreement_number],
                    called_on=row.called_on,
                    outcome=row.outcome,
                    notes=row.notes,
                    promised_amount=row.promised_amount,
                    promised_on=row.promised_on,
                )
    except ApplicationError as exc:
        problems = "; ".join(
            f"fila {p['fila']}, {p['columna']} «{p['valor']}»: {p['motivo']}" for p in exc.details[:20]
        )
        messages.error(request, f"{exc.message} {problems}".strip())
        return redirect("agreements:call_list")
    messages.success(request, f"{len(parsed.rows)} llamada(s) registrada(s).")
    return redirect("agreements:call_list")


# ------------------------------------------------------------------------------------ reports
@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_see_reports(request.user))
    today = business_date()
    report = selectors.agreements_report(user=request.user, as_of=today)
    fmt = request.GET.get("formato", "")
    if fmt == "xlsx":
        response = HttpResponse(documents.reports_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="reporte-convenios-{today:%Y%m%d}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(documents.reports_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="reporte-convenios-{today:%Y%m%d}.pdf"'
        return response
    return render(
        request,
        "agreements/reports.html",
        {**report, "own_portfolio": selectors.sees_own_portfolio_only(request.user)},
    )
