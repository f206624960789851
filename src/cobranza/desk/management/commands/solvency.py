"""`cobranza solvency issue EMPLOYER_NUMBER [--user USERNAME] [--output FILE] [--format text|json]`:
issue the solvency certificate today (SPEC §4), as the named user (default: the desk's `atencion`),
through the same service as the page and the API. Refused (not solvent, closed employer): the
reason and the overdue periods on stderr, exit code 1 — the refusal is recorded like on the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.errors import ApplicationError
from cobranza.employers import selectors as employer_selectors
from cobranza.employers.models import Employer


class Command(BaseCommand):
    help = "Constancias de solvencia: «issue NÚMERO_PATRONAL» emite la constancia de hoy si procede."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue"], help="issue: emitir la constancia")
        parser.add_argument("employer_number", help="número patronal")
        parser.add_argument("--user", default="atencion", help="usuario que emite (por defecto: atencion)")
        parser.add_argument("--output", default="", help="archivo donde guardar el PDF emitido")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        from cobranza.desk.services import solvency_issue
        from cobranza.documents.services import document_content, verification_url

        name = (options["user"] or "").strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"No existe un usuario activo «{name}» (--user).")
        number = options["employer_number"].strip()
        try:
            employer = employer_selectors.employer_detail(user=user, employer_number=number)
        except Employer.DoesNotExist:
            raise CommandError(f"No existe el patrono {number} o {user.username} no puede verlo.") from None
        try:
            request = solvency_issue(actor=user, employer=employer)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if not request.issued:
            lines = [f"Constancia denegada. {request.reason}"]
            for p in request.overdue_periods:
                lines.append(f"  {p['period']}  ${p['outstanding']}  {p['note']}".rstrip())
            raise CommandError("\n".join(lines))
        document = request.document
        assert document is not None
        if options["output"]:
            Path(options["output"]).write_bytes(document_content(document))
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "number": document.number,
                        "standing": request.standing,
                        "employer_number": employer.employer_number,
                        "issued_on": document.issued_on.isoformat(),
                        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
                        "verification_code": document.code_display,
                        "verification_url": verification_url(document.verification_code),
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(
            f"Constancia de solvencia {document.number} ({request.standing}) de {employer.legal_name} "
            f"({employer.employer_number}), emitida el {document.issued_on:%d/%m/%Y}, vigente hasta el "
            f"{document.valid_until:%d/%m/%Y}. Código de verificación {document.code_display}: "
            f"{verification_url(document.verification_code)}"
            + (f"\nPDF guardado en {options['output']}" if options["output"] else "")
        )
