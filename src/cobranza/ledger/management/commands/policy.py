"""`cobranza policy list` and `cobranza policy load FILE [--retroactive --reason R] [--user USERNAME]`
(SPEC §4 and §10).

`list` shows every policy version (version, in force from, note, the parameters it changed from
the version before) and every amnesty (name, window, scope, components waived), in Spanish.

`load` reads one JSON object from FILE, either a version::

    {"version": "2026.1", "effective_from": "2026-01-01", "note": "…", "surcharge_monthly_rate": "0.02"}

with any parameter of the policy (`Policy.to_dict()`; the ones left out are inherited from the
version in force before `effective_from`), or an amnesty::

    {"amnesty": {"name": "…", "start": "2026-03-01", "end": "2026-05-31", "paid_in_full": true,
                 "agreements": true, "waives": ["surcharge", "fine", "interest"]}, "note": "…"}

Numbers are read as exact decimals (0.02 is the decimal 0.02, never a binary float). The file is
validated whole — by the engine and against what is stored — and refused with every problem named
in Spanish (malformed JSON with its line and column, a key repeated, an unknown key, a wrong
value, a date outside 1954–2100, a version or a date already taken, an amnesty window that
contradicts another): nothing is written, exit code 1, no traceback. A version or an amnesty that
starts before the business date would change figures already issued, so it needs `--retroactive`
and `--reason`. Writes go through `ledger.services` (audit event with the user, the reason and the
retroactive flag). After a load, the balances are recomputed by `cobranza recompute`.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cobranza.common.dates import business_date
from cobranza.ledger import selectors, services
from cobranza.ledger.presentation import (
    amnesty_scope_label,
    amnesty_waives_label,
    parameter_label,
    parameter_value,
)

VERSION_KEYS = ("version", "effective_from", "note")
AMNESTY_FILE_KEYS = ("amnesty", "note")
AMNESTY_KEYS = ("name", "start", "end", "paid_in_full", "agreements", "waives")

# The json module's messages, in Spanish (the position is given apart).
_JSON_MESSAGES = {
    "Expecting value": "se esperaba un valor",
    "Expecting ',' delimiter": "falta una coma",
    "Expecting ':' delimiter": "faltan los dos puntos (:) después de la clave",
    "Expecting property name enclosed in double quotes": "se esperaba una clave entre comillas dobles",
    "Unterminated string starting at": "un texto entre comillas no se cierra",
    "Invalid control character at": "hay un carácter de control dentro de un texto",
    "Invalid \\escape": "hay una secuencia de escape (\\) no válida",
    "Extra data": "sobra contenido después del objeto JSON",
}

RECOMPUTE_REMINDER = (
    "Ejecute «cobranza recompute» para recalcular los saldos guardados; los estados de cuenta ya usan "
    "la política nueva."
)


class PolicyFileError(Exception):
    """The file was refused: every problem, in Spanish."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_policy_file(path: Path) -> dict[str, Any]:
    """The file's JSON object (numbers as exact decimals); PolicyFileError naming what is wrong."""
    if not path.exists():
        raise PolicyFileError([f"No existe el archivo {path}."])
    if not path.is_file():
        raise PolicyFileError([f"{path} no es un archivo."])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PolicyFileError([f"El archivo no está en UTF-8 (byte {error.start + 1})."]) from None
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                repeated.append(f"La clave «{key}» está repetida en el archivo.")
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_float=Decimal)
    except json.JSONDecodeError as error:
        reason = _JSON_MESSAGES.get(error.msg, error.msg)
        raise PolicyFileError(
            [f"El archivo no es JSON válido: línea {error.lineno}, columna {error.colno}: {reason}."]
        ) from None
    if repeated:
        raise PolicyFileError(repeated)
    if not isinstance(data, dict):
        raise PolicyFileError(
            [
                'El archivo debe contener un objeto JSON: una versión {"version": …, "effective_from": …} '
                'o una amnistía {"amnesty": {…}}.'
            ]
        )
    return data


def _named(problems: dict[str, list[str]]) -> list[str]:
    """The services' problems as lines; the retroactive ones say which switches to use."""
    lines = []
    for field_name, messages in problems.items():
        for message in messages:
            if field_name == "retroactive":
                message = message.replace(
                    services.RETROACTIVE_CONFIRM, "Para cargarla así, use --retroactive --reason «motivo»."
                )
            elif field_name == "reason":
                message = "Indique el motivo de la carga retroactiva con --reason «motivo»."
            lines.append(message)
    return lines


def _note_problems(data: dict[str, Any]) -> list[str]:
    note = data.get("note", "")
    return [] if isinstance(note, str) else [f"La nota («note») debe ser texto, no {note!r}."]


def load_version(data: dict[str, Any], *, actor: Any, retroactive: bool, reason: str) -> str:
    parameters = {k: v for k, v in data.items() if k not in VERSION_KEYS}
    problems = _note_problems(data)
    found, _complete = services.policy_version_check(
        version=data.get("version"),
        effective_from=data.get("effective_from"),
        parameters=parameters,
        retroactive=retroactive,
        reason=reason,
    )
    problems += _named(found)
    if problems:
        raise PolicyFileError(problems)
    row = services.policy_version_create(
        actor=actor,
        version=data["version"],
        effective_from=data["effective_from"],
        parameters=parameters,
        note=data.get("note", ""),
        retroactive=retroactive,
        reason=reason,
    )
    previous = selectors.policy_version_before(row.effective_from)
    lines = [f"Versión {row.version} de la política cargada: vigente desde el {row.effective_from:%d/%m/%Y}."]
    if previous is not None and previous.pk != row.pk:
        changes = selectors.policy_parameter_changes(previous, row)
        if changes:
            lines.append(f"Cambia respecto de la versión {previous.version} (el resto se hereda de ella):")
            lines += [
                f"  {parameter_label(k)}: {parameter_value(a)} → {parameter_value(b)}"
                for k, (a, b) in changes.items()
            ]
        else:
            lines.append(f"No cambia ningún parámetro respecto de la versión {previous.version}.")
    if row.effective_from < business_date():
        lines.append(f"Carga retroactiva; motivo: {reason.strip()}")
    return "\n".join(lines)


def load_amnesty(data: dict[str, Any], *, actor: Any, retroactive: bool, reason: str) -> str:
    problems = [
        f"«{k}» no es una clave de un archivo de amnistía (solo «amnesty» y «note»)."
        for k in data
        if k not in AMNESTY_FILE_KEYS
    ]
    problems += _note_problems(data)
    given = data["amnesty"]
    if not isinstance(given, dict):
        raise PolicyFileError(
            [
                *problems,
                "«amnesty» debe ser un objeto con name, start, end, paid_in_full, agreements y waives.",
            ]
        )
    problems += [
        f"Amnistía inválida: el campo «{k}» no es un campo conocido de la amnistía."
        for k in given
        if k not in AMNESTY_KEYS
    ]
    fields = {k: given[k] for k in AMNESTY_KEYS if k in given}
    for required in ("name", "start", "end"):
        fields.setdefault(required, None)
    found, _granted = services.amnesty_check(**fields, retroactive=retroactive, reason=reason)
    problems += _named(found)
    if problems:
        raise PolicyFileError(problems)
    row = services.amnesty_create(
        actor=actor, **fields, note=data.get("note", ""), retroactive=retroactive, reason=reason
    )
    lines = [
        f"Amnistía «{row.name}» cargada: del {row.start:%d/%m/%Y} al {row.end:%d/%m/%Y}; "
        f"alcance: {amnesty_scope_label(paid_in_full=row.paid_in_full, agreements=row.agreements)}; "
        f"condona: {amnesty_waives_label(row.waives)}."
    ]
    if row.start < business_date():
        lines.append(f"Carga retroactiva; motivo: {reason.strip()}")
    return "\n".join(lines)


def policy_tables(*, width: int = 160) -> str:
    """Versions and amnesties as Spanish tables (text)."""
    from rich.console import Console
    from rich.table import Table

    versions = Table(title="Versiones de la política", title_justify="left", show_lines=True)
    versions.add_column("Versión", no_wrap=True)
    versions.add_column("Vigente desde", no_wrap=True)
    versions.add_column("Nota", max_width=50)
    versions.add_column("Cambios respecto de la versión anterior")
    for row, changes in selectors.policy_versions_with_changes():
        if changes is None:
            changed = "(primera versión)"
        elif not changes:
            changed = "(ninguno)"
        else:
            changed = "\n".join(
                f"{parameter_label(k)}: {parameter_value(a)} → {parameter_value(b)}"
                for k, (a, b) in changes.items()
            )
        versions.add_row(row.version, f"{row.effective_from:%d/%m/%Y}", row.note, changed)

    amnesties = Table(title="Amnistías", title_justify="left", show_lines=True)
    amnesties.add_column("Nombre")
    amnesties.add_column("Ventana", no_wrap=True)
    amnesties.add_column("Alcance")
    amnesties.add_column("Condona")
    rows = list(selectors.amnesty_list())
    for a in rows:
        amnesties.add_row(
            a.name,
            f"{a.start:%d/%m/%Y} – {a.end:%d/%m/%Y}",
            amnesty_scope_label(paid_in_full=a.paid_in_full, agreements=a.agreements),
            amnesty_waives_label(a.waives),
        )

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None, highlight=False)
    console.print(versions)
    console.print()
    if rows:
        console.print(amnesties)
    else:
        console.print("Amnistías: ninguna.")
    return buffer.getvalue()


class Command(BaseCommand):
    help = (
        "Política de cobro: ver sus versiones y amnistías (list) o cargar una desde un archivo JSON (load)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,load}")
        sub.add_parser("list", help="Versiones de la política (con lo que cambió cada una) y amnistías.")
        load = sub.add_parser("load", help="Cargar una versión o una amnistía desde un archivo JSON.")
        load.add_argument("file", help="archivo .json con una versión o una amnistía")
        load.add_argument(
            "--retroactive",
            action="store_true",
            help="confirma que rige desde antes de la fecha de negocio (cambia cifras ya emitidas)",
        )
        load.add_argument(
            "--reason", default="", help="motivo de la carga retroactiva (queda en la auditoría)"
        )
        load.add_argument(
            "--user", default="", help="usuario que figura en la auditoría (por omisión, ninguno)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self.stdout.write(policy_tables(), ending="")
            return
        path = Path(options["file"])
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No existe el usuario {options['user']}.")
        retroactive, reason = options["retroactive"], options["reason"] or ""
        try:
            data = read_policy_file(path)
            if "amnesty" in data:
                loaded = load_amnesty(data, actor=actor, retroactive=retroactive, reason=reason)
            else:
                loaded = load_version(data, actor=actor, retroactive=retroactive, reason=reason)
        except PolicyFileError as refused:
            lines = "\n".join(f"- {p}" for p in refused.problems)
            count = len(refused.problems)
            raise CommandError(
                f"Archivo rechazado ({path}): {count} problema{'s' if count != 1 else ''}; no se cargó nada.\n{lines}"
            ) from None
        self.stdout.write(loaded)
        self.stdout.write(RECOMPUTE_REMINDER)
