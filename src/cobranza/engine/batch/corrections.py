"""Corrections of declarations (SPEC §3) and the fine base (rule 2 of
:mod:`cobranza.engine.statement.compute`), resolved columnar for every declaration at once — the
same answer as ``statement.periods.in_force`` and ``fine_base`` give one declaration at a time.

The corrections frame has one row per later version of a declaration: ``employer_number``,
``period``, ``filed_on``, ``contribution_cents``, ``worker_cents``; the rows of one period are in
filing order, i.e. sorted by ``filed_on`` with ties kept in the frame's order (as
``DeclarationIn.corrections``). Only those filed on or before the as-of date count:

* the version **in force** is the last of them (or the first filing when there is none);
* the **fine base** is the whole contribution in force when the first filing was de oficio,
  undated or filed after the due date; otherwise the increase over the last version filed by the
  due date (``max(0, …)``: a downward correction is never fined).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from cobranza.engine.batch.kernel import I32, I64
from cobranza.engine.batch.prepare import OFICIO, Ordered, cast_frame
from cobranza.engine.calendar import parse_period

__all__ = ["CORRECTION_SCHEMA", "Versions", "fine_bases", "versions_in_force"]

CORRECTION_SCHEMA: dict[str, pl.DataType] = {
    "employer_number": pl.String(),
    "period": pl.String(),
    "filed_on": pl.Date(),
    "contribution_cents": pl.Int64(),
    "worker_cents": pl.Int64(),
}


@dataclass(frozen=True)
class Versions:
    """Per declaration row: contribution and worker share in force at the as-of date; ``rows``:
    the rows with a correction counted, and ``on_time``: at those rows, the contribution of the
    last version filed by the due date (the first filing when no correction was)."""

    contrib: I64
    worker: I64
    rows: I64
    on_time: I64


def versions_in_force(corrections: pl.DataFrame | None, o: Ordered, d_due: I32, as_of: date) -> Versions:
    """The versions of ``o.decl``'s declarations in force at ``as_of`` (``d_due``: due dates).

    Corrections of a period not begun by ``as_of`` are ignored (as the period is); one of a begun
    period whose declaration is not in the frame is refused."""
    contrib = np.ascontiguousarray(o.decl["contribution_cents"].to_numpy(), dtype=np.int64)
    worker = np.ascontiguousarray(o.decl["worker_cents"].to_numpy(), dtype=np.int64)
    none = Versions(contrib, worker, np.zeros(0, np.int64), np.zeros(0, np.int64))
    if corrections is None or corrections.height == 0:
        return none
    corr = _checked(corrections)
    row, matched = _declaration_rows(corr, o)
    if not matched.all():
        _refuse_orphans(corr.filter(pl.Series(~matched)), as_of)
    filed = corr["filed_on"].cast(pl.Int32).to_numpy().astype(np.int64)
    counts = matched & (filed <= (as_of - date(1970, 1, 1)).days)
    if not counts.any():
        return none
    versions = pl.DataFrame(
        {
            "row": row[counts],
            "filed": filed[counts],
            "due": d_due[row[counts]].astype(np.int64),
            "seq": np.flatnonzero(counts),
            "contribution": corr["contribution_cents"].to_numpy()[counts],
            "worker": corr["worker_cents"].to_numpy()[counts],
        }
    ).sort(["row", "filed", "seq"])  # filing order inside each declaration
    last = versions.group_by("row", maintain_order=True).last()
    rows = last["row"].to_numpy()
    contrib_now = contrib.copy()
    worker_now = worker.copy()
    contrib_now[rows] = last["contribution"].to_numpy()
    worker_now[rows] = last["worker"].to_numpy()
    on_time = contrib[rows]  # the first filing, unless a version was filed by the due date
    by_due = versions.filter(pl.col("filed") <= pl.col("due")).group_by("row", maintain_order=True).last()
    on_time[np.searchsorted(rows, by_due["row"].to_numpy())] = by_due["contribution"].to_numpy()
    return Versions(contrib_now, worker_now, rows, on_time)


def fine_bases(o: Ordered, d_due: I32, v: Versions) -> I64:
    """The part of each contribution in force the fine is on (rule 2)."""
    late = o.decl[OFICIO].to_numpy() | (
        o.decl["filed_on"].cast(pl.Int32).fill_null(np.iinfo(np.int32).max).to_numpy() > d_due
    )
    base = np.where(late, v.contrib, 0)
    if len(v.rows):
        now = v.contrib[v.rows]
        base[v.rows] = np.where(late[v.rows], now, np.maximum(now - v.on_time, 0))
    return base.astype(np.int64, copy=False)


def _declaration_rows(corr: pl.DataFrame, o: Ordered) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Row of ``o.decl`` of each correction (employer and period) and whether there is one. An
    employer's periods are usually consecutive months, so the row is guessed from its first period
    and checked; the others are looked up in the sorted key (employer code × months + period
    code)."""
    n_d = len(o.decl)
    no_row = np.zeros(corr.height, np.int64), np.zeros(corr.height, np.bool_)
    if n_d == 0:
        return no_row
    emp = o.employers.search_sorted(corr["employer_number"]).to_numpy().astype(np.int64)
    emp = np.minimum(emp, len(o.employers) - 1)
    emp_ok = (o.employers.gather(emp) == corr["employer_number"]).to_numpy()
    code_s = corr["period"].cast(pl.Enum(o.months), strict=False).to_physical()
    code_ok = code_s.is_not_null().to_numpy()
    code = code_s.fill_null(0).cast(pl.Int64).to_numpy()
    start = o.d_off[emp]
    end = o.d_off[emp + 1]
    row = np.clip(start + code - o.d_code[np.minimum(start, n_d - 1)], 0, n_d - 1)
    found = (row >= start) & (row < end) & (o.d_code[row] == code)
    missed = np.flatnonzero(~found & emp_ok & code_ok)
    if len(missed):  # a gap in the employer's periods: search
        key = (
            np.repeat(np.arange(len(o.employers), dtype=np.int64), np.diff(o.d_off)) * len(o.months)
            + o.d_code
        )
        wanted = emp[missed] * len(o.months) + code[missed]
        at = np.minimum(np.searchsorted(key, wanted), n_d - 1)
        row[missed] = at
        found[missed] = key[at] == wanted
    return row, found & emp_ok & code_ok


def _checked(corrections: pl.DataFrame) -> pl.DataFrame:
    corr = cast_frame(corrections, CORRECTION_SCHEMA, "correcciones")
    if sum(corr[c].null_count() for c in corr.columns):
        raise ValueError(
            "correcciones: employer_number, period, filed_on, contribution_cents y worker_cents son obligatorios"
        )
    if corr["contribution_cents"].min() < 0 or corr["worker_cents"].min() < 0:  # type: ignore[operator]
        raise ValueError("correcciones: una cotización no puede ser negativa")
    if (corr["worker_cents"] > corr["contribution_cents"]).any():
        raise ValueError("correcciones: la cotización laboral no puede exceder la cotización total")
    return corr


def _refuse_orphans(orphans: pl.DataFrame, as_of: date) -> None:
    """Corrections that match no declaration: refused when their period has begun by ``as_of``
    (malformed periods too), ignored otherwise."""
    last = as_of.year * 12 + as_of.month - 1
    begun: list[str] = []
    for period in orphans["period"].unique().to_list():
        try:
            year, month = parse_period(period)
        except ValueError as exc:
            raise ValueError(f"correcciones: {exc}") from None
        if year * 12 + month - 1 <= last:
            begun.append(period)
    if begun:
        emp, period = orphans.filter(pl.col("period").is_in(begun)).row(0)[:2]
        raise ValueError(
            f"correcciones: la planilla {period} del patrono {emp} no está entre las planillas "
            "(una corrección necesita la primera presentación)"
        )
