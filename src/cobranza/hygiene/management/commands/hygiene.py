"""`cobranza hygiene scan [--as-of DATE]`: the account-hygiene scan of the whole portfolio (SPEC §8),
with a progress bar and a summary table by finding type. The same service the nightly task runs."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.errors import ApplicationError
from cobranza.ledger.management.commands.statement import parse_as_of
from cobranza.ledger.services import CHUNK_SIZE


class Command(BaseCommand):
    help = "Depuración de cuentas: «scan» revisa toda la cartera y guarda los hallazgos."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="scan")
        scan = sub.add_parser("scan", help="revisa la cartera y guarda los hallazgos")
        scan.add_argument(
            "--as-of", dest="as_of", default=None, help="fecha de corte AAAA-MM-DD o DD/MM/AAAA (hoy)"
        )
        scan.add_argument(
            "--chunk-size", dest="chunk_size", type=int, default=CHUNK_SIZE, help="patronos por lote"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Table

        from cobranza.hygiene.models import FindingType
        from cobranza.hygiene.services import hygiene_scan

        as_of = parse_as_of(options["as_of"])
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size debe ser 1 o mayor.")
        err = Console(file=sys.stderr)
        show = options["verbosity"] > 0 and err.is_terminal
        progress = Progress(
            TextColumn("[bold]Revisando la cartera"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("patronos"),
            TimeElapsedColumn(),
            console=err,
            disable=not show,
        )
        task = progress.add_task("scan", total=None)
        try:
            with progress:
                result = hygiene_scan(
                    actor=None,
                    as_of=as_of,
                    chunk_size=options["chunk_size"],
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if options["verbosity"] < 1:
            return
        table = Table(title=f"Hallazgos al {result.as_of:%d/%m/%Y}")
        table.add_column("Tipo de hallazgo")
        table.add_column("Detectados", justify="right")
        table.add_column("Nuevos", justify="right")
        for kind, label in FindingType.choices:
            table.add_row(label, f"{result.found.get(kind, 0):,}", f"{result.new.get(kind, 0):,}")
        table.add_row("[bold]Total", f"[bold]{result.total_found:,}", f"[bold]{result.total_new:,}")
        Console(file=self.stdout._out, width=100).print(table)
        self.stdout.write(result.summary)
        if options["verbosity"] > 1:
            self.stdout.write("Tiempos: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
