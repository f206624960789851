"""Publication lists in the JSON API (SPEC §11): `GET /publications` and `GET /publications/{id}`,
for heads and the legal unit (a branch head: the lists of its branch). Any other role, or a list
the user may not see, is 404 (its existence is not revealed). The same selectors as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Path, Router, Schema
from ninja.errors import HttpError

from cobranza.api.errors import ErrorOut
from cobranza.common.sanitize import MAX_ID
from cobranza.publications import selectors
from cobranza.publications.models import PublicationEntry, PublicationList

router = Router(tags=["publicaciones"])


class EntryOut(Schema):
    employer_number: str
    legal_name: str
    overdue_at_selection: str
    months_at_selection: int
    notice_number: str | None
    notified_on: date | None
    reply_deadline: date | None
    reply: str
    reply_label: str
    reply_on: date | None
    published: bool
    published_overdue: str | None
    published_months: int | None
    excluded_reason: str
    regularized_on: date | None
    regularization: str


class PublicationSummaryOut(Schema):
    id: int
    number: str
    title: str
    state: str
    state_label: str
    branch: str | None
    as_of: date
    notified_on: date | None
    reply_deadline: date | None
    frozen_on: date | None
    prepared_by: str
    approved_by: str | None


class PublicationOut(PublicationSummaryOut):
    min_months: int | None
    min_debt: str | None
    entries: list[EntryOut]


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


def _summary(p: PublicationList) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "title": p.title,
        "state": p.state,
        "state_label": p.get_state_display(),
        "branch": p.branch.name if p.branch else None,
        "as_of": p.as_of,
        "notified_on": p.notified_on,
        "reply_deadline": p.reply_deadline,
        "frozen_on": p.frozen_on,
        "prepared_by": _name(p.prepared_by),
        "approved_by": _name(p.approved_by),
    }


def _entry(e: PublicationEntry) -> dict[str, Any]:
    return {
        "employer_number": e.employer.employer_number,
        "legal_name": e.employer.legal_name,
        "overdue_at_selection": f"{e.overdue:.2f}",
        "months_at_selection": e.months_in_arrears,
        "notice_number": e.notice.number if e.notice else None,
        "notified_on": e.notified_on,
        "reply_deadline": e.reply_deadline,
        "reply": e.reply,
        "reply_label": e.get_reply_display(),
        "reply_on": e.reply_on,
        "published": e.published,
        "published_overdue": None if e.published_overdue is None else f"{e.published_overdue:.2f}",
        "published_months": e.published_months,
        "excluded_reason": e.excluded_reason,
        "regularized_on": e.regularized_on,
        "regularization": e.get_regularization_display() if e.regularization else "",
    }


@router.get(
    "/publications",
    response={200: list[PublicationSummaryOut], 401: ErrorOut, 404: ErrorOut},
    summary="Listas de publicación",
    description="Las listas de publicación que el usuario puede ver, la más reciente primero. "
    "Jefaturas y unidad jurídica; otros roles: 404.",
)
def publication_list(request: HttpRequest) -> Any:
    if not selectors.can_read(request.user):
        raise HttpError(404, "No encontrado.")
    return 200, [_summary(p) for p in selectors.visible_lists(user=request.user)[:500]]


@router.get(
    "/publications/{publication_id}",
    response={200: PublicationOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Una lista de publicación",
    description="La lista con sus patronos: cifras al seleccionarlos, aviso y plazo, respuesta, si "
    "quedaron en la lista congelada (con las cifras publicadas o el motivo de exclusión) y su "
    "regularización. 404 si no existe o el usuario no puede verla.",
)
def publication_detail(request: HttpRequest, publication_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    try:
        p = selectors.list_detail(user=request.user, pk=publication_id)
    except PublicationList.DoesNotExist:
        raise HttpError(404, "Lista de publicación no encontrada.") from None
    data = _summary(p)
    data["min_months"] = p.criteria.get("min_months")
    cents = p.criteria.get("min_debt_cents")
    data["min_debt"] = None if cents is None else f"{cents / 100:.2f}"
    data["entries"] = [_entry(e) for e in selectors.list_entries(p)]
    return 200, data
