"""Reconciliation of a declaration's amounts with the policy's rates (SPEC §5: flagged, never
changed)."""

from __future__ import annotations

from cobranza.engine.money import fmt_rate_percent, fmt_usd, rate_fraction, round_half_up_ratio
from cobranza.engine.policy import Policy

__all__ = ["check_declaration_amounts"]


def check_declaration_amounts(
    *,
    workers: int,
    salary_base_cents: int,
    employer_contribution_cents: int,
    worker_contribution_cents: int,
    policy: Policy,
) -> list[str]:
    """Reconciliation check of a declaration (SPEC §5: flagged, never changed).

    Returns the problems in Spanish (empty list when consistent): a salary base above
    ``workers × salary ceiling``, or a contribution that differs from ``rate × salary base`` by more
    than one cent per worker (the declaration rounds worker by worker, the check on the total).
    """
    problems: list[str] = []
    ceiling = workers * policy.salary_ceiling_cents
    if salary_base_cents > ceiling:
        problems.append(
            f"El salario afecto {fmt_usd(salary_base_cents)} supera el máximo cotizable de {workers} "
            f"trabajador(es) × {fmt_usd(policy.salary_ceiling_cents)} = {fmt_usd(ceiling)}."
        )
    tolerance = max(workers, 1)
    for label, rate, declared in (
        ("patronal", policy.employer_rate, employer_contribution_cents),
        ("laboral", policy.worker_rate, worker_contribution_cents),
    ):
        num, den = rate_fraction(rate)
        expected = round_half_up_ratio(salary_base_cents * num, den)
        if abs(declared - expected) > tolerance:
            problems.append(
                f"La cotización {label} {fmt_usd(declared)} no coincide con {fmt_rate_percent(rate)} de "
                f"{fmt_usd(salary_base_cents)} = {fmt_usd(expected)} (diferencia {fmt_usd(declared - expected)})."
            )
    return problems
