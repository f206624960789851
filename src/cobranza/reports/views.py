"""«Mis resultados» (a collector) and «Metas y resultados» (heads): on screen with SVG charts, and
the dashboard as Excel and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cobranza.common import roles
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.spreadsheets import workbook_bytes
from cobranza.engine.money import fmt_usd
from cobranza.reports import charts, selectors, services


def _month(request: HttpRequest) -> tuple:  # (month, error)
    try:
        return selectors.parse_month(request.GET.get("mes"), default=business_date()), ""
    except ApplicationError as exc:
        return business_date().replace(day=1), exc.message


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    if not roles.has_role(request.user, roles.Role.COLLECTOR):
        raise PermissionDenied
    month, error = _month(request)
    results = selectors.my_results(user=request.user, month=month)
    chart = charts.trend_bars(
        [(p.label, p.recovered_cents, p.goal_cents) for p in results.trend],
        title=f"Monto recuperado por mes, últimos 12 meses hasta {results.month_label}",
    )
    return render(
        request,
        "reports/my_results.html",
        {
            "results": results,
            "chart": chart,
            "error": error,
            "month_value": f"{month:%m/%Y}",
            "prev": f"{selectors.add_months(month, -1):%m/%Y}",
            "next": f"{selectors.add_months(month, 1):%m/%Y}",
            "total": fmt_usd(results.total_cents),
        },
    )


def _dashboard(request: HttpRequest):  # type: ignore[no-untyped-def]
    if not roles.is_head(request.user):
        raise PermissionDenied
    month, error = _month(request)
    return selectors.goals_dashboard(user=request.user, month=month), error


def _dashboard_chart(board: selectors.Dashboard, *, fixed: bool = False) -> str:
    return charts.goal_bars(
        [(r.name, r.actual.recovered_cents, r.goal_cents if r.goal else None) for r in board.collectors],
        title=f"Monto recuperado por gestor frente a su meta, {board.month_label}",
        fixed=fixed,
    )


@login_required
def goals_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _goals_save(request)
    board, error = _dashboard(request)
    month = board.month
    return render(
        request,
        "reports/goals.html",
        {
            "board": board,
            "chart": _dashboard_chart(board),
            "error": error,
            "month_value": f"{month:%m/%Y}",
            "prev": f"{selectors.add_months(month, -1):%m/%Y}",
            "next": f"{selectors.add_months(month, 1):%m/%Y}",
            "total": fmt_usd(board.total.recovered_cents),
        },
    )


def _goals_save(request: HttpRequest) -> HttpResponse:
    if not services.can_set_goals(request.user):
        raise PermissionDenied
    try:
        month = selectors.parse_month(request.POST.get("mes"), default=business_date())
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("reports:goals"))
    board = selectors.goals_dashboard(user=request.user, month=month)
    saved = 0
    try:
        with transaction.atomic():
            for row in [*board.collectors, *board.branches]:
                fields = [
                    request.POST.get(f"{row.key}-{name}") for name in ("recuperado", "convenios", "contactos")
                ]
                if all(v is None for v in fields):
                    continue
                if row.goal is None and all(not (v or "").strip() for v in fields):
                    continue
                services.goal_set(
                    actor=request.user,
                    month=month,
                    collector=row.obj if row.kind == "collector" else None,  # type: ignore[arg-type]
                    branch=row.obj if row.kind == "branch" else None,  # type: ignore[arg-type]
                    recovered=fields[0],
                    agreements=fields[1],
                    contacts=fields[2],
                )
                saved += 1
    except ApplicationError as exc:
        messages.error(request, f"No se guardó ninguna meta. {exc.message}")
    else:
        messages.success(request, f"Metas de {board.month_label} guardadas ({saved}).")
    return redirect(f"{reverse('reports:goals')}?mes={month:%m/%Y}")


def _rows_for_export(board: selectors.Dashboard) -> list[tuple[str, str, selectors.GoalRow]]:
    return [("Gestor", r.name, r) for r in board.collectors] + [
        ("Sucursal", r.name, r) for r in board.branches
    ]


@login_required
def goals_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    board, _ = _dashboard(request)
    wb = Workbook()
    ws = wb.active
    ws.title = "Metas"
    ws.append([f"Metas y resultados de {board.month_label}"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([])
    header = [
        "Tipo",
        "Nombre",
        "Sucursal",
        "Recuperado",
        "Meta recuperado",
        "% meta",
        "Convenios firmados",
        "Meta convenios",
        "% meta",
        "Contactos logrados",
        "Meta contactos",
        "% meta",
    ]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for kind, name, r in _rows_for_export(board):
        g = r.goal
        ws.append(
            [
                kind,
                name,
                r.branch,
                r.actual.recovered,
                g.recovered if g else None,
                (r.recovered_percent or 0) / 100 if g else None,
                r.actual.agreements,
                g.agreements if g else None,
                (r.agreements_percent or 0) / 100 if g else None,
                r.actual.contacts,
                g.contacts if g else None,
                (r.contacts_percent or 0) / 100 if g else None,
            ]
        )
    for row in ws.iter_rows(min_row=4):
        for idx in (3, 4):
            row[idx].number_format = '"$"#,##0.00'
        for idx in (5, 8, 11):
            row[idx].number_format = "0%"
    ws.column_dimensions["B"].width = 32
    ws.column_dimensions["C"].width = 18
    response = HttpResponse(
        workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="metas-y-resultados-{board.month:%Y-%m}.xlsx"'
    return response


@login_required
def goals_pdf(request: HttpRequest) -> HttpResponse:
    from cobranza.common.pdf import html_to_pdf  # WeasyPrint is loaded only when a PDF is made

    board, _ = _dashboard(request)
    user: User = request.user  # type: ignore[assignment]
    html = render_to_string(
        "reports/goals_pdf.html",
        {
            "board": board,
            "chart": _dashboard_chart(board, fixed=True),
            "total": fmt_usd(board.total.recovered_cents),
            "generated_at": timezone.localtime(),
            "issued_by": selectors.person_name(user),
        },
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="metas-y-resultados-{board.month:%Y-%m}.pdf"'
    return response
