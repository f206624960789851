"""The employer page's periods table at scale (issue 15, item 7): a page of periods at a time (the
most recent first, optionally only those with something outstanding) and the per-period drill-down
(explanation, declaration versions, which payment paid what) fetched on demand.

The totals, the aging and the agreement rows above and beside the table always come from the whole
statement; only the rows listed and the detail of each one are cut.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, QueryDict

from cobranza.common.sanitize import bounded_page
from cobranza.engine.statement import COMPONENT_ES, Statement

#: Periods per page of the employer's statement table: two years of monthly periods.
PERIODS_PER_PAGE = 24
PAGE_PARAM = "periodos"
PENDING_PARAM = "pendientes"


def allocation_rows(statement: Statement, period: str) -> list[dict[str, Any]]:
    """Which payment (or credit carried forward) paid what of one period, for its drill-down."""
    return [
        {
            "payment_id": a.payment_id,
            "paid_on": a.paid_on,
            "cents": a.cents,
            "component_label": COMPONENT_ES[a.component],
            "payer": "saldo a favor aplicado" if a.from_credit else a.payment_id,
        }
        for a in statement.allocations
        if a.period == period
    ]


def period_page_of(rows: list[dict[str, Any]], period: str, *, pending_only: bool = False) -> int:
    """The page number (1-based) of the table that lists `period` (1 when it is not listed)."""
    listed = [r for r in rows if r["line"].outstanding_cents] if pending_only else rows
    for index, row in enumerate(listed):
        if row["line"].period == period:
            return index // PERIODS_PER_PAGE + 1
    return 1


def period_page_context(request: HttpRequest, statement: Statement, rows: list[dict[str, Any]]) -> dict:
    """The page of `rows` (the section's period rows, most recent first) the request asks for.

    `?periodos=N` picks the page (out of range: the nearest one), `?pendientes=1` lists only the
    periods with something outstanding. The query of the links keeps the statement's date.
    """
    pending_only = request.GET.get(PENDING_PARAM) == "1"
    pending = sum(1 for r in rows if r["line"].outstanding_cents)
    listed = [r for r in rows if r["line"].outstanding_cents] if pending_only else rows
    paginator = Paginator(listed, PERIODS_PER_PAGE)
    page = paginator.get_page(bounded_page(request.GET.get(PAGE_PARAM)))
    base = QueryDict(mutable=True)
    base["as_of"] = statement.as_of.isoformat()
    if pending_only:
        base[PENDING_PARAM] = "1"
    all_query = QueryDict(mutable=True)
    all_query["as_of"] = statement.as_of.isoformat()
    pending_query = all_query.copy()
    pending_query[PENDING_PARAM] = "1"
    return {
        "periods": list(page.object_list),
        "period_page": page,
        "period_page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "period_query": base.urlencode(),
        "period_all_query": all_query.urlencode(),
        "period_pending_query": pending_query.urlencode(),
        "periods_total": len(rows),
        "periods_pending": pending,
        "periods_pending_only": pending_only,
        "period_page_param": PAGE_PARAM,
    }
