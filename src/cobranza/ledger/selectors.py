"""Reads of the ledger: the policy in force, statements and balances, through the user's visibility.

A statement is always computed live from the declarations and payments (two queries) under the
policy version in force at its date; `BalanceSnapshot` rows (written by the recompute) serve lists.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime

from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers
from cobranza.engine.money import to_cents
from cobranza.engine.policy import Policy
from cobranza.engine.statement import DeclarationIn, PaymentIn, Statement, compute_statement
from cobranza.ledger.models import BalanceSnapshot, Declaration, Payment, PolicyVersion

# Parsed policies by (version row id, its updated_at). A version row is never edited (a change of
# policy is a new row), but keying by updated_at too means an edit made some other way is noticed.
_POLICY_CACHE: dict[tuple[int, datetime], Policy] = {}
_POLICY_CACHE_LOCK = threading.Lock()


def policy_version_for(as_of: date) -> PolicyVersion:
    """The policy version in force at `as_of`: the latest `effective_from` on or before it.

    Raises ApplicationError (Spanish) when no version is in force at that date.
    """
    found = PolicyVersion.objects.filter(effective_from__lte=as_of).order_by("-effective_from").first()
    if found is None:
        first = (
            PolicyVersion.objects.order_by("effective_from").values_list("effective_from", flat=True).first()
        )
        if first is None:
            raise ApplicationError(
                "No hay ninguna versión de la política registrada; ejecute «cobranza migrate»."
            )
        raise ApplicationError(
            f"No hay una versión de la política vigente al {as_of:%d/%m/%Y}: "
            f"la primera rige desde el {first:%d/%m/%Y}."
        )
    return found


def policy_of(version: PolicyVersion) -> Policy:
    """The engine policy of a version row, parsed once per process (and again if the row changes)."""
    key = (version.pk, version.updated_at)
    policy = _POLICY_CACHE.get(key)
    if policy is None:
        policy = version.as_policy()
        with _POLICY_CACHE_LOCK:
            if len(_POLICY_CACHE) > 256:
                _POLICY_CACHE.clear()
            _POLICY_CACHE[key] = policy
    return policy


def policy_for(as_of: date) -> Policy:
    """The engine policy in force at `as_of` (one small query; the parsing is cached)."""
    return policy_of(policy_version_for(as_of))


def _declarations_in(employer: Employer, as_of: date) -> list[DeclarationIn]:
    last_period = f"{as_of.year:04d}-{as_of.month:02d}"  # periods begun by as_of
    rows = (
        Declaration.objects.filter(employer=employer, period__lte=last_period)
        .order_by("period")
        .values_list("period", "employer_contribution", "worker_contribution", "filed_on", "origin")
    )
    return [
        DeclarationIn(
            period=period, contribution_cents=to_cents(ec) + to_cents(wc), filed_on=filed_on, origin=origin
        )
        for period, ec, wc, filed_on, origin in rows
    ]


def _payments_in(employer: Employer, as_of: date) -> list[PaymentIn]:
    rows = (
        Payment.objects.filter(employer=employer, paid_on__lte=as_of)
        .order_by("paid_on", "payment_id")
        .values_list("payment_id", "paid_on", "amount", "period")
    )
    return [
        PaymentIn(payment_id=pid, paid_on=paid_on, amount_cents=to_cents(amount), period=period or None)
        for pid, paid_on, amount, period in rows
    ]


def freezes_of(employer: Employer | int, as_of: date) -> dict[str, date]:
    """`{period: freeze date}`: the periods a payment agreement froze at `as_of` (SPEC §6), whose
    surcharge and fine stop at the signing date. Empty when the agreements app is not installed."""
    if not django_apps.is_installed("cobranza.agreements"):
        return {}
    from cobranza.agreements.selectors import freezes_for

    return freezes_for(employer, as_of)


def employers_with_agreements(
    *, as_of: date, id_range: tuple[int, int] | None = None, employer_ids: Iterable[int] | None = None
) -> list[int]:
    """Ids (within `id_range` or `employer_ids`) of the employers with an agreement signed by
    `as_of`: the only ones whose statement can have frozen periods (one query)."""
    if not django_apps.is_installed("cobranza.agreements"):
        return []
    agreement = django_apps.get_model("agreements", "Agreement")
    qs = agreement.objects.filter(signed_on__isnull=False, signed_on__lte=as_of)
    if id_range is not None:
        qs = qs.filter(employer_id__gte=id_range[0], employer_id__lte=id_range[1])
    if employer_ids is not None:
        qs = qs.filter(employer_id__in=list(employer_ids))
    return sorted(set(qs.values_list("employer_id", flat=True)))


def statement_for_employer(employer: Employer, as_of: date) -> Statement:
    """The employer's statement as of `as_of` (SPEC §5), with the periods its payment agreements
    froze, for callers that already checked access (pages after `employer_detail`, the CLI, tasks).
    Four queries: policy version, agreements' freezes, declarations, payments."""
    policy = policy_for(as_of)
    return compute_statement(
        employer_number=employer.employer_number,
        declarations=_declarations_in(employer, as_of),
        payments=_payments_in(employer, as_of),
        as_of=as_of,
        policy=policy,
        freezes=freezes_of(employer, as_of),
    )


def employer_statement(*, user: User | AnonymousUser, employer_number: str, as_of: date) -> Statement:
    """The statement of an employer the user may see; Employer.DoesNotExist otherwise (whether it
    does not exist or is not visible: the caller answers 404 either way)."""
    employer = visible_employers(user=user).get(employer_number=employer_number)
    return statement_for_employer(employer, as_of)


def payments_by_id(*, employer: Employer, payment_ids: Iterable[str] | None = None) -> dict[str, Payment]:
    """The employer's payments by `payment_id` (all, or the ids given), to show the date, channel
    and reference behind a statement's allocations. Pass `statement.allocations`' ids."""
    qs = Payment.objects.filter(employer=employer).select_related("import_batch")
    if payment_ids is not None:
        ids = sorted(set(payment_ids))
        if not ids:
            return {}
        qs = qs.filter(payment_id__in=ids)
    return {p.payment_id: p for p in qs.order_by("paid_on", "payment_id")}


def visible_balances(*, user: User | AnonymousUser) -> QuerySet[BalanceSnapshot]:
    """The balance snapshots of the employers the user may see, largest debt first."""
    return (
        BalanceSnapshot.objects.filter(employer__in=visible_employers(user=user))
        .select_related("employer", "employer__branch", "policy_version")
        .order_by("-outstanding", "employer__employer_number")
    )
