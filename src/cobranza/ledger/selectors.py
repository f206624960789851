"""Reads of the ledger: the policy in force, statements and balances, through the user's visibility.

A statement is always computed live from the declarations and payments (two queries) under the
policy timeline (`policy_timeline`: every version and every amnesty; each figure takes the version
in force when it arises, SPEC §4); `BalanceSnapshot` rows (written by the recompute) serve lists.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Q, QuerySet

from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers
from cobranza.engine.money import to_cents
from cobranza.engine.policy import Policy, PolicyError
from cobranza.engine.statement import (
    AgreementIn,
    Correction,
    DeclarationIn,
    InstallmentIn,
    PaymentIn,
    Statement,
    compute_statement,
)
from cobranza.engine.timeline import AmnestyError, PolicyTimeline
from cobranza.ledger.models import (
    AgreementTerms,
    Amnesty,
    BalanceSnapshot,
    Declaration,
    DeclarationVersion,
    LimitationCause,
    LimitationRestart,
    Payment,
    PolicyVersion,
    PrescribedPeriod,
)

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
    """The engine policy in force at `as_of` (one small query; the parsing is cached). For what is
    decided on one date (agreement terms on the draft's date, business days); a statement takes
    the whole `policy_timeline()`."""
    return policy_of(policy_version_for(as_of))


# The timeline of the last state seen, keyed by `_timeline_key()`. Versions and amnesties are never
# edited or deleted, so a new row is the only change; the key (count, max id, max updated_at of
# both tables) notices it, and any other change made some other way, in one small query.
_TIMELINE_CACHE: dict[str, tuple[tuple[object, ...], PolicyTimeline]] = {}
_TIMELINE_CACHE_LOCK = threading.Lock()


def _timeline_key() -> tuple[object, ...]:
    qn = connection.ops.quote_name
    parts = []
    for model in (PolicyVersion, Amnesty):
        table = qn(model._meta.db_table)
        pk, updated = qn(model._meta.pk.column), qn(model._meta.get_field("updated_at").column)
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608 - identifiers from the models
        parts.append(f"(SELECT MAX({pk}) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({updated}) FROM {table})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return (connection.alias, *row)


def policy_timeline() -> PolicyTimeline:
    """Every policy version and every amnesty ever granted, as the engine's timeline (SPEC §4).

    One small query while nothing changed (the cache key); two more when a version or an amnesty
    was added. Raises ApplicationError (Spanish) when there is no version or a stored row is
    malformed.
    """
    key = _timeline_key()
    cached = _TIMELINE_CACHE.get("timeline")
    if cached is not None and cached[0] == key:
        return cached[1]
    versions = list(PolicyVersion.objects.order_by("effective_from"))
    if not versions:
        raise ApplicationError(
            "No hay ninguna versión de la política registrada; ejecute «cobranza migrate»."
        )
    try:
        timeline = PolicyTimeline(
            versions=tuple(policy_of(v) for v in versions),
            amnesties=tuple(a.as_amnesty() for a in Amnesty.objects.order_by("start", "name")),
        )
    except (PolicyError, AmnestyError) as error:
        raise ApplicationError(f"La política registrada no es válida: {error}") from None
    with _TIMELINE_CACHE_LOCK:
        _TIMELINE_CACHE["timeline"] = (key, timeline)
    return timeline


def policy_version_before(day: date) -> PolicyVersion | None:
    """The version in force on the day before `day` (the latest that starts before it); when `day`
    is before every version, the first one (the timeline applies it to earlier dates too); None
    when there is no version at all."""
    found = PolicyVersion.objects.filter(effective_from__lt=day).order_by("-effective_from").first()
    return found or PolicyVersion.objects.order_by("effective_from").first()


def policy_parameters_inherited(*, effective_from: date | None, parameters: dict) -> dict:
    """A new version's parameters: those given, over those of the version in force before
    `effective_from` (not the defaults). `version` and `effective_from` are the new row's columns."""
    previous = policy_version_before(effective_from) if effective_from else None
    base = policy_parameters_of(previous) if previous is not None else {}
    base.pop("version", None)
    base.pop("effective_from", None)
    return {**base, **parameters}


def policy_parameters_of(version: PolicyVersion) -> dict:
    """A version's complete parameters as the engine reads them (`Policy.to_dict()`: a parameter
    the engine added after the row was stored shows its default); the stored ones if unreadable."""
    try:
        return policy_of(version).to_dict()
    except PolicyError:
        return dict(version.parameters) if isinstance(version.parameters, dict) else {}


def policy_parameter_changes(
    previous: PolicyVersion, current: PolicyVersion
) -> dict[str, tuple[object, object]]:
    """`{parameter: (before, after)}` for the parameters whose values differ between two versions."""
    before, after = policy_parameters_of(previous), policy_parameters_of(current)
    skip = {"version", "effective_from"}
    keys = [k for k in after if k not in skip] + [k for k in before if k not in after and k not in skip]
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def policy_versions_with_changes() -> list[tuple[PolicyVersion, dict[str, tuple[object, object]] | None]]:
    """Every version, oldest first, with what it changed from the one before (None for the first)."""
    rows = list(PolicyVersion.objects.select_related("created_by").order_by("effective_from"))
    out: list[tuple[PolicyVersion, dict[str, tuple[object, object]] | None]] = []
    for i, row in enumerate(rows):
        out.append((row, policy_parameter_changes(rows[i - 1], row) if i else None))
    return out


def amnesty_list() -> QuerySet[Amnesty]:
    """Every amnesty ever granted, by window."""
    return Amnesty.objects.select_related("created_by").order_by("start", "name")


def declarations_in(
    first_filings: Iterable[tuple[str, int, int, date | None, str]],
    corrections: Iterable[tuple[str, date, int, int]] = (),
) -> list[DeclarationIn]:
    """The engine's declarations (SPEC §3): each period's first filing `(period,
    contribution_cents, worker_cents, filed_on, origin)` with its corrections `(period, effective
    date, contribution_cents, worker_cents)`, given in filing order (by effective date, then
    version number: the order `engine.batch` sorts them in too).

    The one builder of `DeclarationIn` lists: the statement (`_declarations_in`, from the
    database) and the recompute's one-by-one path (`services._frozen_summaries`, from the loaded
    frames) both call it.
    """
    later: dict[str, list[Correction]] = {}
    for period, effective_on, contribution_cents, worker_cents in corrections:
        later.setdefault(period, []).append(
            Correction(
                filed_on=effective_on, contribution_cents=contribution_cents, worker_cents=worker_cents
            )
        )
    return [
        DeclarationIn(
            period=period,
            contribution_cents=contribution_cents,
            filed_on=filed_on,
            origin=origin,
            worker_cents=worker_cents,
            corrections=tuple(later.get(period, ())),
        )
        for period, contribution_cents, worker_cents, filed_on, origin in first_filings
    ]


def _declarations_in(employer: Employer, as_of: date) -> list[DeclarationIn]:
    """The employer's declarations of periods begun by `as_of`, with the corrections filed (or
    recorded) by then. One query; a second one only when a declaration was ever corrected."""
    last_period = f"{as_of.year:04d}-{as_of.month:02d}"  # periods begun by as_of
    rows = list(
        Declaration.objects.filter(employer=employer, period__lte=last_period)
        .order_by("period")
        .values_list(
            "period", "employer_contribution", "worker_contribution", "filed_on", "origin", "latest_version"
        )
    )
    # The declaration row has the current amounts; the engine takes the first filing's.
    first = {period: (to_cents(ec) + to_cents(wc), to_cents(wc)) for period, ec, wc, *_ in rows}
    corrections: list[tuple[str, date, int, int]] = []
    if any(latest > 1 for *_, latest in rows):
        versions = (
            DeclarationVersion.objects.filter(
                declaration__employer=employer,
                declaration__period__lte=last_period,
                declaration__latest_version__gt=1,
            )
            .order_by("declaration__period", "number")
            .values_list(
                "declaration__period",
                "number",
                "employer_contribution",
                "worker_contribution",
                "filed_on",
                "recorded_on",
            )
        )
        for period, number, ec, wc, filed_on, recorded_on in versions:
            amounts = (to_cents(ec) + to_cents(wc), to_cents(wc))
            if number == 1:
                first[period] = amounts
            elif (filed_on or recorded_on) <= as_of:
                corrections.append((period, filed_on or recorded_on, *amounts))
        corrections.sort(key=lambda c: (c[0], c[1]))  # filing order (stable: version number on ties)
    return declarations_in(
        ((period, *first[period], filed_on, origin) for period, _, _, filed_on, origin, _ in rows),
        corrections,
    )


def declaration_versions(*, employer: Employer, as_of: date) -> dict[str, list[DeclarationVersion]]:
    """`{period: versions}` of the employer's corrected declarations of periods begun by `as_of`
    (every version, those filed after `as_of` too), for the statement's drill-down. One query."""
    last_period = f"{as_of.year:04d}-{as_of.month:02d}"
    rows = (
        DeclarationVersion.objects.filter(
            declaration__employer=employer,
            declaration__period__lte=last_period,
            declaration__latest_version__gt=1,
        )
        .select_related("declaration")
        .order_by("declaration__period", "number")
    )
    out: dict[str, list[DeclarationVersion]] = {}
    for version in rows:
        out.setdefault(version.declaration.period, []).append(version)
    return out


def payments_in(employer: Employer | int, as_of: date) -> list[PaymentIn]:
    """The employer's payments up to `as_of` as the engine takes them (with their references, which
    may name a payment agreement)."""
    employer_id = employer if isinstance(employer, int) else employer.pk
    rows = (
        Payment.objects.filter(employer_id=employer_id, paid_on__lte=as_of)
        .order_by("paid_on", "payment_id")
        .values_list("payment_id", "paid_on", "amount", "period", "reference")
    )
    return [
        PaymentIn(
            payment_id=pid,
            paid_on=paid_on,
            amount_cents=to_cents(amount),
            period=period or None,
            reference=ref,
        )
        for pid, paid_on, amount, period, ref in rows
    ]


def agreements_in(employer: Employer | int, as_of: date) -> list[AgreementIn]:
    """The employer's payment agreements signed by `as_of`, from the ledger's own records
    (`AgreementTerms`, written by the agreements app): the engine freezes their periods, adds their
    interest line and ignores those lapsed by `as_of`."""
    employer_id = employer if isinstance(employer, int) else employer.pk
    rows = AgreementTerms.objects.filter(employer_id=employer_id, signed_on__lte=as_of).order_by(
        "drafted_on", "number"
    )
    return [terms_in(t) for t in rows]


def terms_in(t: AgreementTerms) -> AgreementIn:
    return AgreementIn(
        number=t.number,
        drafted_on=t.drafted_on,
        signed_on=t.signed_on,
        periods=tuple(t.periods),
        down_payment_cents=to_cents(t.down_payment),
        installments=tuple(
            InstallmentIn(
                number=int(i["number"]),
                due_date=date.fromisoformat(i["due_date"]),
                principal_cents=to_cents(i["principal"]),
                interest_cents=to_cents(i["interest"]),
            )
            for i in t.installments
        ),
        lapsed_on=t.lapsed_on,
        waives=frozenset(t.waives or ()),
        down_payment_id=t.down_payment_payment_id or None,
        ended_on=t.restructured_on,
    )


def employers_with_agreements(
    *, as_of: date, id_range: tuple[int, int] | None = None, employer_ids: Iterable[int] | None = None
) -> list[int]:
    """Ids (within `id_range` or `employer_ids`) of the employers with an agreement signed by
    `as_of`: the only ones whose statement can have agreement lines and frozen periods (one query)."""
    qs = AgreementTerms.objects.filter(signed_on__lte=as_of)
    if id_range is not None:
        qs = qs.filter(employer_id__gte=id_range[0], employer_id__lte=id_range[1])
    if employer_ids is not None:
        qs = qs.filter(employer_id__in=list(employer_ids))
    return sorted(set(qs.values_list("employer_id", flat=True)))


def statement_for_employer(
    employer: Employer, as_of: date, *, waivers: dict[str, frozenset[str]] | None = None
) -> Statement:
    """The employer's statement as of `as_of` (SPEC §5, §6), with its payment agreements, for
    callers that already checked access (pages after `employer_detail`, the CLI, tasks).
    Four queries: the policy timeline's key (cached), agreement terms, declarations, payments
    (a fifth for the versions when a declaration was ever corrected)."""
    timeline = policy_timeline()
    first = timeline.versions[0].effective_from
    if as_of < first:  # the institute's rules before its first recorded version are not known
        raise ApplicationError(
            f"No hay una versión de la política vigente al {as_of:%d/%m/%Y}: "
            f"la primera rige desde el {first:%d/%m/%Y}."
        )
    return compute_statement(
        employer_number=employer.employer_number,
        declarations=_declarations_in(employer, as_of),
        payments=payments_in(employer, as_of),
        as_of=as_of,
        policy=timeline,
        agreements=agreements_in(employer, as_of),
        waivers=waivers,
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
    """The balance snapshots of the employers the user may see, largest overdue (exigible) debt
    first, then largest total."""
    return (
        BalanceSnapshot.objects.filter(employer__in=visible_employers(user=user))
        .select_related("employer", "employer__branch", "policy_version")
        .order_by("-overdue_outstanding", "-outstanding", "employer__employer_number")
    )


# ------------------------------------------------------------------------------ periods in claim
def suspended_periods(
    *, employers: Employer | int | Iterable[Employer | int], as_of: date
) -> dict[int, set[str]]:
    """`{employer_id: {period, …}}` of the periods whose collection a claim suspends at `as_of`
    (SPEC §8: opened by then and not resumed by then). One query, whatever the number of employers.

    The one place every collection list asks: the worklist (`cases.worklist`), batch letters,
    publication candidates and judicial referral leave these periods out; the statement marks them
    "en reclamo" (their surcharge still accrues). Employers without such periods are absent.
    """
    from cobranza.ledger.models import SuspendedPeriod

    if isinstance(employers, Employer | int):
        employers = [employers]
    ids = [e if isinstance(e, int) else e.pk for e in employers]
    out: dict[int, set[str]] = {}
    if not ids:
        return out
    rows = (
        SuspendedPeriod.objects.filter(employer_id__in=ids, opened_on__lte=as_of)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .values_list("employer_id", "period")
    )
    for employer_id, period in rows:
        out.setdefault(employer_id, set()).add(period)
    return out


def period_claims(*, employer: Employer, as_of: date) -> dict[str, list[str]]:
    """`{period: [claim reference, …]}` of the employer's periods in claim at `as_of` (the
    statement's "en reclamo" mark names the claim)."""
    from cobranza.ledger.models import SuspendedPeriod

    rows = (
        SuspendedPeriod.objects.filter(employer=employer, opened_on__lte=as_of)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .order_by("period", "reference")
        .values_list("period", "reference")
    )
    out: dict[str, list[str]] = {}
    for period, reference in rows:
        out.setdefault(period, []).append(reference)
    return out


@dataclass(frozen=True)
class CollectibleOverdue:
    """An employer's overdue debt without its periods in claim and its prescribed periods: what
    collection may pursue. `suspended_cents` and `prescribed_cents` are the overdue debt left out
    (a period both in claim and prescribed counts as prescribed)."""

    overdue_cents: int
    suspended_cents: int
    overdue_periods: int
    months_in_arrears: int
    oldest_period: str
    prescribed_cents: int = 0
    prescribed_periods: tuple[str, ...] = ()


def collectible_overdue(
    *,
    employer: Employer,
    as_of: date,
    suspended: set[str] | None = None,
    prescribed: set[str] | None = None,
) -> CollectibleOverdue:
    """The overdue debt of the statement at `as_of` less the periods in claim (`suspended`, by
    default `suspended_periods` of the employer) and the prescribed periods (`prescribed`, by
    default `prescribed_periods`). For the few employers with a claim open or a period prescribed:
    lists read the balance snapshot for everybody else."""
    if suspended is None:
        suspended = suspended_periods(employers=employer, as_of=as_of).get(employer.pk, set())
    if prescribed is None:
        prescribed = prescribed_periods(employers=employer, as_of=as_of).get(employer.pk, set())
    statement = statement_for_employer(employer, as_of)
    overdue = [ln for ln in statement.periods if ln.overdue]
    gone = [ln for ln in overdue if ln.period in prescribed]
    held = [ln for ln in overdue if ln.period in suspended and ln.period not in prescribed]
    kept = [ln for ln in overdue if ln.period not in suspended and ln.period not in prescribed]
    return CollectibleOverdue(
        overdue_cents=sum(ln.overdue_cents for ln in kept),
        suspended_cents=sum(ln.overdue_cents for ln in held),
        overdue_periods=len(kept),
        months_in_arrears=max((ln.months_late for ln in kept), default=0),
        oldest_period=kept[0].period if kept else "",
        prescribed_cents=sum(ln.overdue_cents for ln in gone),
        prescribed_periods=tuple(ln.period for ln in gone),
    )


# ------------------------------------------------------------------------------ limitation
def prescribed_periods(
    *, employers: Employer | int | Iterable[Employer | int], as_of: date
) -> dict[int, set[str]]:
    """`{employer_id: {period, …}}` of the periods marked prescribed (SPEC §8) whose limitation date
    is on or before `as_of` (a mark annulled by a late-recorded restart does not count). One query,
    whatever the number of employers; employers without such periods are absent.

    Like `suspended_periods`, every collection list asks it: the worklist, batch letters,
    publication candidates and judicial referral leave these periods out; the statement shows them
    apart ("prescrito"), never deleted.
    """
    if isinstance(employers, Employer | int):
        employers = [employers]
    ids = [e if isinstance(e, int) else e.pk for e in employers]
    out: dict[int, set[str]] = {}
    if not ids:
        return out
    rows = PrescribedPeriod.objects.filter(
        employer_id__in=ids, limitation_date__lte=as_of, revoked_on__isnull=True
    ).values_list("employer_id", "period")
    for employer_id, period in rows:
        out.setdefault(employer_id, set()).add(period)
    return out


@dataclass(frozen=True)
class LimitationInfo:
    """One period's limitation clock at a date (SPEC §4 "limitation")."""

    period: str
    due_date: date
    limitation_date: date  # the day the period prescribes (from the due date or the last restart)
    restarted_on: date | None  # the last restart that counted (before the clock ran out)
    cause: str  # its cause code (LimitationCause), "" without one
    cause_label: str
    reference: str
    prescribed: bool  # marked prescribed (PrescribedPeriod) by `as_of`
    expired: bool  # the limitation date is on or before `as_of` (marked or not yet)
    alert: bool  # prescribes within the policy's `limitation_alert_days` after `as_of`
    days_left: int


def limitation_clock(
    *, due: date, restarts: Iterable[date], years: int, as_of: date
) -> tuple[date, date | None]:
    """`(limitation date, the restart that set it or None)`: `years` from the due date; a restart
    dated on or before `as_of` and BEFORE the clock ran out starts it again from its date; a restart
    on or after the limitation date does not revive a prescribed period (the law's usual reading)."""
    from cobranza.engine.calendar import add_months

    limit, last = add_months(due, 12 * years), None
    for day in sorted(restarts):
        if day > as_of:
            break
        if day < limit:
            limit, last = add_months(day, 12 * years), day
    return limit, last


def limitation_dates(*, employer: Employer, as_of: date) -> dict[str, LimitationInfo]:
    """`{period: LimitationInfo}` for every period the employer declared whose due date is on or
    before `as_of` (paid ones too: callers keep those with debt). The due dates come from the policy
    timeline (each period's own version); `limitation_years` and `limitation_alert_days` from the
    version in force at `as_of`. Four small queries (timeline key, declarations, restarts, marks)."""
    timeline = policy_timeline()
    policy = timeline.at(as_of)
    last_period = f"{as_of.year:04d}-{as_of.month:02d}"
    periods = list(
        Declaration.objects.filter(employer=employer, period__lte=last_period)
        .order_by("period")
        .values_list("period", flat=True)
    )
    restarts: dict[str, list[tuple[date, str, str]]] = {}
    for period, day, cause, reference in (
        LimitationRestart.objects.filter(employer=employer, restarted_on__lte=as_of)
        .order_by("restarted_on", "pk")
        .values_list("period", "restarted_on", "cause", "reference")
    ):
        restarts.setdefault(period, []).append((day, cause, reference))
    marked = prescribed_periods(employers=employer, as_of=as_of).get(employer.pk, set())
    labels = dict(LimitationCause.choices)
    out: dict[str, LimitationInfo] = {}
    for period in periods:
        due = timeline.due_date(period)
        if due > as_of:
            continue
        own = restarts.get(period, [])
        limit, last = limitation_clock(
            due=due, restarts=[d for d, _, _ in own], years=policy.limitation_years, as_of=as_of
        )
        cause = reference = ""
        if last is not None:
            # the last restart of that day (several acts on one day: the latest recorded names it)
            _, cause, reference = [r for r in own if r[0] == last][-1]
        left = (limit - as_of).days
        out[period] = LimitationInfo(
            period=period,
            due_date=due,
            limitation_date=limit,
            restarted_on=last,
            cause=cause,
            cause_label=labels.get(cause, ""),
            reference=reference,
            prescribed=period in marked,
            expired=left <= 0,
            alert=0 < left <= policy.limitation_alert_days,
            days_left=left,
        )
    return out
