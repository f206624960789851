"""`cobranza promises check [--as-of DATE]`: decide pending promises to pay from the payments."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.cases.services import promises_evaluate
from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Promesas de pago: marca como cumplidas o incumplidas las pendientes según los pagos."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="subcomandos")
        check = sub.add_parser("check", help="Evalúa las promesas pendientes a una fecha.")
        check.add_argument("--as-of", dest="as_of", default="", help="Fecha de evaluación (por defecto hoy).")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            as_of = parse_user_date(options["as_of"], field="fecha") if options["as_of"] else business_date()
            changed = promises_evaluate(as_of=as_of)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Promesas evaluadas al {as_of:%d/%m/%Y}: cumplidas: {changed['kept']}, "
            f"incumplidas: {changed['broken']}, vuelven a pendiente: {changed['pending']}."
        )
