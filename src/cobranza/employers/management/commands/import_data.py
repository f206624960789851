"""`cobranza import {employers|declarations|payments} FILE [--dry-run]` (SPEC §3 and §10)."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cobranza.employers.imports import KIND_LABELS, ImportRejected, run_import

PROGRESS_FROM_BYTES = 1_000_000  # smaller files finish before a bar is worth drawing
SPANISH_KINDS = {"patronos": "employers", "planillas": "declarations", "pagos": "payments"}


class Command(BaseCommand):
    help = "Importa un archivo CSV o XLSX de patronos, planillas o pagos: todo o nada, con el informe de cada fila."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=[*sorted(KIND_LABELS), *SPANISH_KINDS],
            help="employers, declarations o payments (también patronos, planillas o pagos)",
        )
        parser.add_argument("file", help="archivo .csv o .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="solo validar: no escribe nada")
        parser.add_argument(
            "--user", default="", help="usuario que figura en la auditoría (por omisión, ninguno)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        options["kind"] = SPANISH_KINDS.get(options["kind"], options["kind"])
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"No existe el archivo {path}.")
        if not path.is_file():
            raise CommandError(f"{path} no es un archivo.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No existe el usuario {options['user']}.")
        console = Console(stderr=True)
        show_bar = console.is_terminal and path.stat().st_size >= PROGRESS_FROM_BYTES
        try:
            if show_bar:
                result = self._run_with_bar(console, options, path, actor)
            else:
                result = run_import(
                    kind=options["kind"], source=path, actor=actor, dry_run=options["dry_run"]
                )
        except ImportRejected as rejected:
            for problem in rejected.details:
                self.stderr.write(_describe(problem))
            raise CommandError(rejected.message) from None
        self.stdout.write(result.summary)

    def _run_with_bar(self, console: Console, options: dict[str, Any], path: Path, actor: Any) -> Any:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("filas"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("Validando", total=None)
            state = {"last": 0, "writing": False}

            def progress(done: int, total: int) -> None:
                if done < state["last"] and not state["writing"]:
                    state["writing"] = True  # the second pass: rows being written
                    bar.update(task, description="Escribiendo")
                state["last"] = done
                bar.update(task, completed=done, total=total or None)

            return run_import(
                kind=options["kind"], source=path, actor=actor, dry_run=options["dry_run"], progress=progress
            )


def _describe(problem: dict[str, Any]) -> str:
    where = f"Fila {problem['row']}" if problem["row"] else "Archivo"
    column = f", columna {problem['column']}" if problem["column"] else ""
    value = f", valor «{problem['value']}»" if problem["value"] else ""
    return f"{where}{column}{value}: {problem['reason']}"
