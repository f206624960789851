"""Reads of the documents register: through the user's visibility, and the public verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from cobranza.common.dates import business_date
from cobranza.documents.models import IssuedDocument
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers


def employer_documents(
    *, user: User | AnonymousUser, employer: Employer, limit: int = 50
) -> list[IssuedDocument]:
    """The documents issued for an employer the user may see, newest first (empty otherwise)."""
    if not visible_employers(user=user).filter(pk=employer.pk).exists():
        return []
    return list(
        IssuedDocument.objects.filter(employer=employer)
        .select_related("issued_by")
        .order_by("-issued_at", "-id")[:limit]
    )


def visible_documents(*, user: User | AnonymousUser) -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(employer__in=visible_employers(user=user)).select_related(
        "issued_by", "employer"
    )


def document_detail(*, user: User | AnonymousUser, number: str) -> IssuedDocument:
    """A document of an employer the user may see; IssuedDocument.DoesNotExist otherwise."""
    return visible_documents(user=user).get(number=number)


@dataclass(frozen=True)
class Verification:
    """What the public page may show about a document: nothing else about the employer."""

    number: str
    kind_label: str
    employer_name: str
    employer_number: str
    issued_on: date
    valid_from: date | None
    valid_until: date | None
    today: date

    @property
    def has_validity(self) -> bool:
        return self.valid_until is not None

    @property
    def is_valid(self) -> bool:
        return self.valid_until is None or self.today <= self.valid_until


def verify_code(code: str, *, today: date | None = None) -> Verification | None:
    """The public facts of the document with this (normalized) code, None when there is none."""
    found = IssuedDocument.objects.filter(verification_code=code).first()
    if found is None:
        return None
    today = today or business_date()
    valid_from = None
    if found.valid_until is not None:
        from datetime import timedelta

        valid_from = found.issued_on + timedelta(days=1)
    return Verification(
        number=found.number,
        kind_label=found.get_kind_display(),
        employer_name=found.employer_name,
        employer_number=found.employer_number,
        issued_on=found.issued_on,
        valid_from=valid_from,
        valid_until=found.valid_until,
        today=today,
    )
