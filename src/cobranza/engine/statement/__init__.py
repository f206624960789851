"""One employer's statement (estado de cuenta) — SPEC §5. Read in this order:

* ``model``: what goes in (declarations with their corrections, payments) and what comes out
  (allocations, period lines, totals, the statement);
* ``compute``: the rules (module docstring) and the statement's lines and totals;
* ``periods``: a declared period's version in force, due date, fine and running state;
* ``allocation``: where every cent of every payment and of the credit goes, agreements included;
* ``explain``: the Spanish explanation of every figure;
* ``reconcile``: declared amounts against the policy's rates.
"""

from cobranza.engine.statement.compute import compute_statement, fine_amount, fine_base, in_force
from cobranza.engine.statement.model import (
    COMPONENT_ES,
    CREDIT_PAYMENT_ID,
    ORIGINS,
    STATUS_ES,
    STATUSES,
    AgreementIn,
    AgreementLine,
    Allocation,
    Correction,
    DeclarationIn,
    EmployerSummary,
    InstallmentIn,
    InstallmentLine,
    PaymentIn,
    PeriodLine,
    Piece,
    Statement,
    StatementTotals,
)
from cobranza.engine.statement.reconcile import check_declaration_amounts

__all__ = [
    "COMPONENT_ES",
    "CREDIT_PAYMENT_ID",
    "ORIGINS",
    "STATUSES",
    "STATUS_ES",
    "AgreementIn",
    "AgreementLine",
    "Allocation",
    "Correction",
    "DeclarationIn",
    "EmployerSummary",
    "InstallmentIn",
    "InstallmentLine",
    "PaymentIn",
    "PeriodLine",
    "Piece",
    "Statement",
    "StatementTotals",
    "check_declaration_amounts",
    "compute_statement",
    "fine_amount",
    "fine_base",
    "in_force",
]
