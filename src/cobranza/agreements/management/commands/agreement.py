"""`cobranza agreement simulate EMPLOYER_NUMBER --down-payment AMOUNT --installments N [--start DATE]
[--as-of DATE] --format json` (SPEC §6, §10), and `cobranza agreement check [--as-of DATE]`.

Writes for batch work (issue 9), acting as a named user with that user's roles and visibility:
`cobranza agreement draft EMPLOYER_NUMBER --down-payment X --installments N [--start DATE]
--user USERNAME [--format json|table]` drafts on the business date (an --as-of other than today
is refused: no back-dating), and `cobranza agreement approve NUMBER --user USERNAME` approves a
draft (four eyes: not its author; only heads). Both print the agreement (number, state, debt,
periods covered, schedule); a refusal goes to stderr in Spanish with exit code 1, no traceback.

The debt is the statement's total outstanding at --as-of (default today); --start (the first
installment's due date) defaults to the as-of date plus one month. An option the policy does not
allow is refused on stderr with the reason and the limits, exit code 1, no traceback.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.dates import business_date, parse_user_date
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
    as_of = parse_user_date(options["as_of"], field="fecha de corte") if options["as_of"] else business_date()
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
            debt_cents=debt,
            down_payment_cents=down,
            installments=n,
            start=start,
            policy=statement.policy,
            worker_share_cents=statement.totals.worker_share_outstanding_cents,
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


def acting_user(username: str) -> Any:
    """The active user named by --user, or a Spanish refusal."""
    from django.contrib.auth import get_user_model

    name = (username or "").strip()
    user = get_user_model().objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"No existe un usuario activo «{name}» (--user).")
    return user


def agreement_pk(text: str) -> int:
    """«CP-000042», «cp-42» or «42» → 42."""
    value = (text or "").strip().upper().removeprefix("CP-").removeprefix("CP")
    if not value.isdigit() or int(value) == 0:
        raise CommandError(f"Número de convenio inválido: «{text}» (use p. ej. CP-000042).")
    return int(value)


def draft(options: dict[str, Any]) -> Any:
    from cobranza.agreements import services
    from cobranza.employers import selectors as employer_selectors
    from cobranza.employers.models import Employer

    user = acting_user(options["user"])
    number = options["employer_number"].strip()
    try:
        employer = employer_selectors.employer_detail(user=user, employer_number=number)
    except Employer.DoesNotExist:
        raise CommandError(
            f"No existe el patrono {number} o no está en la cartera de {user.username}."
        ) from None
    as_of = parse_user_date(options["as_of"], field="fecha del convenio") if options.get("as_of") else None
    start = (
        parse_user_date(options["start"], field="fecha de la primera cuota") if options.get("start") else None
    )
    return services.agreement_draft(
        actor=user,
        employer=employer,
        down_payment=options["down_payment"],
        installments=parse_installments(options["installments"]),
        start=start,
        as_of=as_of,
    )


def visible_agreement(options: dict[str, Any]) -> tuple[Any, Any]:
    """The acting user (``--user``) and the agreement ``number`` if that user may see it."""
    from cobranza.agreements import selectors
    from cobranza.agreements.models import Agreement

    user = acting_user(options["user"])
    pk = agreement_pk(options["number"])
    try:
        return user, selectors.agreement_detail(user=user, pk=pk)
    except Agreement.DoesNotExist:
        raise CommandError(
            f"No existe el convenio CP-{pk:06d} o su patrono no está en la cartera de {user.username}."
        ) from None


def approve(options: dict[str, Any]) -> Any:
    from cobranza.agreements import selectors, services

    user, agreement = visible_agreement(options)
    services.agreement_approve(actor=user, agreement=agreement)
    return selectors.agreement_detail(user=user, pk=agreement.pk)


def restructure(options: dict[str, Any]) -> Any:
    from cobranza.agreements import selectors, services

    user, agreement = visible_agreement(options)
    new = services.agreement_restructure(
        actor=user,
        agreement=agreement,
        down_payment=options["down_payment"],
        installments=parse_installments(options["installments"]),
        start=parse_user_date(options["start"], field="fecha de la primera cuota")
        if options.get("start")
        else None,
    )
    return selectors.agreement_detail(user=user, pk=new.pk)


def run_check(as_of_text: str | None) -> str:
    from cobranza.agreements.services import agreements_check

    as_of = parse_user_date(as_of_text, field="fecha de revisión") if as_of_text else None
    return agreements_check(actor=None, as_of=as_of).summary()


class Command(BaseCommand):
    help = (
        "Convenios de pago: simular (simulate), elaborar (draft), aprobar (approve) o reestructurar "
        "(restructure) un convenio, o revisar "
        "el cumplimiento de las cuotas (check)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{simulate,draft,approve,restructure,check}"
        )
        sim = sub.add_parser("simulate", help="Calendario de pagos de una opción de convenio.")
        sim.add_argument("employer_number", help="Número patronal")
        sim.add_argument("--down-payment", required=True, help="Prima (monto, p. ej. 336.98)")
        sim.add_argument("--installments", required=True, help="Número de cuotas")
        sim.add_argument("--start", help="Vencimiento de la primera cuota (AAAA-MM-DD o DD/MM/AAAA)")
        sim.add_argument("--as-of", dest="as_of", help="Fecha de corte de la deuda (por omisión, hoy)")
        sim.add_argument("--format", choices=["json", "table"], default="table", help="Formato de salida")
        dra = sub.add_parser("draft", help="Elaborar un convenio (borrador) con la deuda de hoy.")
        dra.add_argument("employer_number", help="Número patronal")
        dra.add_argument("--down-payment", required=True, help="Prima (monto, p. ej. 286.98)")
        dra.add_argument("--installments", required=True, help="Número de cuotas")
        dra.add_argument("--start", help="Vencimiento de la primera cuota (por omisión, en un mes)")
        dra.add_argument(
            "--as-of", dest="as_of", help="Solo la fecha de hoy: un convenio no se puede antedatar"
        )
        dra.add_argument("--user", required=True, help="Usuario que elabora (sus permisos y su cartera)")
        dra.add_argument("--format", choices=["json", "table"], default="json", help="Formato de salida")
        apr = sub.add_parser(
            "approve", help="Aprobar un borrador (una jefatura distinta de quien lo elaboró)."
        )
        apr.add_argument("number", help="Número del convenio (CP-000042)")
        apr.add_argument("--user", required=True, help="Jefatura que aprueba")
        apr.add_argument("--format", choices=["json", "table"], default="json", help="Formato de salida")
        res = sub.add_parser(
            "restructure",
            help="Reestructurar un convenio vigente o incumplido: su saldo pasa a un borrador nuevo.",
        )
        res.add_argument("number", help="Número del convenio (CP-000042)")
        res.add_argument("--down-payment", required=True, help="Prima del convenio nuevo")
        res.add_argument("--installments", required=True, help="Número de cuotas del convenio nuevo")
        res.add_argument("--start", help="Vencimiento de la primera cuota (por omisión, en un mes)")
        res.add_argument("--user", required=True, help="Jefatura que reestructura")
        res.add_argument("--format", choices=["json", "table"], default="json", help="Formato de salida")
        check = sub.add_parser("check", help="Revisar primas, cuotas pagadas, vencidas e incumplimientos.")
        check.add_argument("--as-of", dest="as_of", help="Fecha de revisión (por omisión, hoy)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "check":
                self.stdout.write(run_check(options.get("as_of")))
                return
            if options["action"] in ("draft", "approve", "restructure"):
                agreement = {"draft": draft, "approve": approve, "restructure": restructure}[
                    options["action"]
                ](options)
                self.write_agreement(agreement, options["format"])
                return
            data, explanation = simulate(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(table(data, explanation))

    def write_agreement(self, agreement: Any, fmt: str) -> None:
        from cobranza.agreements.serialize import agreement_json, agreement_text

        if fmt == "json":
            self.stdout.write(json.dumps(agreement_json(agreement), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(agreement_text(agreement))
