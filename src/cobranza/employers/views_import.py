"""The upload page of employers, declarations and payments (administrators only)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cobranza.common import roles
from cobranza.employers.forms_import import ImportForm
from cobranza.employers.imports import ImportRejected, run_import
from cobranza.employers.models import ImportBatch

PROBLEMS_SHOWN = 1_000  # the page lists this many; the message gives the exact count
RECENT_BATCHES = 15


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if not roles.can_import(request.user):
        raise PermissionDenied("Solo un administrador puede importar datos.")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run_import(
                kind=form.cleaned_data["kind"],
                source=upload,
                filename=upload.name,
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ImportRejected as exc:
            rejected = exc
    problems = rejected.details if rejected else []
    context = {
        "form": form,
        "result": result,
        "rejected": rejected,
        "problems": problems[:PROBLEMS_SHOWN],
        "problems_hidden": max(0, (rejected.total if rejected else 0) - PROBLEMS_SHOWN),
        "batches": ImportBatch.objects.select_related("created_by")[:RECENT_BATCHES],
        "is_htmx": bool(request.headers.get("HX-Request")),
    }
    template = "employers/_import_panel.html" if context["is_htmx"] else "employers/import.html"
    return render(request, template, context)
