"""The head's results report: on screen with a chart, as Excel and as PDF."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from cobranza.cases.reports import ResultsReport, check_report_range, results_report
from cobranza.cases.views import is_head
from cobranza.common import roles
from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.common.spreadsheets import workbook_bytes
from cobranza.employers.models import Branch
from cobranza.portfolio.selectors import branch_of


def _report(request: HttpRequest) -> tuple[ResultsReport, dict]:
    if not is_head(request.user):
        raise PermissionDenied
    today = business_date()
    error = ""
    try:
        date_from = (
            parse_user_date(request.GET["desde"], field="fecha inicial")
            if request.GET.get("desde")
            else date(today.year, 1, 1)
        )
        date_to = (
            parse_user_date(request.GET["hasta"], field="fecha final") if request.GET.get("hasta") else today
        )
        check_report_range(date_from, date_to)
    except ApplicationError as exc:
        error = exc.message
        date_from, date_to = date(today.year, 1, 1), today
    branch_raw = request.GET.get("sucursal", "")
    branch_id = int(branch_raw) if branch_raw.isdigit() else None
    if roles.has_role(request.user, roles.Role.BRANCH_HEAD) and not roles.sees_all_employers(request.user):
        branch_id = branch_of(request.user)
        branches = Branch.objects.filter(pk=branch_id)
    else:
        branches = Branch.objects.order_by("name")
    report = results_report(user=request.user, date_from=date_from, date_to=date_to, branch_id=branch_id)
    branch = next((b for b in branches if b.pk == branch_id), None)
    return report, {
        "report": report,
        "error": error,
        "branches": branches,
        "branch_id": branch_id,
        "branch": branch,
    }


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    report, context = _report(request)
    chart = {
        "labels": report.collectors,
        "recovered": [str(total) for _, _, total in report.recovered_rows()],
        "kept": [kept for _, kept, _, _, _ in report.promise_rows()],
        "broken": [broken for _, _, broken, _, _ in report.promise_rows()],
    }
    return render(request, "cases/report.html", {**context, "chart": chart, "query": request.GET.urlencode()})


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    report, context = _report(request)
    wb = Workbook()
    bold = Font(bold=True)
    money = '"$"#,##0.00'

    def sheet(ws, title: str, header: list[str], rows: list[list]) -> None:  # type: ignore[no-untyped-def]
        ws.title = title
        ws.append([f"Informe de resultados del {report.date_from:%d/%m/%Y} al {report.date_to:%d/%m/%Y}"])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([])
        ws.append(header)
        for cell in ws[3]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        ws.column_dimensions["A"].width = 22

    sheet(
        wb.active,
        "Expedientes",
        ["Gestor", *[label for _, label in report.states], "Total"],
        [[c, *counts, total] for c, counts, total in report.case_rows()],
    )
    sheet(
        wb.create_sheet(),
        "Gestiones",
        ["Gestor", *report.outcomes, "Total"],
        [[c, *counts, total] for c, counts, total in report.action_rows()],
    )
    sheet(
        wb.create_sheet(),
        "Promesas",
        ["Gestor", "Cumplidas", "Incumplidas", "Pendientes", "Cumplimiento"],
        [list(r) for r in report.promise_rows()],
    )
    ws = wb.create_sheet()
    sheet(
        ws,
        "Recuperado",
        ["Gestor", *[f"{m[5:]}/{m[:4]}" for m in report.months], "Total"],
        [[c, *amounts, total] for c, amounts, total in report.recovered_rows()],
    )
    for row in ws.iter_rows(min_row=4, min_col=2):
        for cell in row:
            cell.number_format = money
    ws = wb.create_sheet()
    sheet(
        ws,
        "Cartera",
        ["Gestor", "Patronos con saldo", "En mora", "Saldo exigible", "Saldo corriente (no vencido)"],
        [
            [r.collector, r.employers, r.in_arrears, r.overdue, r.current]
            for r in [*report.portfolio, report.portfolio_total]
        ],
    )
    for row in ws.iter_rows(min_row=4, min_col=4):
        for cell in row:
            cell.number_format = money
    if report.balances_as_of:
        ws.append([f"Saldos calculados al {report.balances_as_of:%d/%m/%Y}"])
    response = HttpResponse(
        workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="informe-resultados-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.xlsx"'
    )
    return response


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    from cobranza.common.pdf import html_to_pdf  # WeasyPrint is loaded only when a PDF is made

    report, context = _report(request)
    top = max((total for _, _, total in report.recovered_rows()), default=0) or 1
    bars = [(c, total, int(100 * total / top)) for c, _, total in report.recovered_rows()]
    html = render_to_string(
        "cases/report_pdf.html",
        {
            **context,
            "bars": bars,
            "generated_at": timezone.localtime(),
            "issued_by": request.user.get_full_name() or request.user.username,
        },
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="informe-resultados-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.pdf"'
    )
    return response
