"""Cobranza's calculation engine: pure Python (no Django), exact integer cents.

Modules: ``money`` (cents, rounding, splitting), ``calendar`` (periods, business days, due dates,
months late), ``policy`` (versioned parameters), ``statement`` (one employer's statement),
``batch`` (all employers at once: Polars + a numba kernel; import it explicitly, it loads numba),
``agreements`` (payment-agreement options, schedules and lapse).
"""

from cobranza.engine.policy import Policy, PolicyError, default_policy, select_policy
from cobranza.engine.statement import (
    Allocation,
    DeclarationIn,
    PaymentIn,
    PeriodLine,
    Statement,
    compute_statement,
)

__all__ = [
    "Allocation",
    "DeclarationIn",
    "PaymentIn",
    "PeriodLine",
    "Policy",
    "PolicyError",
    "Statement",
    "compute_statement",
    "default_policy",
    "select_policy",
]
