"""The collector's worklist and batch letters (with their progress)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cobranza.cases import selectors, services
from cobranza.cases.forms import AnswerForm
from cobranza.cases.models import LetterBatch, LetterType
from cobranza.cases.views import can_write_letters
from cobranza.cases.worklist import FILTERS, SCORE_RULES, worklist
from cobranza.common import roles
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.common.sanitize import paginate
from cobranza.employers.selectors import visible_employers
from cobranza.employers.submissions import once_per_submission

PAGE_SIZE = 25


@login_required
def worklist_page(request: HttpRequest) -> HttpResponse:
    if not roles.has_role(request.user, roles.Role.COLLECTOR):
        raise PermissionDenied
    search = request.GET.get("q", "").strip()[:100]
    reason = request.GET.get("motivo", "pendientes")
    if reason not in FILTERS:
        reason = "pendientes"
    items = worklist(user=request.user, search=search, reason=reason)
    page = paginate(request, items, PAGE_SIZE)
    return render(
        request,
        "cases/worklist.html",
        {
            "page": page,
            "search": search,
            "reason": reason,
            "filters": FILTERS,
            "rules": SCORE_RULES,
            "returned": list(selectors.returned_actions(user=request.user)[:20]),
            "answer_form": AnswerForm(),
        },
    )


# -- batch letters ----------------------------------------------------------------------------


@login_required
@once_per_submission
def letter_batch_new(request: HttpRequest) -> HttpResponse:
    """Choose employers (those in arrears the user sees, largest overdue debt first) and the letter.
    Employers with an agreement in force or a claim open are not offered (the page says how many
    and why); the service leaves them out again if they are posted anyway."""
    from cobranza.cases.services.letters import letter_batch_exclusions
    from cobranza.ledger.selectors import visible_balances

    if not can_write_letters(request.user):
        raise PermissionDenied
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("employer") if x.isdigit()]
        employers = list(visible_employers(user=request.user).filter(pk__in=ids))
        if len(employers) != len(set(ids)):
            raise Http404("Patrono no encontrado")
        try:
            batch = services.letter_batch_create(
                actor=request.user, employers=employers, letter_type=request.POST.get("letter_type", "")
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("cases:letter_batch_new")
        return redirect("cases:letter_batch", pk=batch.pk)
    search = request.GET.get("q", "").strip()[:100]
    balances = visible_balances(user=request.user).filter(overdue_outstanding__gt=0)
    if search:
        balances = balances.filter(employer__employer_number__startswith=search) | balances.filter(
            employer__legal_name__icontains=search
        )
    rows = list(balances[:200])
    excluded = letter_batch_exclusions([b.employer_id for b in rows], business_date())
    left_out: dict[str, int] = {}
    for why in excluded.values():
        left_out[why] = left_out.get(why, 0) + 1
    return render(
        request,
        "cases/letter_batch_new.html",
        {
            "balances": [b for b in rows if b.employer_id not in excluded],
            "left_out": sorted(left_out.items()),
            "letter_types": LetterType.choices,
            "search": search,
        },
    )


def _own_batch(request: HttpRequest, pk: int) -> LetterBatch:
    batch = LetterBatch.objects.filter(pk=pk, created_by=request.user).first()
    if batch is None:
        raise Http404("Lote no encontrado")
    return batch


@login_required
def letter_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    return render(request, "cases/letter_batch.html", {"batch": batch})


@login_required
@require_POST
def letter_batch_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Called by the page (htmx) until the batch finishes; answers the progress fragment."""
    batch = _own_batch(request, pk)
    try:
        batch = services.letter_batch_step(actor=request.user, batch=batch)
    except ApplicationError as error:
        messages.error(request, error.message)
    return render(request, "cases/_letter_batch_progress.html", {"batch": batch})
