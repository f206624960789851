"""`cobranza publications candidates [--as-of DATE] [--format table|csv]`: the employers that meet
the publication criteria at a date (SPEC §4, §8), the whole institute; `cobranza publications
check [--as-of DATE]`: mark the published employers that regularized (the nightly task's service)."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.errors import ApplicationError
from cobranza.ledger.management.commands.statement import parse_as_of


class Command(BaseCommand):
    help = "Publicación de patronos morosos: «candidates» lista los candidatos; «check» marca regularizados."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="candidates|check")
        cand = sub.add_parser("candidates", help="patronos que cumplen los criterios de publicación")
        cand.add_argument("--as-of", dest="as_of", default=None, help="fecha AAAA-MM-DD o DD/MM/AAAA (hoy)")
        cand.add_argument("--format", dest="fmt", default="table", help="table o csv")
        check = sub.add_parser("check", help="marca los patronos publicados que se regularizaron")
        check.add_argument("--as-of", dest="as_of", default=None, help="fecha AAAA-MM-DD o DD/MM/AAAA (hoy)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_as_of(options["as_of"])
        try:
            if options["action"] == "check":
                from cobranza.publications.services import publication_regularizations_check

                self.stdout.write(publication_regularizations_check(actor=None, as_of=as_of).summary)
                return
            self._candidates(as_of, options["fmt"])
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def _candidates(self, as_of: Any, fmt: str) -> None:
        from cobranza.engine.money import fmt_usd
        from cobranza.publications.selectors import candidates, criteria_at

        if fmt not in ("table", "csv"):
            raise CommandError(f"--format: «{fmt}» no es válido (use table o csv).")
        criteria = criteria_at(as_of)
        rows = candidates(user=None, as_of=as_of, criteria=criteria)
        if fmt == "csv":
            writer = csv.writer(self.stdout._out, lineterminator="\n")
            writer.writerow(
                [
                    "employer_number",
                    "legal_name",
                    "branch",
                    "overdue",
                    "months_in_arrears",
                    "overdue_periods",
                    "oldest_period",
                    "notes",
                ]
            )
            for c in rows:
                writer.writerow(
                    [
                        c.employer.employer_number,
                        c.employer.legal_name,
                        c.employer.branch.name if c.employer.branch else "",
                        f"{c.overdue:.2f}",
                        c.months_in_arrears,
                        c.figures.overdue_periods,
                        c.figures.oldest_period,
                        "; ".join(c.notes),
                    ]
                )
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(
            title=f"Candidatos a publicación al {as_of:%d/%m/%Y} (≥ {criteria.min_months} meses, "
            f"≥ {fmt_usd(criteria.min_debt_cents)} exigibles, sin convenio vigente)"
        )
        for col, just in (
            ("Número patronal", "left"),
            ("Patrono", "left"),
            ("Sucursal", "left"),
            ("Deuda exigible", "right"),
            ("Meses", "right"),
            ("Observaciones", "left"),
        ):
            table.add_column(col, justify=just)  # type: ignore[arg-type]
        for c in rows:
            table.add_row(
                c.employer.employer_number,
                c.employer.legal_name,
                c.employer.branch.name if c.employer.branch else "",
                fmt_usd(c.figures.overdue_cents),
                str(c.months_in_arrears),
                "; ".join(c.notes),
            )
        Console(file=self.stdout._out, width=140).print(table)
        total = sum(c.figures.overdue_cents for c in rows)
        self.stdout.write(f"{len(rows)} candidatos · deuda exigible total {fmt_usd(total)}")
