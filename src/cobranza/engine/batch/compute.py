"""``compute_batch``: the steps from the input frames to the result, in order."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from cobranza.engine.batch.corrections import fine_bases, versions_in_force
from cobranza.engine.batch.kernel import (
    CODE_DUE,
    EMP_COLUMNS,
    ROW_COLUMNS,
    SCALAR_AS_OF,
    SCALAR_BASE,
    SCALAR_INTEREST_ON,
    SCALAR_REF_SHIFT,
    SCALAR_UNIT,
    kernel,
    readonly,
)
from cobranza.engine.batch.prepare import order_frames, period_index, reference_codes, validate_frames
from cobranza.engine.batch.result import BatchResult, employer_frame, period_frame
from cobranza.engine.batch.tables import build_tables, check_magnitudes, epoch, fine_amounts
from cobranza.engine.policy import Policy
from cobranza.engine.timeline import PolicyTimeline, as_timeline

__all__ = ["compute_batch"]


def compute_batch(
    declarations: pl.DataFrame,
    payments: pl.DataFrame,
    as_of: date,
    policy: Policy | PolicyTimeline,
    corrections: pl.DataFrame | None = None,
) -> BatchResult:
    """All employers' statements as of ``as_of`` — equal, row by row, to ``compute_statement``
    with the same timeline (``policy``: a :class:`PolicyTimeline`, or one :class:`Policy`).

    ``declarations`` (the **first** filing of each period): employer_number str, period str
    (YYYY-MM), contribution_cents i64, filed_on date (nullable), origin str (employer|de_oficio),
    and optionally worker_cents i64 (0 when missing).
    ``payments``: payment_id str, employer_number str, paid_on date, amount_cents i64, period str
    (nullable).
    ``corrections`` (optional, later versions of declarations): employer_number, period, filed_on,
    contribution_cents, worker_cents; the rows of one period in filing order (see
    :mod:`.corrections`).

    Fastest when already ordered by (employer_number, period) and (employer_number, paid_on,
    payment_id); otherwise sorted here first. ``payment_id`` is assumed unique (a database
    constraint); only repeats within the same employer and day are detected here. Agreements,
    freezes and waivers are not handled: employers with them go through ``compute_statement``.
    """
    tl = as_timeline(policy)
    decl, pay = validate_frames(declarations, payments)
    o = order_frames(decl, pay)
    t = build_tables(tl, o.months, as_of)

    # ---- per declaration: due date, version in force, fine
    d_due = np.ascontiguousarray(t.codes[CODE_DUE][o.d_code], dtype=np.int32)
    versions = versions_in_force(corrections, o, d_due, as_of)
    contrib, worker = versions.contrib, versions.worker
    fine_base = fine_bases(o, d_due, versions)
    p_amount = np.ascontiguousarray(o.pay["amount_cents"].to_numpy(), dtype=np.int64)
    check_magnitudes(
        int(contrib.max(initial=0)),
        int(fine_base.max(initial=0)),
        int(p_amount.max(initial=0)) * int(np.diff(o.p_off).max(initial=0)),
        t,
    )
    d_fine = fine_amounts(fine_base, o.d_code, t)

    # ---- per payment: referenced period as a code
    p_ref, ref_first = reference_codes(o.pay["period"], o.months)
    scalars = np.zeros(5, np.int64)
    scalars[SCALAR_AS_OF] = epoch(as_of)
    scalars[SCALAR_BASE] = t.base
    scalars[SCALAR_UNIT] = t.unit
    scalars[SCALAR_INTEREST_ON] = int(t.interest_on)
    scalars[SCALAR_REF_SHIFT] = ref_first - (period_index(o.months[0]) if o.months else 0)

    # ---- the kernel: inputs read-only (one compiled signature), outputs one row per column
    n_d = len(o.decl)
    out = np.empty((len(ROW_COLUMNS), n_d), dtype=np.int64)
    o_months = np.empty(n_d, np.int32)
    o_status = np.empty(n_d, np.int8)
    o_valid = np.empty(n_d, np.uint8)
    emp_out = np.empty((len(EMP_COLUMNS), len(o.employers)), dtype=np.int64)
    ro = readonly
    kernel(
        ro(o.d_off),
        ro(o.p_off),
        ro(o.d_code),
        ro(contrib),
        ro(worker),
        ro(d_fine),
        ro(o.p_day),
        ro(p_amount),
        ro(p_ref),
        ro(t.codes),
        ro(t.steps),
        ro(t.days),
        ro(t.v_from),
        ro(t.v_order),
        ro(t.amnesties),
        ro(scalars),
        out,
        o_months,
        o_status,
        o_valid,
        emp_out,
    )
    return BatchResult(
        as_of=as_of,
        policy_version=tl.at(as_of).version,
        periods=period_frame(o.decl, d_due, contrib, worker, out, o_months, o_status, o_valid),
        employers=employer_frame(o.employers, emp_out, o.months),
        timeline=tl,
    )
