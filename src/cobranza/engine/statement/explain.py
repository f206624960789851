"""The Spanish explanation of every figure of a period: rule, rates, the policy versions that
contributed, the declaration's versions, and which payments (or credit carried forward) paid what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from cobranza.engine.calendar import add_months, months_late
from cobranza.engine.money import fmt_rate_percent, fmt_usd, rate_fraction, round_half_up_ratio
from cobranza.engine.statement.model import STATUS_ES, Allocation, PeriodLine

if TYPE_CHECKING:
    from cobranza.engine.statement.model import Statement

__all__ = ["explain_agreement", "explain_line"]


def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _fmt_exact_cents(x: Fraction) -> str:
    """An exact amount in cents as dollars with every significant decimal (≈ when not finite)."""
    dollars = x / 100
    for places in range(2, 13):
        q = dollars * 10**places
        if q.denominator == 1:
            whole, frac = divmod(q.numerator, 10**places)
            tail = f"{frac:0{places}d}".rstrip("0").ljust(2, "0")
            return f"${whole:,}.{tail}"
    approx = round_half_up_ratio(dollars.numerator * 10**6, dollars.denominator)
    whole, frac = divmod(approx, 10**6)
    return f"≈ ${whole:,}.{frac:06d}"


def _months_word(n: int) -> str:
    return "1 mes" if n == 1 else f"{n} meses"


def _effective(t: date, freeze: date | None) -> date:
    return t if freeze is None or t <= freeze else freeze


def explain_agreement(stmt: Statement, number: str) -> str:
    """Spanish explanation of an agreement's line: its interest per installment, due and paid."""
    ag = next(a for a in stmt.agreements if a.number == number)
    parts = []
    for item in ag.items[1:]:
        state = (
            "pagado"
            if item.interest_paid_cents >= item.interest_cents and item.interest_cents
            else "pendiente"
        )
        due = "vence" if item.due_date > stmt.as_of else "venció"
        parts.append(
            f"cuota {item.number} ({due} el {_d(item.due_date)}): interés {fmt_usd(item.interest_cents)}, "
            f"pagado {fmt_usd(item.interest_paid_cents)} ({state})"
        )
    paid_by = [a for a in stmt.allocations if a.component == "agreement_interest" and a.agreement == number]
    who = "; ".join(_who(a) for a in paid_by)
    return (
        f"Interés de convenio {number}: ingreso del Instituto, no dinero del patrono; cada cuota carga su interés "
        f"el día de su vencimiento (o cuando se paga por adelantado). " + "; ".join(parts) + ". "
        f"Cargado al {_d(stmt.as_of)}: {fmt_usd(ag.interest_cents)}; pagado {fmt_usd(ag.interest_paid_cents)}"
        + (f" ({who})" if who else "")
        + f"; pendiente {fmt_usd(ag.interest_outstanding_cents)}. Capital del convenio pagado "
        f"{fmt_usd(ag.principal_paid_cents)} de {fmt_usd(ag.principal_cents)}."
    )


def _who(a: Allocation) -> str:
    if a.from_credit:
        return f"saldo a favor aplicado el {_d(a.paid_on)}: {fmt_usd(a.cents)}"
    return f"pago {a.payment_id} del {_d(a.paid_on)}: {fmt_usd(a.cents)}"


def _month_runs(stmt: Statement, due: date, months: int) -> list[tuple[int, int, Decimal, str, bool]]:
    """Runs of months of delay charged alike: (first month, last month, rate, version, capped)."""
    tl = stmt.timeline
    runs: list[tuple[int, int, Decimal, str, bool]] = []
    for k in range(1, months + 1):
        begins = add_months(due, k - 1) + timedelta(days=1)
        p = tl.at(begins)
        capped = k > p.surcharge_max_months
        rate = Decimal(0) if capped else p.surcharge_monthly_rate
        if runs and runs[-1][2:] == (rate, p.version, capped):
            runs[-1] = (runs[-1][0], k, rate, p.version, capped)
        else:
            runs.append((k, k, rate, p.version, capped))
    return runs


def _months_expr(runs: list[tuple[int, int, Decimal, str, bool]], m: int) -> str:
    """``23 × 1 % + 1 × 2 %``: the first ``m`` months of delay by rate."""
    parts = []
    for first, last, rate, _version, capped in runs:
        if first > m:
            break
        n = min(last, m) - first + 1
        if not capped:
            parts.append(f"{n} × {fmt_rate_percent(rate)}")
    return " + ".join(parts) or "0"


def explain_line(stmt: Statement, ln: PeriodLine, allocs: list[Allocation]) -> str:
    tl = stmt.timeline
    policy = tl.for_period(ln.period)
    as_of = stmt.as_of
    eff_a = _effective(as_of, ln.frozen_on)
    unit = tl.unit_den
    lines: list[str] = []

    if ln.origin == "de_oficio" or ln.filed_on is None:
        filed = "planilla de oficio (elaborada por el Instituto)"
    else:
        filed = f"planilla presentada el {_d(ln.filed_on)}"
    lines.append(
        f"Período {ln.period} ({filed}). Vence el {_d(ln.due_date)}: {policy.due_business_day}.º día hábil del mes "
        f"siguiente (política {policy.version}, vigente al presentarse la planilla). Estado al {_d(as_of)}: "
        f"{STATUS_ES[ln.status]}."
    )
    if ln.versions:
        history = "; ".join(
            f"corrección del {_d(c.filed_on)}: {fmt_usd(c.contribution_cents)}" for c in ln.versions
        )
        lines.append(
            f"Versiones de la planilla: original {fmt_usd(ln.first_contribution_cents)}; {history}. "
            f"Rige la última presentada hasta el {_d(as_of)}; la multa se decide por la primera presentación."
        )
    if ln.agreement is not None and ln.frozen_on is not None:
        lines.append(
            f"Cubierto por el convenio de pago {ln.agreement}: su deuda quedó fija a la fecha del borrador, el "
            f"{_d(ln.frozen_on)} (recargo, multa e intereses se calculan a esa fecha); lo pagan la prima y el capital "
            f"de las cuotas del convenio."
        )
    elif ln.frozen_on is not None:
        lines.append(
            f"Congelado por convenio de pago el {_d(ln.frozen_on)}: recargo, multa e intereses se calculan a esa fecha."
        )

    def paid_by(component: str) -> str:
        rows = [a for a in allocs if a.component == component]
        if not rows:
            return ""
        return " (" + "; ".join(_who(a) for a in rows) + ")"

    worker = ""
    if ln.worker_share_cents:
        worker = (
            f" De ella, cuota laboral {fmt_usd(ln.worker_share_cents)} (se paga primero); "
            f"cuota laboral retenida no enterada {fmt_usd(ln.worker_share_outstanding_cents)}."
        )
    lines.append(
        f"Cotización: {fmt_usd(ln.contribution_cents)}; pagado {fmt_usd(ln.contribution_paid_cents)}"
        f"{paid_by('contribution')}; pendiente {fmt_usd(ln.contribution_outstanding_cents)}.{worker}"
    )

    # surcharge
    weighted = Fraction(0)
    steps_needed = max([pc.months_late for pc in ln.pieces] + [months_late(ln.due_date, eff_a)])
    steps = tl.surcharge_steps(ln.due_date, steps_needed)
    for pc in ln.pieces:
        weighted += Fraction(pc.cents * steps[pc.months_late], unit)
    unpaid = ln.contribution_outstanding_cents
    m_a = months_late(ln.due_date, eff_a)
    if unpaid:
        weighted += Fraction(unpaid * steps[m_a], unit)

    def terms_single(charged: Callable[[int], str]) -> list[str]:
        out = [
            f"{fmt_usd(pc.cents)} pagados el {_d(pc.paid_on)} × {charged(pc.months_late)}" for pc in ln.pieces
        ]
        if unpaid:
            out.append(f"{fmt_usd(unpaid)} pendientes al {_d(eff_a)} × {charged(m_a)}")
        return out

    def terms_multi(expr: Callable[[int], str]) -> list[str]:
        out = [
            f"{fmt_usd(pc.cents)} pagados el {_d(pc.paid_on)} × ({expr(pc.months_late)})" for pc in ln.pieces
        ]
        if unpaid:
            out.append(f"{fmt_usd(unpaid)} pendientes al {_d(eff_a)} × ({expr(m_a)})")
        return out

    months_charged = max([pc.months_late for pc in ln.pieces] + ([m_a] if unpaid else []) + [0])
    runs = _month_runs(stmt, ln.due_date, months_charged)
    waived_by = f" ({', '.join(ln.waived_by)})" if ln.waived_by else ""
    single = len({(r[2], r[3]) for r in runs if not r[4]}) <= 1
    if single:
        rate = runs[0][2] if runs and not runs[0][4] else policy.surcharge_monthly_rate
        version = runs[0][3] if runs else policy.version
        cap = tl.at(add_months(ln.due_date, 0) + timedelta(days=1)).surcharge_max_months
        rule = (
            f"{fmt_rate_percent(rate)} por mes o fracción de atraso, simple, máximo {cap} meses; "
            f"política {version}"
        )

        def charged(m: int) -> str:
            return _months_word(min(m, cap))

        body = f"({' + '.join(terms_single(charged))}) × {fmt_rate_percent(rate)}"
    else:
        rule = "por mes o fracción de atraso, simple; cada mes a la tasa vigente al comenzar: " + "; ".join(
            (f"mes {a}" if a == b else f"meses {a} a {b}")
            + (" sin recargo (tope de meses)" if capped else f" al {fmt_rate_percent(r)}")
            + f" (política {v})"
            for a, b, r, v, capped in runs
        )
        body = " + ".join(terms_multi(lambda m: _months_expr(runs, m)))
    if "surcharge" in ln.waived:
        lines.append(
            f"Recargo: condonado por amnistía{waived_by} (cotización pagada completa dentro de la ventana); "
            f"pagado antes {fmt_usd(ln.surcharge_paid_cents)}."
        )
    elif weighted == 0:
        lines.append(f"Recargo ({rule}): $0.00, sin atraso a la fecha.")
    else:
        lines.append(
            f"Recargo ({rule}): {body} = {_fmt_exact_cents(weighted)} → "
            f"{fmt_usd(ln.surcharge_cents)} (redondeo al centavo, mitad hacia arriba); pagado "
            f"{fmt_usd(ln.surcharge_paid_cents)}{paid_by('surcharge')}; pendiente {fmt_usd(ln.surcharge_outstanding_cents)}."
        )

    # fine
    if not policy.fine_enabled:
        lines.append(f"Multa: desactivada en la política {policy.version}.")
    elif ln.fine_base_cents == 0:
        if (
            ln.versions
            and ln.filed_on is not None
            and ln.filed_on <= ln.due_date
            and ln.origin != "de_oficio"
        ):
            lines.append(
                "Multa: no aplica (primera planilla a tiempo; las correcciones no aumentaron la cotización)."
            )
        else:
            lines.append("Multa: no aplica (planilla presentada a tiempo).")
    else:
        first_late = ln.origin == "de_oficio" or ln.filed_on is None or ln.filed_on > ln.due_date
        if ln.origin == "de_oficio" or ln.filed_on is None:
            reason = "planilla de oficio"
        elif first_late:
            reason = f"primera planilla presentada después del vencimiento ({_d(ln.filed_on)})"
        else:
            reason = "planilla complementaria presentada después del vencimiento: solo sobre el aumento"
        fine_rate = fmt_rate_percent(policy.fine_rate)
        num, den = rate_fraction(policy.fine_rate)
        amount = Fraction(ln.fine_base_cents * num, den)
        if "fine" in ln.waived:
            lines.append(
                f"Multa: condonada por amnistía{waived_by}; pagado antes {fmt_usd(ln.fine_paid_cents)}."
            )
        elif ln.fine_cents == 0:
            lines.append(
                f"Multa: {fine_rate} de {fmt_usd(ln.fine_base_cents)} por {reason} (política {policy.version}); "
                f"exigible a partir del día siguiente al vencimiento, aún no exigible."
            )
        else:
            lines.append(
                f"Multa: {fine_rate} de {fmt_usd(ln.fine_base_cents)} = {_fmt_exact_cents(amount)} → "
                f"{fmt_usd(ln.fine_cents)}, por {reason}, una sola vez (política {policy.version}); pagado "
                f"{fmt_usd(ln.fine_paid_cents)}{paid_by('fine')}; pendiente {fmt_usd(ln.fine_outstanding_cents)}."
            )

    # interest
    if not tl.interest_ever:
        lines.append(f"Interés moratorio: desactivado en la política {stmt.policy.version}.")
    elif "interest" in ln.waived:
        lines.append(
            f"Interés moratorio: condonado por amnistía{waived_by}; pagado antes {fmt_usd(ln.interest_paid_cents)}."
        )
    else:
        versions = ", ".join(tl.version_names_between(ln.due_date, eff_a)) or stmt.policy.version
        i_terms = [f"{fmt_usd(pc.cents)} × {pc.days_late} días" for pc in ln.pieces]
        if unpaid:
            d_a = (eff_a - ln.due_date).days if eff_a > ln.due_date else 0
            i_terms.append(f"{fmt_usd(unpaid)} pendientes × {d_a} días")
        lines.append(
            f"Interés moratorio (simple, días reales/365, cada día a la tasa anual vigente ese día; políticas "
            f"{versions}): {' + '.join(i_terms) or 'sin atraso'} → {fmt_usd(ln.interest_cents)}; pagado "
            f"{fmt_usd(ln.interest_paid_cents)}{paid_by('interest')}; pendiente {fmt_usd(ln.interest_outstanding_cents)}."
        )

    if ln.contribution_outstanding_cents:
        ml_txt = f"de la cotización pendiente al {_d(eff_a)}"
    elif ln.pieces:
        ml_txt = f"del último pago de cotización, {_d(ln.pieces[-1].paid_on)}"
    else:
        ml_txt = "sin cotización que pagar"
    overdue = "exigible" if ln.overdue else ("corriente (aún no vence)" if ln.outstanding_cents else "")
    tail = f" ({overdue})" if overdue else ""
    lines.append(
        f"Meses de atraso: {ln.months_late} ({ml_txt}). Total pendiente del período: "
        f"{fmt_usd(ln.outstanding_cents)}{tail}."
    )
    return "\n".join(lines)
