"""`cobranza policy list` and `cobranza policy load FILE [--retroactive --reason R] [--user U]`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cobranza.common.models import AuditEvent
from cobranza.ledger.models import Amnesty, PolicyVersion

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy"
VERSION_FILE = DOCS / "2026.1-recargo-2.json"
AMNESTY_FILE = DOCS / "amnistia-2026.json"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def write(tmp_path: Path, content: str | dict, name: str = "politica.json") -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def state() -> tuple[list, list, int]:
    """What a refused load must leave untouched."""
    return (
        list(PolicyVersion.objects.values_list("version", "parameters")),
        list(Amnesty.objects.values_list("name", flat=True)),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def before_2026(settings, default_policy_version):
    """The business date is 01/12/2025: the example files start in the future."""
    settings.COBRANZA_BUSINESS_DATE = date(2025, 12, 1)


def test_list_shows_the_versions_with_their_changes_and_the_amnesties(before_2026):
    output = run("list")
    assert "Versiones de la política" in output
    assert "2024.1" in output and "01/08/2015" in output and "(primera versión)" in output
    assert "Amnistías: ninguna." in output

    run("load", str(VERSION_FILE))
    run("load", str(AMNESTY_FILE))
    output = run("list")
    assert "2026.1" in output and "01/01/2026" in output
    assert "tasa mensual de recargo por mora (surcharge_monthly_rate): 0.01 → 0.02" in output
    assert "Amnistía marzo-mayo 2026" in output
    assert "01/03/2026 – 31/05/2026" in output
    assert "pago total en la ventana y convenios firmados en la ventana" in output
    assert "recargo, multa e interés" in output


def test_load_a_version_inherits_the_rest_and_reminds_to_recompute(before_2026, world):
    output = run("load", str(VERSION_FILE), "--user", "admin")
    assert output.splitlines() == [
        "Versión 2026.1 de la política cargada: vigente desde el 01/01/2026.",
        "Cambia respecto de la versión 2024.1 (el resto se hereda de ella):",
        "  tasa mensual de recargo por mora (surcharge_monthly_rate): 0.01 → 0.02",
        "Ejecute «cobranza recompute» para recalcular los saldos guardados; los estados de cuenta ya usan "
        "la política nueva.",
    ]
    row = PolicyVersion.objects.get(version="2026.1")
    assert row.effective_from == date(2026, 1, 1)
    assert row.note.startswith("Ejemplo: recargo por mora al 2 % mensual")
    policy = row.as_policy()
    assert str(policy.surcharge_monthly_rate) == "0.02"
    assert policy.fine_rate == PolicyVersion.objects.get(version="2024.1").as_policy().fine_rate
    event = AuditEvent.objects.get(action="policy.version_created", object_id=str(row.pk))
    assert event.actor == world.users.admin
    assert event.after["retroactive"] is False


def test_load_an_amnesty(before_2026):
    output = run("load", str(AMNESTY_FILE))
    assert output.splitlines()[0] == (
        "Amnistía «Amnistía marzo-mayo 2026» cargada: del 01/03/2026 al 31/05/2026; alcance: pago total "
        "en la ventana y convenios firmados en la ventana; condona: recargo, multa e interés."
    )
    assert "cobranza recompute" in output
    row = Amnesty.objects.get()
    assert (row.start, row.end, row.paid_in_full, row.agreements) == (
        date(2026, 3, 1),
        date(2026, 5, 31),
        True,
        True,
    )
    assert row.note.startswith("Ejemplo:")
    assert AuditEvent.objects.filter(action="policy.amnesty_created", object_id=str(row.pk)).exists()


def test_a_retroactive_version_needs_the_flag_and_a_reason(default_policy_version, settings):
    settings.COBRANZA_BUSINESS_DATE = date(2026, 3, 15)
    before = state()
    message = refused("load", str(VERSION_FILE))
    assert "no se cargó nada" in message
    assert (
        "La versión 2026.1 rige desde el 01/01/2026, antes de la fecha de negocio (15/03/2026): cambiaría "
        "cifras ya emitidas (estados de cuenta, saldos, convenios). Para cargarla así, use --retroactive "
        "--reason «motivo»."
    ) in message
    assert "Indique el motivo de la carga retroactiva con --reason «motivo»." in refused(
        "load", str(VERSION_FILE), "--retroactive"
    )
    assert state() == before

    output = run("load", str(VERSION_FILE), "--retroactive", "--reason", "Acuerdo de junta 12/2025")
    assert "Carga retroactiva; motivo: Acuerdo de junta 12/2025" in output
    event = AuditEvent.objects.get(action="policy.version_created")
    assert (event.after["retroactive"], event.reason) == (True, "Acuerdo de junta 12/2025")


def test_a_retroactive_amnesty_needs_the_flag_too(default_policy_version, settings):
    settings.COBRANZA_BUSINESS_DATE = date(2026, 4, 1)
    assert "La amnistía «Amnistía marzo-mayo 2026» rige desde el 01/03/2026" in refused(
        "load", str(AMNESTY_FILE)
    )
    assert not Amnesty.objects.exists()
    run("load", str(AMNESTY_FILE), "--retroactive", "--reason", "Decreto publicado tarde")
    assert Amnesty.objects.count() == 1


@pytest.mark.parametrize(
    "content,message",
    [
        (
            {"version": "2027.1", "effective_from": "2027-01-01", "recargo_mensual": "0.02"},
            "Política inválida: el campo «recargo_mensual» no es un parámetro conocido de la política",
        ),
        (
            {"version": "2027.1", "effective_from": "2027-01-01", "surcharge_monthly_rate": "-0.02"},
            "Política inválida: el campo «surcharge_monthly_rate» (tasa mensual de recargo por mora) no "
            "puede ser negativo: -0.02",
        ),
        (
            {"version": "2027.1", "effective_from": "1950-01-01", "fine_enabled": False},
            "Vigente desde fuera de rango: «01/01/1950» (debe estar entre 01/01/1954 y 31/12/2100).",
        ),
        (
            '{"version": "2027.1",\n "effective_from": "2027-01-01"\n "fine_rate": "0.3"}',
            "El archivo no es JSON válido: línea 3, columna 2: falta una coma.",
        ),
        (
            '{"version": "2027.1", "effective_from": "2027-01-01", "version": "2027.2"}',
            "La clave «version» está repetida en el archivo.",
        ),
        (
            {"version": "2024.1", "effective_from": "2024-01-01"},
            "Ya existe la versión «2024.1» de la política.",
        ),
        (
            {"version": "2027.1", "effective_from": "2027-01-01", "amnesty_enabled": True},
            "Política inválida: el campo «amnesty_enabled» ya no es un parámetro de la versión",
        ),
        (
            {"amnesty": {"name": "X", "start": "2027-01-01", "end": "2027-01-31", "color": "rojo"}},
            "Amnistía inválida: el campo «color» no es un campo conocido de la amnistía.",
        ),
        (["una", "lista"], "El archivo debe contener un objeto JSON"),
    ],
    ids=[
        "unknown-key",
        "negative-rate",
        "date-1950",
        "malformed-json",
        "repeated-key",
        "duplicate-version",
        "legacy-amnesty",
        "amnesty-unknown-key",
        "not-an-object",
    ],
)
def test_a_bad_file_is_refused_whole_naming_the_problem(before_2026, tmp_path, content, message):
    before = state()
    text = refused("load", write(tmp_path, content), "--retroactive", "--reason", "prueba")
    assert text.startswith("Archivo rechazado (")
    assert "no se cargó nada" in text
    assert message in text
    assert state() == before


def test_every_problem_of_a_file_is_named_at_once(before_2026, tmp_path):
    path = write(
        tmp_path,
        {
            "version": "2024.1",
            "effective_from": "1950-01-01",
            "surcharge_monthly_rate": "-0.02",
            "recargo": "1",
            "fine_enabled": "no",
            "note": 5,
        },
    )
    before = state()
    text = refused("load", path)
    lines = [ln for ln in text.splitlines() if ln.startswith("- ")]
    assert text.splitlines()[0] == f"Archivo rechazado ({path}): {len(lines)} problemas; no se cargó nada."
    named = "\n".join(lines)
    for expected in (
        "La nota («note») debe ser texto, no 5.",
        "Ya existe la versión «2024.1» de la política.",
        "Vigente desde fuera de rango: «01/01/1950»",
        "«surcharge_monthly_rate» (tasa mensual de recargo por mora) no puede ser negativo",
        "«recargo» no es un parámetro conocido",
        "«fine_enabled» (multa activada) debe ser verdadero o falso",
        "La versión 2024.1 rige desde el 01/01/1950, antes de la fecha de negocio",
    ):
        assert expected in named
    assert len(lines) == 7
    assert state() == before


def test_an_amnesty_contradicting_another_is_refused(before_2026, tmp_path):
    run("load", str(AMNESTY_FILE))
    other = {
        "amnesty": {"name": "Solo multas", "start": "2026-05-01", "end": "2026-06-30", "waives": ["fine"]}
    }
    text = refused("load", write(tmp_path, other))
    assert (
        "La ventana de la amnistía «Solo multas» (01/05/2026–30/06/2026) se superpone con la de "
        "«Amnistía marzo-mayo 2026» (01/03/2026–31/05/2026)"
    ) in text
    assert list(Amnesty.objects.values_list("name", flat=True)) == ["Amnistía marzo-mayo 2026"]


def test_an_unknown_user_or_file_is_a_spanish_error(before_2026, tmp_path):
    assert refused("load", str(VERSION_FILE), "--user", "nadie") == "No existe el usuario nadie."
    assert "No existe el archivo" in refused("load", str(tmp_path / "no-existe.json"))


def test_the_console_script_ends_without_a_traceback(tmp_path):
    bad = write(tmp_path, '{"version": "2027.1", "effective_from": }', name="mala.json")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "COBRANZA_BUSINESS_DATE")}
    env["COBRANZA_DATA_DIR"] = str(tmp_path)
    script = Path(sys.executable).with_name("cobranza")
    done = subprocess.run(
        [str(script), "policy", "load", bad],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "El archivo no es JSON válido: línea 1, columna 41: se esperaba un valor." in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
