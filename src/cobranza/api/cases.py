"""Case files, collection actions and documents over the API, with the pages' visibility: a case
whose employer the user may not see is 404 (its existence is not revealed)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from cobranza.api.dates import ApiDate
from cobranza.api.errors import ErrorOut, id_path, page_query
from cobranza.cases import selectors, services
from cobranza.cases.models import ActionKind, ActionOutcome, CaseDocument, CaseFile, CaseState
from cobranza.cases.services._common import may_record_actions
from cobranza.cases.services.documents import download_name

router = Router(tags=["expedientes"])
PAGE_SIZE = 50


def _case_id() -> Any:
    return id_path("Número interno del expediente.")


class CaseOut(Schema):
    id: int
    code: str
    employer_number: str
    legal_name: str
    state: str
    state_label: str
    close_reason: str
    opened_at: datetime
    closed_at: datetime | None
    next_action_on: date | None
    last_contact_at: datetime | None
    opening_debt: Decimal | None

    @staticmethod
    def resolve_employer_number(obj: CaseFile) -> str:
        return obj.employer.employer_number

    @staticmethod
    def resolve_legal_name(obj: CaseFile) -> str:
        return obj.employer.legal_name

    @staticmethod
    def resolve_state_label(obj: CaseFile) -> str:
        return obj.get_state_display()


class CasePage(Schema):
    items: list[CaseOut]
    count: int
    page: int
    pages: int


class PromiseOut(Schema):
    amount: Decimal
    promised_on: date
    made_on: date
    status: str
    paid_amount: Decimal


class ActionOut(Schema):
    id: int
    kind: str
    performed_at: datetime
    contact_person: str
    outcome: str | None
    notes: str
    next_action_on: date | None
    review_status: str
    created_by: str | None
    document_id: int | None
    promise: PromiseOut | None

    @staticmethod
    def resolve_outcome(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.outcome.name if obj.outcome_id else None

    @staticmethod
    def resolve_created_by(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_promise(obj):  # type: ignore[no-untyped-def]
        return getattr(obj, "promise", None)


class DocumentOut(Schema):
    id: int
    doc_type: str
    title: str
    document_date: date
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime
    uploaded_by: str | None

    @staticmethod
    def resolve_uploaded_by(obj: CaseDocument) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by_id else None


class ActionIn(Schema):
    kind: ActionKind
    outcome: str | None = None
    contact_person: str = ""
    notes: str = ""
    next_action_on: ApiDate | None = None
    promise_amount: Decimal | None = None
    promise_date: ApiDate | None = None


def _case(request: HttpRequest, case_id: int) -> CaseFile:
    try:
        return selectors.case_detail(user=request.user, pk=case_id)
    except CaseFile.DoesNotExist:
        raise HttpError(404, "Expediente no encontrado.") from None


@router.get("/cases", response=CasePage, summary="Expedientes visibles para el usuario")
def list_cases(
    request: HttpRequest,
    state: CaseState | None = Query(None, description="Solo los expedientes en este estado."),
    page: int = page_query(),
) -> dict:
    qs = selectors.visible_cases(user=request.user).select_related("employer").order_by("-opened_at", "-id")
    if state:
        qs = qs.filter(state=state)
    count = qs.count()
    return {
        "items": list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]),
        "count": count,
        "page": page,
        "pages": max(1, -(-count // PAGE_SIZE)),
    }


@router.get("/cases/{case_id}", response=CaseOut, summary="Un expediente")
def case_detail(request: HttpRequest, case_id: int = _case_id()) -> CaseFile:
    return _case(request, case_id)


@router.get("/employers/{employer_number}/case", response=CaseOut, summary="Expediente activo de un patrono")
def employer_case(request: HttpRequest, employer_number: str) -> CaseFile:
    case = (
        selectors.visible_cases(user=request.user)
        .select_related("employer")
        .filter(employer__employer_number=employer_number)
        .exclude(state=CaseState.CLOSED)
        .first()
    )
    if case is None:
        raise HttpError(404, "El patrono no tiene expediente activo o no es visible.")
    return case


@router.get("/cases/{case_id}/actions", response=list[ActionOut], summary="Gestiones de un expediente")
def case_actions(request: HttpRequest, case_id: int = _case_id()) -> list:
    return list(selectors.case_actions(case=_case(request, case_id)))


@router.post(
    "/cases/{case_id}/actions",
    response={201: ActionOut, 403: ErrorOut},
    summary="Registrar una gestión de cobro",
)
def create_action(request: HttpRequest, payload: ActionIn, case_id: int = _case_id()):  # type: ignore[no-untyped-def]
    case = _case(request, case_id)
    if not may_record_actions(request.user, case):
        raise HttpError(
            403,
            "Su rol no permite registrar gestiones en este expediente (el centro de llamadas: solo "
            "llamadas de los convenios en mora y promesas incumplidas de su lista).",
        )
    outcome = None
    if payload.outcome:
        outcome = ActionOutcome.objects.filter(name=payload.outcome).first()
        if outcome is None:
            raise HttpError(422, f"Resultado desconocido: {payload.outcome}.")
    action = services.action_record(
        actor=request.user,
        case=case,
        kind=payload.kind,
        outcome=outcome,
        contact_person=payload.contact_person,
        notes=payload.notes,
        next_action_on=payload.next_action_on,
        promise_amount=payload.promise_amount,
        promise_date=payload.promise_date,
    )
    return 201, selectors.case_actions(case=case).get(pk=action.pk)


@router.get("/cases/{case_id}/documents", response=list[DocumentOut], summary="Documentos de un expediente")
def case_documents(request: HttpRequest, case_id: int = _case_id()) -> list:
    return list(selectors.case_documents(case=_case(request, case_id)))


@router.get("/documents/{document_id}/download", summary="Descargar un documento", response={200: None})
def document_download(request: HttpRequest, document_id: int = id_path("Número del documento.")):  # type: ignore[no-untyped-def]
    try:
        document = selectors.visible_document(user=request.user, pk=document_id)
    except CaseDocument.DoesNotExist:
        raise HttpError(404, "Documento no encontrado.") from None
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=download_name(document),
        content_type=document.content_type,
    )
