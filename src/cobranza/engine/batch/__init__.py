"""Every employer's statement at once (the portfolio recompute): the same rules as
``engine.statement`` (see the rules in ``statement/compute.py``), under the same policy timeline.

Read in this order:

* ``compute``: :func:`compute_batch`, the steps from the input frames to the result;
* ``prepare``: Polars — checks, order (employer, period / employer, paid_on, payment_id), each
  employer's rows, period codes;
* ``corrections``: the version of each declaration in force at the as-of date and its fine base;
* ``tables``: the policy timeline as integer arrays (due dates, fine rates, cumulative surcharge
  and interest units, allocation orders, amnesty windows) and the int64 safety check;
* ``kernel``: the numba kernel — payments and credit carried forward allocated employer by
  employer over the sorted arrays of all of them, then each period's figures — and the layout
  of the arrays it reads and writes;
* ``result``: :class:`BatchResult` (frames with the columns of ``PeriodLine`` and
  ``EmployerSummary``).

All arithmetic is exact integers: surcharges accumulate in cents × cumulative rate units over the
timeline's common denominator, interest in cents × cumulative daily units over that denominator
× 365; each component is rounded half-up once with integer division. Agreements, freezes and
waivers are not handled here: employers with them go through ``compute_statement``.
"""

from cobranza.engine.batch.compute import compute_batch
from cobranza.engine.batch.corrections import CORRECTION_SCHEMA
from cobranza.engine.batch.prepare import DECLARATION_SCHEMA, PAYMENT_SCHEMA
from cobranza.engine.batch.result import EMPLOYER_COLUMNS, PERIOD_COLUMNS, STATUS_ENUM, BatchResult

__all__ = [
    "CORRECTION_SCHEMA",
    "DECLARATION_SCHEMA",
    "EMPLOYER_COLUMNS",
    "PAYMENT_SCHEMA",
    "PERIOD_COLUMNS",
    "STATUS_ENUM",
    "BatchResult",
    "compute_batch",
]
