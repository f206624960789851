"""`cobranza agreements check [--as-of DATE]` (SPEC §10): the daily follow-up of agreements.

Down payments received sign approved agreements; payments pay installments oldest first; overdue
installments are marked; agreements lapse per policy (their freeze is lifted) or are fulfilled.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.agreements.management.commands.agreement import run_check
from cobranza.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Revisión de convenios de pago (check): primas, cuotas pagadas y vencidas, incumplimientos."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{check}")
        check = sub.add_parser("check", help="Revisar todos los convenios a una fecha.")
        check.add_argument(
            "--as-of", dest="as_of", help="Fecha de revisión (AAAA-MM-DD o DD/MM/AAAA; por omisión, hoy)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(run_check(options.get("as_of")))
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
