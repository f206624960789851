"""Pages of the publication list: history, candidates, a list (notices, replies, approval,
regularizations), its exports (PDF and CSV for the media, the letters' batch) and the report.

Who may open what: the selectors (a list the user may not see is a 404); a role without access is
403; a refused operation comes back as the service's Spanish message."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Branch
from cobranza.employers.submissions import once_per_submission
from cobranza.publications import selectors, services
from cobranza.publications.forms import CancelForm, ReplyForm
from cobranza.publications.models import ListState, PublicationEntry, PublicationList


def _require_read(request: HttpRequest) -> None:
    if not selectors.can_read(request.user):
        raise PermissionDenied("No tiene acceso a las listas de publicación.")


def _require_candidates(request: HttpRequest) -> None:
    if not selectors.can_see_candidates(request.user):
        raise PermissionDenied("Solo las jefaturas ven los candidatos y los reportes de publicación.")


def _visible(request: HttpRequest, pk: int) -> PublicationList:
    _require_read(request)
    try:
        return selectors.list_detail(user=request.user, pk=pk)
    except PublicationList.DoesNotExist:
        raise Http404("Lista no encontrada") from None


def _date_param(request: HttpRequest, name: str, default: date) -> tuple[date, str]:
    text = request.GET.get(name, "").strip()
    if not text:
        return default, ""
    try:
        return parse_user_date(text, field="fecha de corte"), ""
    except ApplicationError as error:
        return default, error.message


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    return render(
        request,
        "publications/index.html",
        {
            "lists": selectors.list_index(user=request.user),
            "can_prepare": selectors.can_prepare(request.user),
            "can_candidates": selectors.can_see_candidates(request.user),
        },
    )


def _branches(request: HttpRequest) -> tuple[list[Branch], bool]:
    everything, branch_id = selectors._branch_scope(request.user)
    if everything:
        return list(Branch.objects.order_by("name")), True
    return list(Branch.objects.filter(pk=branch_id)), False


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    _require_candidates(request)
    today = business_date()
    as_of, error = _date_param(request, "fecha", today)
    if as_of > today:
        as_of, error = (
            today,
            f"Fecha de corte: {request.GET.get('fecha')} es futura; se muestran los candidatos de hoy.",
        )
    branches, choose = _branches(request)
    branch_id = None
    if choose:
        try:
            branch_id = int(request.GET.get("sucursal") or 0) or None
        except ValueError:
            branch_id = None
        if branch_id and branch_id not in {b.pk for b in branches}:
            branch_id = None
    try:
        criteria = selectors.criteria_at(as_of)
        rows = selectors.candidates(user=request.user, as_of=as_of, branch_id=branch_id, criteria=criteria)
    except ApplicationError as exc:
        criteria, rows, error = None, [], exc.message
    return render(
        request,
        "publications/candidates.html",
        {
            "rows": rows,
            "criteria": criteria,
            "as_of": as_of,
            "is_today": as_of == today,
            "error": error,
            "branches": branches,
            "choose_branch": choose,
            "branch_id": branch_id,
            "can_prepare": selectors.can_prepare(request.user),
            "total": sum((r.overdue for r in rows), 0),
        },
    )


@login_required
@require_POST
@once_per_submission
def prepare(request: HttpRequest) -> HttpResponse:
    _require_candidates(request)
    if not selectors.can_prepare(request.user):
        raise PermissionDenied("Solo las jefaturas preparan listas de publicación.")
    try:
        branch_id = int(request.POST.get("sucursal") or 0) or None
    except ValueError:
        branch_id = None
    try:
        publication = services.publication_prepare(
            actor=request.user,
            employer_numbers=request.POST.getlist("patrono"),
            branch_id=branch_id,
            note=request.POST.get("nota", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("publications:candidates")
    messages.success(
        request,
        f"Lista preparada con {publication.entries.count()} patronos. Revise la selección y genere los avisos previos.",
    )
    return redirect("publications:detail", pk=publication.pk)


def _detail_page(
    request: HttpRequest, publication: PublicationList, *, status: int = 200, form_errors: dict | None = None
) -> HttpResponse:  # type: ignore[type-arg]
    entries = selectors.list_entries(publication)
    today = business_date()
    can_act = selectors.can_prepare(request.user)
    forms_by_entry = {e.pk: ReplyForm(prefix=f"r{e.pk}") for e in entries}
    for pk, form in (form_errors or {}).items():
        forms_by_entry[pk] = form
    for e in entries:
        e.form = forms_by_entry[e.pk]  # type: ignore[attr-defined]
    published = [e for e in entries if e.published]
    return render(
        request,
        "publications/detail.html",
        {
            "publication": publication,
            "entries": entries,
            "published": published,
            "published_total": sum((e.published_overdue or 0 for e in published), 0),
            "regularized": sum(1 for e in published if e.regularized_on),
            "today": today,
            "can_act": can_act,
            "is_preparer": publication.prepared_by_id == request.user.pk,
            "window_open": bool(publication.reply_deadline and today <= publication.reply_deadline),
            "cancel_form": CancelForm(),
            "states": ListState,
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _visible(request, pk))


def _act(request: HttpRequest, pk: int) -> PublicationList:
    publication = _visible(request, pk)
    if not selectors.can_prepare(request.user):
        raise PermissionDenied("Solo las jefaturas trabajan las listas de publicación.")
    return publication


@login_required
@require_POST
@once_per_submission
def notify(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _act(request, pk)
    try:
        result = services.publication_notify(actor=request.user, publication=publication)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("publications:detail", pk=pk)
    messages.success(
        request,
        f"{result.letters} avisos previos emitidos; plazo de respuesta hasta el "
        f"{result.publication.reply_deadline:%d/%m/%Y}. Descargue el lote para enviarlos.",
    )
    return redirect("publications:detail", pk=pk)


@login_required
def notices_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _visible(request, pk)
    if not publication.notices_file:
        raise Http404("La lista no tiene avisos emitidos")
    with publication.notices_file.open("rb") as fh:
        content = fh.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="avisos-previos-lista-{publication.pk}.pdf"'
    return response


@login_required
@require_POST
def reply(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    publication = _act(request, pk)
    try:
        entry = publication.entries.select_related("employer").get(pk=entry_pk)
    except PublicationEntry.DoesNotExist:
        raise Http404("Patrono no encontrado en la lista") from None
    form = ReplyForm(request.POST, prefix=f"r{entry.pk}")
    if not form.is_valid():
        return _detail_page(request, publication, status=400, form_errors={entry.pk: form})
    try:
        services.publication_reply_record(
            actor=request.user,
            entry=entry,
            reply=form.cleaned_data["reply"],
            reply_on=form.cleaned_data["reply_on"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _detail_page(request, publication, status=400, form_errors={entry.pk: form})
    messages.success(request, f"Respuesta de {entry.employer.legal_name} registrada.")
    return redirect("publications:detail", pk=pk)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _act(request, pk)
    try:
        publication = services.publication_approve(actor=request.user, publication=publication)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("publications:detail", pk=pk)
    messages.success(
        request, f"{publication.title} aprobada y congelada al {publication.frozen_on:%d/%m/%Y}."
    )
    return redirect("publications:detail", pk=pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _act(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Motivo de anulación: escriba por qué se anula la lista.")
        return redirect("publications:detail", pk=pk)
    try:
        services.publication_cancel(
            actor=request.user, publication=publication, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("publications:detail", pk=pk)
    messages.success(request, "Lista anulada.")
    return redirect("publications:detail", pk=pk)


@login_required
@require_POST
def regularizations(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    if not selectors.can_prepare(request.user):
        raise PermissionDenied("Solo las jefaturas revisan las regularizaciones.")
    result = services.publication_regularizations_check(actor=request.user)
    messages.success(request, result.summary)
    back = request.POST.get("lista", "")
    if back.isdigit():
        return redirect("publications:detail", pk=int(back))
    return redirect("publications:index")


def _frozen(request: HttpRequest, pk: int) -> PublicationList:
    publication = _visible(request, pk)
    if publication.state != ListState.FROZEN:
        raise Http404("La lista todavía no está aprobada")
    return publication


@login_required
def list_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from cobranza.publications.documents import list_pdf as render_pdf

    publication = _frozen(request, pk)
    pdf = render_pdf(publication=publication, rows=selectors.published_entries(publication))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lista-{publication.number}.pdf"'
    return response


def _csv_cell(value: str) -> str:
    """Text that a spreadsheet would read as a formula is written as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
def list_csv(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _frozen(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["lista", "fecha", "numero_patronal", "patrono", "meses_en_mora", "monto_adeudado"])
    for e in selectors.published_entries(publication):
        writer.writerow(
            [
                publication.number,
                publication.frozen_on.isoformat() if publication.frozen_on else "",
                e.employer.employer_number,
                _csv_cell(e.employer.legal_name),
                e.published_months,
                f"{e.published_overdue:.2f}",
            ]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lista-{publication.number}.csv"'
    return response


# ---------------------------------------------------------------------------------------- reports
def _report(request: HttpRequest) -> tuple[selectors.PublicationReport, str]:
    _require_candidates(request)
    today = business_date()
    date_to, e1 = _date_param(request, "hasta", today)
    date_from, e2 = _date_param(request, "desde", date(date_to.year - 3, 1, 1))
    error = e1 or e2
    if date_from > date_to:
        error = "El rango de fechas está invertido: «desde» es posterior a «hasta»."
        date_from, date_to = date(today.year - 3, 1, 1), today
    return selectors.publication_report(user=request.user, date_from=date_from, date_to=date_to), error


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    report, error = _report(request)
    return render(
        request,
        "publications/reports.html",
        {"report": report, "error": error, "chart": report.chart(), "query": request.GET.urlencode()},
    )


@login_required
def reports_excel(request: HttpRequest) -> HttpResponse:
    from cobranza.publications.exports import report_workbook

    report, _ = _report(request)
    response = HttpResponse(
        report_workbook(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="reporte-publicaciones.xlsx"'
    return response


@login_required
def reports_pdf(request: HttpRequest) -> HttpResponse:
    from cobranza.publications.documents import report_pdf
    from cobranza.publications.exports import report_chart

    report, _ = _report(request)
    pdf = report_pdf(report=report, chart=report_chart(report, fixed=True))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="reporte-publicaciones.pdf"'
    return response
