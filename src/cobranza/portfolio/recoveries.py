"""What was recovered, and by whom (SPEC §9).

*Recovered* is what payments paid on periods that were **overdue on the payment's date**: the
statement engine's own allocation (`Statement.allocations`) says which payment paid what on which
period; an allocation counts when the payment's date is after that period's due date (the period
was in arrears when the money came in). The interest of a payment agreement counts too: an
agreement only covers periods that were overdue when it was drafted. What a payment paid on a
period not yet due (the current month), credit carried forward and applied later, and what was
left over as credit do not count.

Each recovered amount is credited to the collector who **held the employer on the payment's date**
(the assignment history: `Assignment.start_on` inclusive to `end_on` exclusive), not to today's
collector; nothing is credited for a day the employer had no collector.

Only employers with an assignment overlapping the range are computed (one statement each, as of
the business date: what is known today about where each payment went).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from cobranza.common.dates import business_date
from cobranza.employers.models import Employer
from cobranza.portfolio.models import Assignment

__all__ = ["Recovery", "assignment_history", "holder_on", "recoveries", "recovered_cents_of"]


@dataclass(frozen=True, slots=True)
class Recovery:
    """`cents` of payment `payment_id` (dated `paid_on`) went to periods overdue that day (or to an
    agreement's interest), credited to `collector_id` (None: nobody held the employer)."""

    employer_id: int
    payment_id: str
    paid_on: date
    cents: int
    collector_id: int | None


def recovered_cents_of(statement, date_from: date, date_to: date) -> dict[tuple[str, date], int]:  # type: ignore[no-untyped-def]
    """{(payment id, payment date): cents} that the statement's payments dated in the range paid on
    periods overdue on their date (and on agreement interest). Pure: reads only the statement."""
    due = {line.period: line.due_date for line in statement.periods}
    out: dict[tuple[str, date], int] = defaultdict(int)
    for a in statement.allocations:
        if a.from_credit or not (date_from <= a.paid_on <= date_to):
            continue
        if a.component == "agreement_interest" or (
            a.period is not None and a.period in due and a.paid_on > due[a.period]
        ):
            out[(a.payment_id, a.paid_on)] += a.cents
    return dict(out)


def assignment_history(
    employer_ids: list[int], date_from: date, date_to: date
) -> dict[int, list[tuple[date, date | None, int]]]:
    rows = (
        Assignment.objects.filter(employer_id__in=employer_ids, start_on__lte=date_to)
        .exclude(end_on__isnull=False, end_on__lte=date_from)
        .order_by("start_on", "pk")
        .values_list("employer_id", "start_on", "end_on", "collector_id")
    )
    out: dict[int, list[tuple[date, date | None, int]]] = defaultdict(list)
    for employer_id, start_on, end_on, collector_id in rows:
        out[employer_id].append((start_on, end_on, collector_id))
    return out


def holder_on(history: list[tuple[date, date | None, int]], day: date) -> int | None:
    """The collector who held the employer on `day` (the latest assignment started by then)."""
    held = None
    for start_on, end_on, collector_id in history:
        if start_on <= day and (end_on is None or day < end_on):
            held = collector_id
    return held


def recoveries(
    *, employers: Iterable[Employer] | None = None, date_from: date, date_to: date, as_of: date | None = None
) -> list[Recovery]:
    """Every recovered amount of the range, payment by payment, with the collector credited.
    `employers`: a queryset or list (e.g. a user's visible employers); all when None."""
    from cobranza.ledger.models import Payment
    from cobranza.ledger.selectors import statement_for_employer

    as_of = as_of or business_date()
    held = Assignment.objects.filter(start_on__lte=date_to).exclude(
        end_on__isnull=False, end_on__lte=date_from
    )
    paying = Payment.objects.filter(paid_on__gte=date_from, paid_on__lte=min(date_to, as_of))
    qs = Employer.objects.filter(pk__in=held.values("employer_id")).filter(
        pk__in=paying.values("employer_id")
    )
    if employers is not None:
        ids = employers.values("pk") if hasattr(employers, "values") else [e.pk for e in employers]
        qs = qs.filter(pk__in=ids)
    targets = list(qs.order_by("pk"))
    history = assignment_history([e.pk for e in targets], date_from, date_to)
    out: list[Recovery] = []
    for employer in targets:
        statement = statement_for_employer(employer, as_of)
        for (payment_id, paid_on), cents in sorted(recovered_cents_of(statement, date_from, date_to).items()):
            if cents:
                out.append(
                    Recovery(
                        employer.pk, payment_id, paid_on, cents, holder_on(history[employer.pk], paid_on)
                    )
                )
    return out
