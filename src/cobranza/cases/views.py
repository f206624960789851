"""Case pages: the case file (chronology, actions, documents, promises, letters, state), document
download, the head's review queue. Every page goes through the selectors: a case whose employer the
user may not see is answered 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cobranza.cases import selectors, services
from cobranza.cases.forms import (
    STATE_BADGES,
    ActionForm,
    AnswerForm,
    DocumentForm,
    EmailLetterForm,
    LetterForm,
    ReviewForm,
    TransitionForm,
)
from cobranza.cases.models import AGREEMENT_STATES, CaseDocument, CaseFile, CollectionAction, ReviewStatus
from cobranza.cases.services._common import (
    CASE_OPENERS,
    CASE_WORKERS,
    DOCUMENT_WRITERS,
    HEADS_AND_ADMIN,
    LETTER_WRITERS,
    is_call_center_only,
    may_record_actions,
)
from cobranza.cases.services.cases import agreement_state_refusal, can_change_state
from cobranza.cases.services.documents import download_name
from cobranza.common import roles
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers import selectors as employer_selectors
from cobranza.employers.models import Contact, Employer
from cobranza.employers.services import can_edit_contacts
from cobranza.employers.submissions import once_per_submission


def can_work_cases(user) -> bool:  # type: ignore[no-untyped-def]
    return roles.has_role(user, *CASE_WORKERS)


def can_write_letters(user) -> bool:  # type: ignore[no-untyped-def]
    """Notices (single, e-mailed or in batches): the collector and the heads, not the call center."""
    return roles.has_role(user, *LETTER_WRITERS)


def can_upload_documents(user) -> bool:  # type: ignore[no-untyped-def]
    return roles.has_role(user, *DOCUMENT_WRITERS)


def can_open_cases(user) -> bool:  # type: ignore[no-untyped-def]
    return roles.has_role(user, *CASE_OPENERS)


def can_record_actions(user, case: CaseFile) -> bool:  # type: ignore[no-untyped-def]
    """Collectors and heads record actions on the cases they see; the call center only on the cases
    of its list (defaulted agreements, broken promises): it reads the rest."""
    return may_record_actions(user, case)


def _forbid_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def is_head(user) -> bool:  # type: ignore[no-untyped-def]
    return roles.has_role(user, *HEADS_AND_ADMIN)


def _visible_case(request: HttpRequest, pk: int) -> CaseFile:
    try:
        return selectors.case_detail(user=request.user, pk=pk)
    except CaseFile.DoesNotExist:
        raise Http404("Expediente no encontrado") from None


def _case_page(request: HttpRequest, case: CaseFile, *, status: int = 200, **forms) -> HttpResponse:  # type: ignore[no-untyped-def]
    from cobranza.cases.limitation import case_limitation
    from cobranza.ledger.selectors import statement_for_employer

    head = is_head(request.user)
    calls_only = is_call_center_only(request.user)
    try:
        statement = statement_for_employer(case.employer, business_date())
    except ApplicationError:
        statement = None
    context = {
        "case": case,
        "employer": case.employer,
        "badge": STATE_BADGES.get(case.state, "secondary"),
        "statement": statement,
        "collector": employer_selectors.current_collector(
            Employer.objects.prefetch_related("assignments__collector").get(pk=case.employer_id)
        ),
        "chronology": selectors.case_chronology(case=case),
        "actions": list(selectors.case_actions(case=case)),
        "documents": list(selectors.case_documents(case=case)),
        "promises": list(selectors.case_promises(case=case)),
        "other_cases": [
            c
            for c in selectors.cases_of_employer(user=request.user, employer=case.employer)
            if c.pk != case.pk
        ],
        "can_work": can_record_actions(request.user, case) and case.is_active,
        "calls_only": calls_only,
        "can_write_letters": can_write_letters(request.user) and case.is_active,
        "can_upload": can_upload_documents(request.user) and case.is_active,
        "can_change_state": can_change_state(request.user) and case.is_active,
        "can_edit_contacts": can_edit_contacts(request.user),
        "contacts": list(Contact.objects.filter(employer_id=case.employer_id, active=True)),
        "is_head": head,
        "action_form": forms.get("action_form") or ActionForm(case=case, calls_only=calls_only),
        "document_form": forms.get("document_form") or DocumentForm(),
        "letter_form": forms.get("letter_form") or LetterForm(),
        "email_form": forms.get("email_form") or EmailLetterForm(case=case),
        "transition_form": forms.get("transition_form") or TransitionForm(case=case, is_head=head),
        "answer_form": AnswerForm(),
        "limitation": case_limitation(employer=case.employer, statement=statement) if statement else None,
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _visible_case(request, pk))


@login_required
def employer_case(request: HttpRequest, employer_number: str) -> HttpResponse:
    """The employer's active case; without one, its past cases and the button to open one."""
    try:
        employer = employer_selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None
    cases = selectors.cases_of_employer(user=request.user, employer=employer)
    if cases and cases[0].is_active:
        return redirect("cases:detail", pk=cases[0].pk)
    return render(
        request,
        "cases/no_case.html",
        {"employer": employer, "cases": cases, "can_open": can_open_cases(request.user)},
    )


@login_required
@require_POST
@once_per_submission
def case_open(request: HttpRequest, employer_number: str) -> HttpResponse:
    try:
        employer = employer_selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None
    _forbid_unless(can_open_cases(request.user), "Su rol no permite abrir expedientes.")
    try:
        case = services.case_open(employer=employer, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("cases:employer", employer_number=employer_number)
    messages.success(request, f"Expediente {case.code} abierto.")
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
@once_per_submission
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    _forbid_unless(
        can_record_actions(request.user, case),
        "Su rol no permite registrar gestiones en este expediente.",
    )
    form = ActionForm(request.POST, case=case, calls_only=is_call_center_only(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_record(
                actor=request.user,
                case=case,
                kind=data["kind"],
                outcome=data["outcome"],
                contact=data["contact"],
                contact_person=data["contact_person"],
                notes=data["notes"],
                next_action_on=data["next_action_on"],
                promise_amount=data["promise_amount"],
                promise_date=data["promise_date"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Gestión registrada.")
            return redirect("cases:detail", pk=case.pk)
    return _case_page(request, case, status=400, action_form=form)


@login_required
@require_POST
@once_per_submission
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    _forbid_unless(can_upload_documents(request.user), "Su rol no permite agregar documentos a expedientes.")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        uploaded = data["file"]
        try:
            services.document_store(
                actor=request.user,
                case=case,
                content=uploaded.read(),
                filename=uploaded.name,
                doc_type=data["doc_type"],
                title=data["title"],
                document_date=data["document_date"],
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, f"Documento «{data['title']}» agregado al expediente.")
            return redirect("cases:detail", pk=case.pk)
    return _case_page(request, case, status=400, document_form=form)


@login_required
@require_POST
@once_per_submission
def letter_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    _forbid_unless(can_write_letters(request.user), "Su rol no permite generar cartas de cobro.")
    form = LetterForm(request.POST)
    if form.is_valid():
        try:
            action = services.letter_generate(
                actor=request.user,
                case=case,
                letter_type=form.cleaned_data["letter_type"],
                next_action_on=form.cleaned_data["next_action_on"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{action.document.title} generado y guardado en el expediente.")
            return redirect("cases:detail", pk=case.pk)
    return _case_page(request, case, status=400, letter_form=form)


@login_required
@require_POST
@once_per_submission
def letter_send(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail the notice (PDF attached) to a contact; the action records the delivery outcome."""
    case = _visible_case(request, pk)
    _forbid_unless(can_write_letters(request.user), "Su rol no permite enviar cartas de cobro.")
    form = EmailLetterForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = services.letter_email(
                actor=request.user,
                case=case,
                letter_type=data["letter_type"],
                contact=data["contact"],
                email=data["email"],
                next_action_on=data["next_action_on"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if action.delivery_status == "sent":
                messages.success(request, f"{action.document.title} enviado por correo a {action.email_to}.")
            else:
                messages.error(
                    request,
                    f"No se pudo enviar el correo a {action.email_to}: {action.delivery_detail} "
                    "Quedó registrado en las gestiones; la carta está en los documentos.",
                )
            return redirect("cases:detail", pk=case.pk)
    return _case_page(request, case, status=400, email_form=form)


@login_required
@require_POST
def case_change_state(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    if not can_change_state(request.user):
        raise PermissionDenied("Solo el gestor de cobros del patrono o una jefatura cambian el estado.")
    form = TransitionForm(request.POST, case=case, is_head=is_head(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_transition(
                actor=request.user,
                case=case,
                to_state=data["to_state"],
                reason=data["reason"],
                close_reason=data["close_reason"] or None,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"El expediente pasó a «{case.get_state_display()}».")
            return redirect("cases:detail", pk=case.pk)
    elif request.POST.get("estado-to_state") in AGREEMENT_STATES:
        # Not even a choice of the form (the page may show no form at all): say why.
        messages.error(request, agreement_state_refusal(request.POST["estado-to_state"]))
    return _case_page(request, case, status=400, transition_form=form)


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        document = selectors.visible_document(user=request.user, pk=pk)
    except CaseDocument.DoesNotExist:
        raise Http404("Documento no encontrado") from None
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("El archivo del documento no está en el almacenamiento") from None
    inline = (
        document.content_type in ("application/pdf", "image/png", "image/jpeg")
        and "descargar" not in request.GET
    )
    return FileResponse(
        handle, as_attachment=not inline, filename=download_name(document), content_type=document.content_type
    )


# -- the head's review queue ---------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_head(request.user):
        raise PermissionDenied
    status = request.GET.get("estado", ReviewStatus.PENDING)
    if status not in ReviewStatus.values:
        status = ReviewStatus.PENDING
    actions = list(selectors.review_queue(user=request.user, status=status)[:200])
    return render(
        request,
        "cases/review_queue.html",
        {"actions": actions, "status": status, "statuses": ReviewStatus.choices},
    )


@login_required
@require_POST
def action_review(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_head(request.user):
        raise PermissionDenied
    action = _visible_action(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Revisión no válida.")
    else:
        try:
            services.action_review(
                actor=request.user,
                action=action,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Revisión registrada.")
    return redirect("cases:review_queue")


@login_required
@require_POST
def action_answer(request: HttpRequest, pk: int) -> HttpResponse:
    action = _visible_action(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Escriba la respuesta para la jefatura.")
    else:
        try:
            services.action_resubmit(actor=request.user, action=action, answer=form.cleaned_data["answer"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Respuesta enviada; la gestión vuelve a revisión.")
    return redirect(request.POST["next"] if _safe_next(request) else "cases:worklist")


def _safe_next(request: HttpRequest) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


def _visible_action(request: HttpRequest, pk: int) -> CollectionAction:
    action = (
        CollectionAction.objects.filter(pk=pk, case__in=selectors.visible_cases(user=request.user))
        .select_related("case__employer")
        .first()
    )
    if action is None:
        raise Http404("Gestión no encontrada")
    return action
