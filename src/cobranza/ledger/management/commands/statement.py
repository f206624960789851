"""`cobranza statement EMPLOYER_NUMBER [--as-of DATE] [--format table|json|csv|pdf] [--output FILE]`.

The statement of one employer (SPEC §5) computed live under the policy version in force at the
date. `json` is exactly the SPEC's JSON; `csv` one row per period plus a TOTAL row; `table` a
Spanish table with totals; `pdf` the printable statement (needs --output). User mistakes end with a
Spanish message on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer
from cobranza.ledger.selectors import statement_for_employer
from cobranza.ledger.statement_export import FORMATS, render_table, statement_csv, statement_json


def parse_as_of(value: str | None) -> date:
    """`--as-of`: ISO or dd/mm/yyyy, 1954…2100; the business date (COBRANZA_BUSINESS_DATE, else
    today in El Salvador) when absent."""
    if value is None or not value.strip():
        return business_date()
    try:
        return parse_user_date(value, field="fecha")
    except ApplicationError as error:
        raise CommandError(error.message) from None


class Command(BaseCommand):
    help = "Estado de cuenta de un patrono a una fecha (tabla, JSON, CSV o PDF)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("employer_number", help="número patronal")
        parser.add_argument(
            "--as-of", dest="as_of", default=None, help="fecha de corte AAAA-MM-DD o DD/MM/AAAA (hoy)"
        )
        parser.add_argument(
            "--format", dest="format", default="table", help="table (por defecto), json, csv o pdf"
        )
        parser.add_argument(
            "--output", dest="output", default=None, help="archivo de salida (obligatorio para pdf)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        number = str(options["employer_number"]).strip()
        fmt = str(options["format"] or "").strip().lower()
        if fmt not in FORMATS:
            raise CommandError(
                f"Formato desconocido: «{options['format']}» (use {', '.join(FORMATS[:-1])} o {FORMATS[-1]})."
            )
        output = options["output"]
        if fmt == "pdf" and not output:
            raise CommandError("El formato pdf necesita un archivo de salida: --output ARCHIVO.pdf")
        as_of = parse_as_of(options["as_of"])
        employer = Employer.objects.select_related("branch").filter(employer_number=number).first()
        if employer is None:
            raise CommandError(f"No existe el patrono con número patronal {number}")
        try:
            statement = statement_for_employer(employer, as_of)
        except ApplicationError as error:
            raise CommandError(error.message) from None

        content: str | bytes
        if fmt == "json":
            content = statement_json(statement) + "\n"
        elif fmt == "csv":
            content = statement_csv(statement)
        elif fmt == "table":
            content = render_table(statement, employer)
        else:
            content = self._pdf(statement, employer)

        if output:
            path = Path(output)
            try:
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8", newline="")
            except OSError as error:
                raise CommandError(f"No se pudo escribir {output}: {error.strerror or error}") from None
            self.stdout.write(f"Estado de cuenta de {number} al {as_of:%d/%m/%Y} guardado en {output}.")
        else:
            assert isinstance(content, str)
            self.stdout.write(content, ending="")

    def _pdf(self, statement: Any, employer: Employer) -> bytes:
        if importlib.util.find_spec("cobranza.ledger.documents") is None:
            raise CommandError("El estado de cuenta en PDF todavía no está disponible en esta instalación.")
        from cobranza.documents.services import document_content
        from cobranza.ledger.documents import statement_issue

        # Registered like the page's download (SPEC §8 documents issued): numbered, with its code.
        issued = statement_issue(actor=None, employer=employer, statement=statement)
        return document_content(issued)
