"""`cobranza limitation check [--as-of DATE]`: mark prescribed the overdue periods whose limitation
date has passed with debt unpaid (SPEC §8). Idempotent; only the employers whose overdue periods are
old enough are computed (`ledger.services.limitation_candidates`). Prints the periods marked and a
summary; progress on stderr for long runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.ledger.services import prescribed_periods_mark

SHOWN = 200  # periods listed one per line; beyond, only the summary


class Command(BaseCommand):
    help = "Prescripción: marca como prescritos los períodos cuyo plazo venció con deuda sin pagar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="subcomandos")
        check = sub.add_parser("check", help="Marca los períodos prescritos a una fecha.")
        check.add_argument("--as-of", dest="as_of", default="", help="Fecha de revisión (por defecto hoy).")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            if total > 500:  # more than one chunk: show the run advancing (stderr)
                self.stderr.write(f"  {done:,}/{total:,} patronos revisados")

        try:
            as_of = parse_user_date(options["as_of"], field="fecha") if options["as_of"] else business_date()
            result = prescribed_periods_mark(actor=None, as_of=as_of, progress=progress)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if result.marked:
            self.stdout.write(f"{'Patrono':<12} {'Período':<8} Prescribió el")
            for number, period, day in result.marked[:SHOWN]:
                self.stdout.write(f"{number:<12} {period:<8} {day:%d/%m/%Y}")
            if len(result.marked) > SHOWN:
                self.stdout.write(f"… y {len(result.marked) - SHOWN:,} períodos más.")
        self.stdout.write(result.summary())
