"""`cobranza recompute [--as-of DATE] [--full] [--workers N]`: every employer's balance snapshot,
with a progress bar.

The same service the nightly Celery task runs (`ledger.services.balances_recompute`), here in this
process and `--workers` processes (default 1; PostgreSQL only, SQLite uses one), chunk
after chunk. Incremental by default: only the employers whose figures can have changed since the
last run are computed (`services.incremental_plan`; the first run, a policy change or an earlier
date compute everyone); `--full` computes every employer. Prints a Spanish summary: employers,
period rows, seconds.

Atomic for readers: the chunks are staged and published together at the end (one transaction), so
a run interrupted at any point (Ctrl-C, kill -9) leaves the previous balances in place and the next
run completes. `--pause SECONDS` sleeps between chunks to spare a database in use.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.errors import ApplicationError
from cobranza.ledger.management.commands.statement import parse_as_of
from cobranza.ledger.services import CHUNK_SIZE, balances_recompute


class Command(BaseCommand):
    help = "Recalcula el saldo de todos los patronos a una fecha (por defecto, hoy)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", dest="as_of", default=None, help="fecha de corte AAAA-MM-DD o DD/MM/AAAA (hoy)"
        )
        parser.add_argument(
            "--chunk-size",
            dest="chunk_size",
            type=int,
            default=CHUNK_SIZE,
            help=f"patronos por lote ({CHUNK_SIZE:,})",
        )
        parser.add_argument(
            "--pause",
            dest="pause",
            type=float,
            default=0.0,
            help="segundos de pausa entre lotes, para no cargar una base en uso (0)",
        )

        parser.add_argument(
            "--full",
            action="store_true",
            help="recalcula todos los patronos (por defecto, solo los que pueden haber cambiado)",
        )
        parser.add_argument(
            "--workers",
            dest="workers",
            type=int,
            default=1,
            help="procesos que calculan lotes a la vez (PostgreSQL; por defecto 1)",
        )

        parser.add_argument(
            "--vacuum",
            action="store_true",
            help="PostgreSQL: VACUUM (ANALYZE) de pagos y planillas antes de calcular (como la corrida nocturna)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_as_of(options["as_of"])
        chunk_size = options["chunk_size"]
        if chunk_size < 1:
            raise CommandError("--chunk-size debe ser 1 o mayor.")
        workers = options["workers"]
        if not 1 <= workers <= 64:
            raise CommandError("--workers debe estar entre 1 y 64.")
        pause = options["pause"]
        if not 0 <= pause <= 3600:
            raise CommandError("--pause debe estar entre 0 y 3600 segundos.")
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=sys.stderr)
        show = options["verbosity"] > 0 and console.is_terminal
        progress = Progress(
            TextColumn("[bold]Recalculando saldos"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("patronos"),
            TimeElapsedColumn(),
            console=console,
            disable=not show,
            transient=False,
        )
        task = progress.add_task("recompute", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if options["vacuum"]:
            from cobranza.ledger.services import scan_tables_vacuum

            scan_tables_vacuum()
        try:
            with progress:
                result = balances_recompute(
                    actor=None,
                    as_of=as_of,
                    progress=report,
                    chunk_size=chunk_size,
                    pause=pause,
                    workers=1 if pause > 0 else workers,
                    incremental=not options["full"],
                )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if options["verbosity"] > 0:
            self.stdout.write(result.summary)
        if options["verbosity"] > 1:
            timings = ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
            self.stdout.write(f"Tiempos: {timings}; {result.chunks} lotes.")
