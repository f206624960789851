"""`cobranza agreement simulate EMPLOYER_NUMBER --down-payment AMOUNT --installments N [--start DATE]
[--as-of DATE] --format json` (SPEC §6, §10), and `cobranza agreement check [--as-of DATE]`.

The debt is the statement's total outstanding at --as-of (default today); --start (the first
installment's due date) defaults to the as-of date plus one month. An option the policy does not
allow is refused on stderr with the reason and the limits, exit code 1, no traceback.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cobranza.common.dates import parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.engine.agreements import AgreementOptionError, build_schedule
from cobranza.engine.calendar import add_months
from cobranza.engine.money import fmt_usd


def parse_installments(text: str) -> int:
    value = (text or "").strip()
    if not value.isdigit():
        raise CommandError(f"Número de cuotas inválido: «{text}» (use un entero positivo).")
    return int(value)


def simulate(options: dict[str, Any]) -> tuple[dict[str, Any], str]:
    from cobranza.agreements.services import to_money_cents
    from cobranza.employers.models import Employer
    from cobranza.ledger.selectors import statement_for_employer

    number = options["employer_number"].strip()
    as_of = (
        parse_user_date(options["as_of"], field="fecha de corte")
        if options["as_of"]
        else timezone.localdate()
    )
    start = (
        parse_user_date(options["start"], field="fecha de la primera cuota")
        if options["start"]
        else add_months(as_of, 1)
    )
    down = to_money_cents(options["down_payment"], field="prima")
    n = parse_installments(options["installments"])
    try:
        employer = Employer.objects.get(employer_number=number)
    except Employer.DoesNotExist:
        raise CommandError(f"No existe el patrono {number}.") from None
    if start <= as_of:
        raise CommandError(
            f"La primera cuota ({start:%d/%m/%Y}) debe vencer después de la fecha de corte ({as_of:%d/%m/%Y})."
        )
    statement = statement_for_employer(employer, as_of)
    debt = statement.totals.outstanding_cents
    try:
        sim = build_schedule(
            debt_cents=debt, down_payment_cents=down, installments=n, start=start, policy=statement.policy
        )
    except AgreementOptionError as exc:
        raise CommandError(
            f"Opción de convenio rechazada para {number} (deuda {fmt_usd(debt)}): {exc}"
        ) from None
    return sim.to_json_dict(employer.employer_number, as_of), sim.explain()


def table(data: dict[str, Any], explanation: str) -> str:
    lines = [
        f"Patrono {data['employer_number']} · deuda al {data['as_of']}: {data['debt']}",
        f"Prima {data['down_payment']} · financiado {data['financed']} · {data['installments']} cuotas al "
        f"{data['monthly_rate']} mensual · cuota {data['installment']} · intereses {data['total_interest']} · "
        f"total {data['total']}",
        "",
        f"{'Cuota':>5}  {'Vence':10}  {'Monto':>12}  {'Interés':>10}  {'Capital':>12}  {'Saldo':>12}",
    ]
    for line in data["schedule"]:
        lines.append(
            f"{line['number']:>5}  {line['due_date']:10}  {line['installment']:>12}  {line['interest']:>10}  "
            f"{line['principal']:>12}  {line['balance']:>12}"
        )
    lines += ["", explanation]
    return "\n".join(lines)


def run_check(as_of_text: str | None) -> str:
    from cobranza.agreements.services import agreements_check

    as_of = parse_user_date(as_of_text, field="fecha de revisión") if as_of_text else None
    return agreements_check(actor=None, as_of=as_of).summary()


class Command(BaseCommand):
    help = (
        "Convenios de pago: simular un convenio (simulate) o revisar el cumplimiento de las cuotas (check)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{simulate,check}")
        sim = sub.add_parser("simulate", help="Calendario de pagos de una opción de convenio.")
        sim.add_argument("employer_number", help="Número patronal")
        sim.add_argument("--down-payment", required=True, help="Prima (monto, p. ej. 336.98)")
        sim.add_argument("--installments", required=True, help="Número de cuotas")
        sim.add_argument("--start", help="Vencimiento de la primera cuota (AAAA-MM-DD o DD/MM/AAAA)")
        sim.add_argument("--as-of", dest="as_of", help="Fecha de corte de la deuda (por omisión, hoy)")
        sim.add_argument("--format", choices=["json", "table"], default="table", help="Formato de salida")
        check = sub.add_parser("check", help="Revisar primas, cuotas pagadas, vencidas e incumplimientos.")
        check.add_argument("--as-of", dest="as_of", help="Fecha de revisión (por omisión, hoy)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "check":
                self.stdout.write(run_check(options.get("as_of")))
                return
            data, explanation = simulate(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(table(data, explanation))
