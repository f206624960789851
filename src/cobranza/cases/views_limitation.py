"""The heads' page «Próximas prescripciones» and its Excel (SPEC §8; `cases.limitation`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cobranza.cases.limitation import MAX_EMPLOYERS, UpcomingLimitations, upcoming_limitations
from cobranza.cases.views import is_head
from cobranza.common import roles
from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.common.spreadsheets import workbook_bytes
from cobranza.employers.models import Branch
from cobranza.portfolio.selectors import branch_of


def _report(request: HttpRequest) -> tuple[UpcomingLimitations, dict]:
    if not is_head(request.user):
        raise PermissionDenied
    today = business_date()
    error = ""
    as_of = today
    if request.GET.get("fecha"):
        try:
            as_of = parse_user_date(request.GET["fecha"], field="fecha")
        except ApplicationError as exc:
            error = f"{exc.message} Se muestra la lista de hoy ({today:%d/%m/%Y})."
    branch_raw = request.GET.get("sucursal", "")
    branch_id = int(branch_raw) if branch_raw.isdigit() else None
    if roles.has_role(request.user, roles.Role.BRANCH_HEAD) and not roles.sees_all_employers(request.user):
        branch_id = branch_of(request.user)
        branches = Branch.objects.filter(pk=branch_id)
    else:
        branches = Branch.objects.order_by("name")
    try:
        report = upcoming_limitations(user=request.user, as_of=as_of, branch_id=branch_id)
    except ApplicationError as exc:  # no policy in force at the date asked
        error = f"{exc.message} Se muestra la lista de hoy ({today:%d/%m/%Y})."
        report = upcoming_limitations(user=request.user, as_of=today, branch_id=branch_id)
    return report, {
        "report": report,
        "error": error,
        "branches": branches,
        "branch_id": branch_id,
        "max_employers": MAX_EMPLOYERS,
    }


@login_required
def limitation_page(request: HttpRequest) -> HttpResponse:
    report, context = _report(request)
    return render(request, "cases/limitation.html", {**context, "query": request.GET.urlencode()})


@login_required
def limitation_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cobranza.engine.money import cents_to_decimal

    report, _ = _report(request)
    wb = Workbook()
    ws = wb.active
    ws.title = "Próximas prescripciones"
    ws.append(
        [
            f"Próximas prescripciones: períodos que prescriben del {report.as_of:%d/%m/%Y} "
            f"al {report.window_end:%d/%m/%Y} ({report.alert_days} días)"
        ]
    )
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([])
    ws.append(
        [
            "Número patronal",
            "Patrono",
            "Sucursal",
            "Gestor",
            "Período",
            "Saldo exigible del período",
            "Prescribe el",
            "Días restantes",
            "Última interrupción",
        ]
    )
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in report.rows:
        ws.append(
            [
                r.employer.employer_number,
                r.employer.legal_name,
                r.branch,
                r.collector,
                f"{r.period[5:]}/{r.period[:4]}",
                cents_to_decimal(r.overdue_cents),
                r.limitation_date,
                r.days_left,
                r.restarted or "—",
            ]
        )
        ws.cell(row=ws.max_row, column=6).number_format = '"$"#,##0.00'
        ws.cell(row=ws.max_row, column=7).number_format = "DD/MM/YYYY"
    ws.append([])
    ws.append(["Total", None, None, None, None, cents_to_decimal(report.total_cents)])
    ws.cell(row=ws.max_row, column=6).number_format = '"$"#,##0.00'
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    if report.truncated:
        ws.append(
            [f"Lista acotada a los {MAX_EMPLOYERS} patronos con la deuda más antigua; filtre por sucursal."]
        )
    for col, width in zip("ABCDEFGHI", (16, 36, 18, 24, 10, 16, 14, 10, 40), strict=True):
        ws.column_dimensions[col].width = width
    response = HttpResponse(
        workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="proximas-prescripciones-{report.as_of:%Y%m%d}.xlsx"'
    )
    return response
