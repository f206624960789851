"""`cobranza referrals check [--as-of DATE] [--format table|csv]`: the cases that meet the judicial
referral criteria (SPEC §4) at a date, and those close (only notices or days missing), each with
what is missing. Reads only; the request is made on the case file."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.errors import ApplicationError
from cobranza.ledger.management.commands.statement import parse_as_of


class Command(BaseCommand):
    help = (
        "Remisión a cobro judicial: «check» lista los expedientes que cumplen los criterios y los cercanos."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="check")
        check = sub.add_parser(
            "check", help="expedientes que cumplen los criterios de remisión y los cercanos"
        )
        check.add_argument(
            "--as-of", dest="as_of", default=None, help="fecha de corte AAAA-MM-DD o DD/MM/AAAA (hoy)"
        )
        check.add_argument(
            "--format",
            dest="fmt",
            choices=["table", "csv"],
            default="table",
            help="table (por defecto) o csv",
        )
        check.add_argument(
            "--kind",
            dest="kind",
            choices=["ordinary", "worker_share"],
            default="ordinary",
            help="ordinary (mora patronal) o worker_share (cuota laboral, art. 245 CP)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from cobranza.cases.models import CaseFile
        from cobranza.common.templatetags.cobranza import format_money
        from cobranza.legal.criteria import REFERABLE_CASE_STATES, referral_check

        as_of = parse_as_of(options["as_of"])
        cases = (
            CaseFile.objects.filter(state__in=REFERABLE_CASE_STATES)
            .select_related("employer")
            .order_by("employer__employer_number")
        )
        rows = []
        try:
            for case in cases:
                check = referral_check(case=case, as_of=as_of, kind=options["kind"])
                if not (check.ok or check.close):
                    continue
                figures = check.figures
                rows.append(
                    {
                        "numero_patronal": case.employer.employer_number,
                        "patrono": case.employer.legal_name,
                        "expediente": case.code,
                        "situacion": "cumple" if check.ok else "cercano",
                        "monto": format_money(figures.total_cents if figures else 0, cents=True),
                        "avisos": len(check.notices),
                        "primer_aviso": check.notices[0].on.strftime("%d/%m/%Y") if check.notices else "",
                        "falta": "; ".join(check.missing),
                    }
                )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        rows.sort(key=lambda r: (r["situacion"] != "cumple", r["numero_patronal"]))
        if options["fmt"] == "csv":
            writer = csv.DictWriter(
                self.stdout,
                fieldnames=list(rows[0])
                if rows
                else [
                    "numero_patronal",
                    "patrono",
                    "expediente",
                    "situacion",
                    "monto",
                    "avisos",
                    "primer_aviso",
                    "falta",
                ],
                lineterminator="\n",
            )
            writer.writeheader()
            writer.writerows(rows)
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Remisión a cobro judicial al {as_of:%d/%m/%Y}")
        for column, justify in (
            ("Número patronal", "left"),
            ("Patrono", "left"),
            ("Expediente", "left"),
            ("Situación", "left"),
            ("Monto", "right"),
            ("Avisos", "right"),
            ("Lo que falta", "left"),
        ):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for r in rows:
            table.add_row(
                r["numero_patronal"],
                r["patrono"],
                r["expediente"],
                r["situacion"],
                r["monto"],
                str(r["avisos"]),
                r["falta"] or "—",
            )
        Console(file=self.stdout._out, width=160).print(table)
        meets = sum(1 for r in rows if r["situacion"] == "cumple")
        self.stdout.write(
            f"{meets} expediente{'s' if meets != 1 else ''} cumple{'n' if meets != 1 else ''} los criterios; "
            f"{len(rows) - meets} cercano{'s' if len(rows) - meets != 1 else ''} (solo faltan avisos o días)."
        )
