"""The import engine (SPEC §3): every invalid case, idempotence, corrections, and the file formats."""

import io
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.employers.imports import ImportRejected, ImportResult, run_import
from cobranza.employers.imports.values import BadValue, parse_date, parse_decimal_text, parse_period
from cobranza.employers.models import Branch, Employer, ImportBatch, Sector
from cobranza.ledger.models import Declaration, DeclarationVersion, Payment
from tests.employers.conftest import EXAMPLES, IMPORT_DATA, TODAY

PAYMENTS = "payment_id,employer_number,paid_on,amount,period,channel,reference\n"
DECLARATIONS = (
    "employer_number,period,workers,salary_base,employer_contribution,worker_contribution,filed_on,origin\n"
)
EMPLOYERS = (
    "employer_number,nit,legal_name,trade_name,sector,branch,address,phone,email,"
    "legal_representative,status,registered_on\n"
)
GOOD_PAYMENT = "P-1,100000001,2024-02-13,204.75,2024-01,banco,NPE-1\n"
GOOD_DECLARATION = "100000001,2024-01,3,1950.00,146.25,58.50,2024-02-11,employer\n"
GOOD_EMPLOYER = (
    "100000009,0614-010199-109-9,Ferretería El Clavo,El Clavo,comercio,San Salvador,,,,,active,2015-01-05\n"
)


def counts() -> dict[str, int]:
    return {
        "employers": Employer.objects.count(),
        "declarations": Declaration.objects.count(),
        "payments": Payment.objects.count(),
        "batches": ImportBatch.objects.count(),
        "events": AuditEvent.objects.count(),
        "branches": Branch.objects.count(),
        "sectors": Sector.objects.count(),
    }


def run(kind: str, path, **kwargs) -> ImportResult:
    return run_import(kind=kind, source=path, today=TODAY, **kwargs)


def reject(kind: str, path, **kwargs) -> list[dict]:
    """Import a bad file: it must raise ImportRejected and change nothing. Returns the problems."""
    before = counts()
    with pytest.raises(ImportRejected) as info:
        run(kind, path, **kwargs)
    assert counts() == before, "a rejected file must not write anything"
    rejected = info.value
    assert isinstance(rejected, ApplicationError)
    assert rejected.details, "the report lists the problems"
    assert "no se importó nada" in rejected.message
    return rejected.details


def problem(problems: list[dict], *, row, column: str) -> dict:
    found = [p for p in problems if p["row"] == row and p["column"] == column]
    assert found, f"no problem at row {row}, column {column}: {problems}"
    return found[0]


# ------------------------------------------------------------------------------------- file structure


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "header", "missing"),
    [
        ("payments", "payment_id,employer_number,paid_on\n", "amount"),
        ("declarations", DECLARATIONS.replace(",origin", ""), "origin"),
        ("employers", "employer_number,legal_name,branch\n", "status"),
    ],
)
def test_missing_required_column(registry, sample, kind, header, missing):
    path = sample("falta.csv", header + "1,2,3\n")
    problems = reject(kind, path)
    found = problem(problems, row=1, column=missing)
    assert "falta la columna obligatoria" in found["reason"]


@pytest.mark.django_db
def test_unknown_extra_column_is_reported_and_rows_still_checked(registry, sample):
    path = sample(
        "extra.csv",
        PAYMENTS.strip()
        + ",observaciones\n"
        + GOOD_PAYMENT.strip()
        + ",x\nP-2,100000001,2024-02-13,-1,,,,y\n",
    )
    problems = reject("payments", path)
    assert problem(problems, row=1, column="observaciones")["reason"] == "columna desconocida"
    assert "mayor que cero" in problem(problems, row=3, column="amount")["reason"]


@pytest.mark.django_db
def test_trailing_separator_makes_an_unnamed_column_tolerated_while_empty(registry, sample):
    ok = sample("coma.csv", PAYMENTS.strip() + ",\n" + GOOD_PAYMENT.strip() + ",\n")
    assert run("payments", ok).created == 1
    bad = sample("coma2.csv", PAYMENTS.strip() + ",\n" + "P-2,100000001,2024-02-13,1.00,,,,algo\n")
    found = problem(reject("payments", bad), row=2, column="columna 8")
    assert (found["value"], found["reason"]) == ("algo", "valor en una columna sin nombre")


@pytest.mark.django_db
def test_repeated_column_is_reported(registry, sample):
    path = sample(
        "doble.csv", "payment_id,employer_number,paid_on,amount,monto\nP-1,100000001,2024-01-02,1,1\n"
    )
    problems = reject("payments", path)
    assert "columna repetida" in problem(problems, row=1, column="monto")["reason"]


@pytest.mark.django_db
def test_row_with_too_many_or_too_few_fields(registry, sample):
    text = (
        PAYMENTS
        + GOOD_PAYMENT
        + "P-2,100000001,2024-02-13,10.00,2024-01,banco,NPE-2,sobra\nP-3,100000001,2024-02-13\n"
    )
    problems = reject("payments", sample("campos.csv", text))
    too_many = problem(problems, row=3, column="")
    too_few = problem(problems, row=4, column="")
    assert "8 campos" in too_many["reason"] and "sobran" in too_many["reason"]
    assert "3 campos" in too_few["reason"] and "faltan" in too_few["reason"]
    assert len(problems) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "vacío"),
        (b"\n\n  \n", "vacío"),
        (PAYMENTS.encode(), "no tiene filas de datos"),
        ((PAYMENTS + ",,,,,,\n\n").encode(), "no tiene filas de datos"),
    ],
)
def test_empty_file_or_header_only(registry, sample, content, reason):
    problems = reject("payments", sample("vacio.csv", content))
    assert reason in problems[0]["reason"]
    assert problems[0]["row"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "no es un archivo de texto"),
        ("payment_id,amount\n".encode("utf-16"), "UTF-16"),
        (
            PAYMENTS.encode() + b"P-1,100000001,2024-02-13,1.00,,\x81\x8d,x\n",
            "no está en UTF-8 ni en Latin-1",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls antiguo"),
        (b"PK\x03\x04 not really a zip", "XLSX válido"),
    ],
)
def test_undecodable_file(registry, sample, content, reason):
    problems = reject("payments", sample("raro.csv", content))
    assert reason in problems[0]["reason"]


@pytest.mark.django_db
def test_missing_file_is_a_clear_rejection(tmp_path):
    with pytest.raises(ImportRejected) as info:
        run("payments", tmp_path / "no-existe.csv")
    assert info.value.details[0]["reason"] == "el archivo no existe"


@pytest.mark.django_db
def test_unknown_kind_is_refused(sample):
    with pytest.raises(ApplicationError, match="Tipo de importación desconocido"):
        run("agreements", sample("x.csv", PAYMENTS))


@pytest.mark.django_db
def test_every_problem_is_reported_at_once(registry, sample):
    text = (
        PAYMENTS
        + "P-1,100000001,2024-02-30,204.75,,,\n"  # impossible date
        + "P-2,999999999,2024-02-13,204.75,,,\n"  # unknown employer
        + "P-3,100000001,2024-02-13,abc,,,\n"  # text where a number goes
        + "P-4,100000001,2024-02-13,1.00,,,\n"
    )
    with pytest.raises(ImportRejected) as info:
        run("payments", sample("pagos.csv", text))
    assert info.value.message == "El archivo pagos.csv tiene 3 errores; no se importó nada."
    assert [(p["row"], p["column"]) for p in info.value.details] == [
        (2, "paid_on"),
        (3, "employer_number"),
        (4, "amount"),
    ]
    assert Payment.objects.count() == 0


# ------------------------------------------------------------------------------------------ payments


@pytest.mark.django_db
def test_payments_import_creates_rows_linked_to_a_batch_and_audits(registry, sample, importer_admin):
    text = PAYMENTS + GOOD_PAYMENT + "P-2,100000002,13/03/2024,1000,,,\n"
    result = run("payments", sample("pagos.csv", text), actor=importer_admin)
    assert (result.rows, result.created, result.updated, result.skipped) == (2, 2, 0, 0)
    assert result.summary == "Pagos: 2 filas, 2 nuevas, 0 omitidas (ya importadas)"
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.kind, batch.filename, batch.created_by, batch.created) == (
        "payments",
        "pagos.csv",
        importer_admin,
        2,
    )
    payment = Payment.objects.get(payment_id="P-2")
    assert payment.import_batch == batch
    assert payment.paid_on == date(2024, 3, 13)
    assert payment.amount == Decimal("1000.00")
    assert (payment.period, payment.channel, payment.reference) == ("", "", "")
    first = Payment.objects.get(payment_id="P-1")
    assert (first.period, first.channel, first.reference, first.employer.employer_number) == (
        "2024-01",
        "banco",
        "NPE-1",
        "100000001",
    )
    event = AuditEvent.objects.get(action="import.completed")
    assert event.actor == importer_admin
    assert event.after == {
        "kind": "payments",
        "filename": "pagos.csv",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "skipped": 0,
    }


@pytest.mark.django_db
def test_reimporting_the_same_payments_file_counts_nothing_twice(registry, sample):
    path = sample("pagos.csv", PAYMENTS + GOOD_PAYMENT + "P-2,100000002,2024-03-13,99.99,,,\n")
    run("payments", path)
    stored = list(Payment.objects.order_by("payment_id").values_list("payment_id", "amount", "import_batch"))
    again = run("payments", path)
    assert (again.rows, again.created, again.skipped) == (2, 0, 2)
    assert again.summary == "Pagos: 2 filas, 0 nuevas, 2 omitidas (ya importadas)"
    assert (
        list(Payment.objects.order_by("payment_id").values_list("payment_id", "amount", "import_batch"))
        == stored
    )
    # A file mixing old and new rows adds only the new ones.
    mixed = sample("pagos2.csv", PAYMENTS + GOOD_PAYMENT + "P-3,100000003,2024-03-13,5.00,,,\n")
    result = run("payments", mixed)
    assert (result.created, result.skipped) == (1, 1)
    assert Payment.objects.count() == 3


@pytest.mark.django_db
def test_payment_id_already_imported_with_other_content_is_rejected(registry, sample):
    run("payments", sample("pagos.csv", PAYMENTS + GOOD_PAYMENT))
    changed = sample("pagos2.csv", PAYMENTS + "P-1,100000001,2024-02-13,204.76,2024-01,banco,NPE-1\n")
    problems = reject("payments", changed)
    found = problem(problems, row=2, column="payment_id")
    assert "ya fue importado con otro contenido" in found["reason"] and "amount" in found["reason"]
    assert Payment.objects.get(payment_id="P-1").amount == Decimal("204.75")


@pytest.mark.django_db
def test_payment_id_repeated_in_the_file(registry, sample):
    text = PAYMENTS + GOOD_PAYMENT + "P-2,100000001,2024-02-13,5.00,,,\n" + GOOD_PAYMENT
    problems = reject("payments", sample("pagos.csv", text))
    found = problem(problems, row=4, column="payment_id")
    assert "repetido en el archivo" in found["reason"] and "fila 2" in found["reason"]


@pytest.mark.django_db
def test_payment_dated_in_the_future(registry, sample):
    problems = reject("payments", sample("pagos.csv", PAYMENTS + "P-1,100000001,2025-01-01,10.00,,,\n"))
    found = problem(problems, row=2, column="paid_on")
    assert found["value"] == "2025-01-01" and "fecha futura" in found["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2024-02-30", "31/04/2024", "2023-02-29"])
def test_impossible_date(registry, sample, value):
    problems = reject("payments", sample("pagos.csv", PAYMENTS + f"P-1,100000001,{value},10.00,,,\n"))
    assert "fecha imposible" in problem(problems, row=2, column="paid_on")["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2024/02/03", "ayer", "2024-2", "13-02-2024"])
def test_text_where_a_date_goes(registry, sample, value):
    problems = reject("payments", sample("pagos.csv", PAYMENTS + f"P-1,100000001,{value},10.00,,,\n"))
    assert "no es una fecha" in problem(problems, row=2, column="paid_on")["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0", "mayor que cero"),
        ("0.00", "mayor que cero"),
        ("-5.00", "mayor que cero"),
        ("10.005", "más de dos decimales"),
        ("abc", "no es un número"),
        ("12a", "no es un número"),
        ("", "falta el valor"),
        ("1.2.3", "mal escrito"),
        ("1000000000000.00", "demasiado grande"),
    ],
)
def test_payment_amount_must_be_positive_with_two_decimals(registry, sample, value, reason):
    problems = reject("payments", sample("pagos.csv", PAYMENTS + f'P-1,100000001,2024-02-13,"{value}",,,\n'))
    found = problem(problems, row=2, column="amount")
    assert reason in found["reason"]
    assert found["value"] == value


@pytest.mark.django_db
def test_payment_of_an_unknown_employer(registry, sample):
    problems = reject("payments", sample("pagos.csv", PAYMENTS + "P-1,123456789,2024-02-13,10.00,,,\n"))
    assert problem(problems, row=2, column="employer_number")["reason"] == "patrono no registrado"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1953-12", "fuera del rango"),
        ("2025-01", "fuera del rango"),
        ("2024-13", "imposible"),
        ("01/2024", "AAAA-MM"),
    ],
)
def test_payment_period_outside_1954_and_the_current_month(registry, sample, value, reason):
    problems = reject(
        "payments", sample("pagos.csv", PAYMENTS + f"P-1,100000001,2024-02-13,10.00,{value},,\n")
    )
    assert reason in problem(problems, row=2, column="period")["reason"]


@pytest.mark.django_db
def test_payments_without_optional_columns(registry, sample):
    result = run(
        "payments",
        sample("pagos.csv", "payment_id,employer_number,paid_on,amount\nP-1,100000001,2024-02-13,10\n"),
    )
    assert result.created == 1
    assert Payment.objects.get().amount == Decimal("10.00")


@pytest.mark.django_db
def test_dry_run_checks_against_the_database_and_writes_nothing(registry, sample):
    run("payments", sample("pagos.csv", PAYMENTS + GOOD_PAYMENT))
    before = counts()
    result = run(
        "payments",
        sample("pagos2.csv", PAYMENTS + GOOD_PAYMENT + "P-2,100000001,2024-02-13,1.00,,,\n"),
        dry_run=True,
    )
    assert (result.dry_run, result.batch_id, result.created, result.skipped) == (True, None, 1, 1)
    assert result.summary.startswith("Validación correcta, no se escribió nada.")
    assert counts() == before


@pytest.mark.django_db
def test_progress_is_reported_while_checking_and_writing(registry, sample):
    lines = [f"P-{i},10000000{1 + i % 5},2024-02-13,{1 + i % 90}.{i % 100:02d},,,\n" for i in range(25_000)]
    calls: list[tuple[int, int]] = []
    result = run(
        "payments", sample("pagos.csv", PAYMENTS + "".join(lines)), progress=lambda d, t: calls.append((d, t))
    )
    assert result.created == 25_000
    assert (10_000, 25_000) in calls or any(d == 10_000 for d, _ in calls)
    assert calls[-1] == (25_000, 25_000)
    assert (0, 25_000) in calls  # the writing pass starts from zero
    assert Payment.objects.count() == 25_000


# -------------------------------------------------------------------------------------- declarations


@pytest.mark.django_db
def test_declarations_import_and_identical_reimport(registry, sample):
    path = sample(
        "planillas.csv",
        DECLARATIONS + GOOD_DECLARATION + "100000003,2023-03,3,2400.00,180.00,72.00,,de_oficio\n",
    )
    result = run("declarations", path)
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    de_oficio = Declaration.objects.get(employer__employer_number="100000003")
    assert (de_oficio.filed_on, de_oficio.origin, de_oficio.import_batch_id) == (
        None,
        "de_oficio",
        result.batch_id,
    )
    again = run("declarations", path)
    assert (again.created, again.updated, again.corrected, again.skipped) == (0, 0, 0, 2)
    assert not AuditEvent.objects.filter(action="declaration.corrected").exists()
    assert list(DeclarationVersion.objects.values_list("number", "recorded_on", "import_batch_id")) == [
        (1, TODAY, result.batch_id),
        (1, TODAY, result.batch_id),
    ]


CORRECTION = "100000001,2024-01,4,2600.00,195.00,78.00,2024-06-03,employer\n"


def versions_of(declaration: Declaration) -> list[tuple]:
    return list(
        declaration.versions.order_by("number").values_list(
            "number", "employer_contribution", "worker_contribution", "filed_on", "origin", "recorded_on"
        )
    )


@pytest.mark.django_db
def test_declaration_correction_is_a_new_version_and_keeps_the_first_filing_date(
    registry, sample, importer_admin
):
    """SPEC §3: the same key with other amounts is a correction: version 2, the current amounts
    change, the first filing's date stays (it decides the fine), and it is audited."""
    first = run("declarations", sample("planillas.csv", DECLARATIONS + GOOD_DECLARATION))
    original = Declaration.objects.get()
    result = run("declarations", sample("correccion.csv", DECLARATIONS + CORRECTION), actor=importer_admin)
    assert (result.created, result.updated, result.corrected, result.skipped) == (0, 0, 1, 0)
    assert result.summary == "Planillas: 1 fila, 0 nuevas, 1 corrección, 0 omitidas (ya importadas)"
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.created, batch.updated, batch.corrected, batch.skipped) == (0, 0, 1, 0)
    declaration = Declaration.objects.get()
    assert declaration.pk == original.pk
    assert (
        declaration.workers,
        declaration.salary_base,
        declaration.employer_contribution,
        declaration.worker_contribution,
    ) == (4, Decimal("2600.00"), Decimal("195.00"), Decimal("78.00"))
    assert (declaration.filed_on, declaration.origin, declaration.latest_version) == (
        date(2024, 2, 11),
        "employer",
        2,
    )
    assert declaration.import_batch_id == result.batch_id
    assert versions_of(declaration) == [
        (1, Decimal("146.25"), Decimal("58.50"), date(2024, 2, 11), "employer", TODAY),
        (2, Decimal("195.00"), Decimal("78.00"), date(2024, 6, 3), "employer", TODAY),
    ]
    assert list(declaration.versions.values_list("import_batch_id", flat=True)) == [
        first.batch_id,
        result.batch_id,
    ]
    event = AuditEvent.objects.get(action="declaration.corrected")
    assert (event.actor, event.employer_number, event.object_id) == (
        importer_admin,
        "100000001",
        str(original.pk),
    )
    assert event.before == {
        "workers": 3,
        "salary_base": "1950.00",
        "employer_contribution": "146.25",
        "worker_contribution": "58.50",
        "filed_on": "2024-02-11",
        "version": 1,
    }
    assert event.after == {
        "workers": 4,
        "salary_base": "2600.00",
        "employer_contribution": "195.00",
        "worker_contribution": "78.00",
        "filed_on": "2024-06-03",
        "version": 2,
    }
    assert "2024-01" in event.reason and "versión 2" in event.reason
    completed = AuditEvent.objects.filter(action="import.completed").order_by("id").last()
    assert (completed.after["corrected"], completed.after["updated"]) == (1, 0)


@pytest.mark.django_db
def test_reimporting_a_correction_or_an_older_file_is_idempotent(registry, sample):
    original = sample("planillas.csv", DECLARATIONS + GOOD_DECLARATION)
    correction = sample("correccion.csv", DECLARATIONS + CORRECTION)
    run("declarations", original)
    run("declarations", correction)
    events = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    again = run("declarations", correction)
    assert (again.created, again.corrected, again.skipped) == (0, 0, 1)
    assert again.summary == "Planillas: 1 fila, 0 nuevas, 0 correcciones, 1 omitida (ya importada)"
    older = run("declarations", original)  # the first filing again: not a correction back
    assert (older.created, older.corrected, older.skipped) == (0, 0, 1)
    declaration = Declaration.objects.get()
    assert declaration.latest_version == 2 and declaration.versions.count() == 2
    assert declaration.employer_contribution == Decimal("195.00")
    assert not AuditEvent.objects.filter(action="declaration.corrected", id__gt=events).exists()
    # A third filing is version 3, whatever came before.
    third = run(
        "declarations",
        sample(
            "tercera.csv", DECLARATIONS + "100000001,2024-01,3,1950.00,146.25,58.50,2024-07-01,employer\n"
        ),
    )
    assert third.corrected == 1
    declaration.refresh_from_db()
    assert (declaration.latest_version, declaration.employer_contribution, declaration.filed_on) == (
        3,
        Decimal("146.25"),
        date(2024, 2, 11),
    )
    assert [v[0] for v in versions_of(declaration)] == [1, 2, 3]


@pytest.mark.django_db
def test_de_oficio_correction_without_a_date_is_recorded_on_the_import_date(registry, sample):
    run(
        "declarations",
        sample("oficio.csv", DECLARATIONS + "100000003,2023-03,3,2400.00,180.00,72.00,,de_oficio\n"),
    )
    result = run_import(
        kind="declarations",
        source=sample("oficio2.csv", DECLARATIONS + "100000003,2023-03,3,2600.00,195.00,78.00,,de_oficio\n"),
        today=date(2024, 11, 5),
    )
    assert result.corrected == 1
    declaration = Declaration.objects.get()
    assert (declaration.filed_on, declaration.origin, declaration.employer_contribution) == (
        None,
        "de_oficio",
        Decimal("195.00"),
    )
    assert versions_of(declaration) == [
        (1, Decimal("180.00"), Decimal("72.00"), None, "de_oficio", TODAY),
        (2, Decimal("195.00"), Decimal("78.00"), None, "de_oficio", date(2024, 11, 5)),
    ]


@pytest.mark.django_db
def test_another_period_or_employer_is_another_declaration_not_a_correction(registry, sample):
    run("declarations", sample("planillas.csv", DECLARATIONS + GOOD_DECLARATION))
    other = sample(
        "otras.csv",
        DECLARATIONS
        + "100000001,2024-02,4,2600.00,195.00,78.00,2024-03-11,employer\n"
        + "100000002,2024-01,4,2600.00,195.00,78.00,2024-02-11,employer\n"
        + CORRECTION,
    )
    result = run("declarations", other)
    assert (result.created, result.corrected, result.skipped) == (2, 1, 0)
    assert result.summary == "Planillas: 3 filas, 2 nuevas, 1 corrección, 0 omitidas (ya importadas)"
    assert Declaration.objects.count() == 3
    assert sorted(Declaration.objects.values_list("latest_version", flat=True)) == [1, 1, 2]
    # Every declaration has its first filing as version 1.
    assert DeclarationVersion.objects.filter(number=1).count() == 3


@pytest.mark.django_db
def test_a_bad_row_refuses_the_whole_file_with_its_corrections(registry, sample):
    run("declarations", sample("planillas.csv", DECLARATIONS + GOOD_DECLARATION))
    versions = DeclarationVersion.objects.count()
    problems = reject(
        "declarations",
        sample(
            "mixta.csv",
            DECLARATIONS + CORRECTION + "100000002,2024-01,3,1950.00,-1.00,58.50,2024-02-11,employer\n",
        ),
    )
    assert problem(problems, row=3, column="employer_contribution")
    assert DeclarationVersion.objects.count() == versions
    assert Declaration.objects.get().employer_contribution == Decimal("146.25")


@pytest.mark.django_db
def test_dry_run_counts_corrections_and_writes_nothing(registry, sample):
    run("declarations", sample("planillas.csv", DECLARATIONS + GOOD_DECLARATION))
    result = run("declarations", sample("correccion.csv", DECLARATIONS + CORRECTION), dry_run=True)
    assert (result.created, result.corrected, result.skipped) == (0, 1, 0)
    assert result.summary.startswith("Validación correcta, no se escribió nada. Planillas:")
    assert "1 corrección" in result.summary
    assert Declaration.objects.get().latest_version == 1
    assert DeclarationVersion.objects.count() == 1


@pytest.mark.django_db
def test_correction_of_a_declaration_stored_without_versions_keeps_its_first_filing(registry, sample):
    """A declaration stored some other way than the import (admin, fixtures) has no version rows:
    its row becomes version 1 before the correction is added."""
    Declaration.objects.create(
        employer=registry.employers[0],
        period="2024-01",
        workers=3,
        salary_base=Decimal("1950.00"),
        employer_contribution=Decimal("146.25"),
        worker_contribution=Decimal("58.50"),
        filed_on=date(2024, 2, 11),
        origin="employer",
    )
    assert run("declarations", sample("correccion.csv", DECLARATIONS + CORRECTION)).corrected == 1
    declaration = Declaration.objects.get()
    assert [v[:4] for v in versions_of(declaration)] == [
        (1, Decimal("146.25"), Decimal("58.50"), date(2024, 2, 11)),
        (2, Decimal("195.00"), Decimal("78.00"), date(2024, 6, 3)),
    ]


@pytest.mark.django_db
def test_versions_are_never_edited_or_deleted(registry, sample):
    run("declarations", sample("planillas.csv", DECLARATIONS + GOOD_DECLARATION))
    version = DeclarationVersion.objects.get()
    version.workers = 9
    with pytest.raises(ApplicationError):
        version.save()
    with pytest.raises(ApplicationError):
        version.delete()
    with pytest.raises(ApplicationError):
        DeclarationVersion.objects.all().update(workers=9)
    with pytest.raises(ApplicationError):
        DeclarationVersion.objects.all().delete()


@pytest.mark.django_db
def test_declaration_filed_by_the_employer_needs_a_filing_date(registry, sample):
    problems = reject(
        "declarations",
        sample("planillas.csv", DECLARATIONS + "100000001,2024-01,3,1950.00,146.25,58.50,,employer\n"),
    )
    found = problem(problems, row=2, column="filed_on")
    assert found["reason"] == "fecha_presentacion vacía para una planilla presentada por el patrono"


@pytest.mark.django_db
def test_contributions_may_be_zero_but_not_negative(registry, sample):
    zero = run(
        "declarations",
        sample("cero.csv", DECLARATIONS + "100000001,2024-01,0,0,0.00,0,2024-02-11,employer\n"),
    )
    assert zero.created == 1
    problems = reject(
        "declarations",
        sample(
            "negativa.csv", DECLARATIONS + "100000002,2024-01,3,1950.00,-146.25,58.50,2024-02-11,employer\n"
        ),
    )
    assert "negativo" in problem(problems, row=2, column="employer_contribution")["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "reason"), [("2.5", "entero"), ("-1", "negativo"), ("tres", "no es un número"), ("", "falta")]
)
def test_workers_is_a_whole_number_not_negative(registry, sample, value, reason):
    text = DECLARATIONS + f"100000001,2024-01,{value},1950.00,146.25,58.50,2024-02-11,employer\n"
    problems = reject("declarations", sample("planillas.csv", text))
    assert reason in problem(problems, row=2, column="workers")["reason"]


@pytest.mark.django_db
def test_declaration_period_up_to_the_current_month(registry, sample):
    current = run(
        "declarations",
        sample("actual.csv", DECLARATIONS + "100000001,2024-12,3,1950.00,146.25,58.50,,de_oficio\n"),
    )
    assert current.created == 1
    problems = reject(
        "declarations",
        sample(
            "futura.csv",
            DECLARATIONS
            + "100000001,2025-01,3,1950.00,146.25,58.50,,de_oficio\n100000002,1953-12,1,1,1,1,,de_oficio\n",
        ),
    )
    assert "fuera del rango 1954-01 … 2024-12" in problem(problems, row=2, column="period")["reason"]
    assert "fuera del rango" in problem(problems, row=3, column="period")["reason"]


@pytest.mark.django_db
def test_declaration_unknown_origin_and_unknown_employer(registry, sample):
    text = (
        DECLARATIONS
        + "100000001,2024-01,3,1950.00,146.25,58.50,2024-02-11,inspeccion\n"
        + "555,2024-01,3,1950.00,146.25,58.50,2024-02-11,employer\n"
    )
    problems = reject("declarations", sample("planillas.csv", text))
    assert "origen desconocido" in problem(problems, row=2, column="origin")["reason"]
    assert problem(problems, row=3, column="employer_number")["reason"] == "patrono no registrado"


@pytest.mark.django_db
def test_declaration_repeated_in_the_file(registry, sample):
    text = (
        DECLARATIONS
        + GOOD_DECLARATION
        + "100000002,2024-01,1,1,1,1,2024-02-11,employer\n"
        + GOOD_DECLARATION.replace(",3,", ",4,")
    )
    problems = reject("declarations", sample("planillas.csv", text))
    found = problem(problems, row=4, column="period")
    assert "repetida en el archivo" in found["reason"] and "fila 2" in found["reason"]


@pytest.mark.django_db
def test_declaration_filed_in_the_future(registry, sample):
    problems = reject(
        "declarations",
        sample("planillas.csv", DECLARATIONS + "100000001,2024-12,3,1,1,1,2025-01-10,employer\n"),
    )
    assert "fecha futura" in problem(problems, row=2, column="filed_on")["reason"]


# ----------------------------------------------------------------------------------------- employers


@pytest.mark.django_db
def test_employers_import_creates_unknown_branches_and_sectors(registry, sample, importer_admin):
    text = (
        EMPLOYERS
        + GOOD_EMPLOYER
        + "100000010,,Hotel Playa Azul,,Turismo y Hoteles,La Libertad,,,,,inactive,\n"
    )
    result = run("employers", sample("patronos.csv", text), actor=importer_admin)
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    hotel = Employer.objects.select_related("branch", "sector").get(employer_number="100000010")
    assert (hotel.branch.name, hotel.branch.code) == ("La Libertad", "la-libertad")
    assert (hotel.sector.name, hotel.sector.code) == ("Turismo y Hoteles", "turismo-y-hoteles")
    assert hotel.status == "inactive" and hotel.registered_on is None
    assert hotel.search_text == "hotel playa azul"
    clavo = Employer.objects.get(employer_number="100000009")
    assert clavo.branch == registry.branch  # existing branch matched by name
    assert clavo.registered_on == date(2015, 1, 5)
    created_events = AuditEvent.objects.filter(action="employer.created")
    assert created_events.count() == 2
    assert created_events.get(employer_number="100000010").after["legal_name"] == "Hotel Playa Azul"
    assert AuditEvent.objects.filter(action="branch.created", object_id=str(hotel.branch_id)).exists()


@pytest.mark.django_db
def test_employers_reimport_updates_changed_fields_and_records_before_after(registry, sample, importer_admin):
    path = sample("patronos.csv", EMPLOYERS + GOOD_EMPLOYER)
    run("employers", path)
    again = run("employers", path)
    assert (again.created, again.updated, again.skipped) == (0, 0, 1)
    changed = GOOD_EMPLOYER.replace("Ferretería El Clavo", '"Ferretería El Clavo, S.A."').replace(
        "active", "closed"
    )
    result = run("employers", sample("patronos2.csv", EMPLOYERS + changed), actor=importer_admin)
    assert (result.created, result.updated, result.skipped) == (0, 1, 0)
    employer = Employer.objects.get(employer_number="100000009")
    assert (employer.legal_name, employer.status) == ("Ferretería El Clavo, S.A.", "closed")
    assert employer.search_text == "ferreteria el clavo, s.a. el clavo"
    event = AuditEvent.objects.get(action="employer.updated")
    assert event.actor == importer_admin
    assert event.before == {"legal_name": "Ferretería El Clavo", "status": "active"}
    assert event.after == {"legal_name": "Ferretería El Clavo, S.A.", "status": "closed"}


@pytest.mark.django_db
def test_employer_moved_to_a_new_branch_and_sector_cleared(registry, sample):
    employer = registry.employers[0]
    assert employer.sector_id is not None
    path = sample(
        "mover.csv",
        "numero_patronal,razon_social,sucursal,sector,estado\n100000001,Patrono 1,Nueva Sucursal,,activo\n",
    )
    result = run("employers", path)
    assert result.updated == 1
    employer.refresh_from_db()
    new_branch = Branch.objects.get(name="Nueva Sucursal")
    assert (employer.branch_id, employer.sector_id, new_branch.code) == (
        new_branch.pk,
        None,
        "nueva-sucursal",
    )
    event = AuditEvent.objects.get(action="employer.updated")
    assert event.after == {"branch_id": new_branch.pk, "sector_id": None}
    assert event.before["branch_id"] == registry.branch.pk


@pytest.mark.django_db
def test_employers_file_with_few_columns_leaves_the_others_alone(registry, sample):
    employer = registry.employers[0]
    nit = employer.nit
    path = sample(
        "estado.csv",
        "numero_patronal,razon_social,sucursal,estado\n100000001,Patrono 1,San Salvador,cerrado\n",
    )
    result = run("employers", path)
    assert result.updated == 1
    employer.refresh_from_db()
    assert (employer.status, employer.nit) == ("closed", nit)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["suspended", "x", ""])
def test_employer_unknown_status(registry, sample, value):
    problems = reject("employers", sample("patronos.csv", EMPLOYERS + GOOD_EMPLOYER.replace("active", value)))
    assert problem(problems, row=2, column="status")["value"] == value


@pytest.mark.django_db
def test_employer_number_repeated_or_not_a_number(registry, sample):
    text = EMPLOYERS + GOOD_EMPLOYER + GOOD_EMPLOYER + GOOD_EMPLOYER.replace("100000009", "ABC-1")
    problems = reject("employers", sample("patronos.csv", text))
    assert "repetido en el archivo" in problem(problems, row=3, column="employer_number")["reason"]
    assert "solo dígitos" in problem(problems, row=4, column="employer_number")["reason"]


@pytest.mark.django_db
def test_employer_required_values_and_text_length(registry, sample):
    text = (
        EMPLOYERS
        + GOOD_EMPLOYER.replace("Ferretería El Clavo,", ",").replace("San Salvador", "")
        + GOOD_EMPLOYER.replace("0614-010199-109-9", "9" * 21).replace("100000009", "100000011")
    )
    problems = reject("employers", sample("patronos.csv", text))
    assert problem(problems, row=2, column="legal_name")["reason"] == "falta el valor"
    assert problem(problems, row=2, column="branch")["reason"] == "falta el valor"
    assert "máximo 20" in problem(problems, row=3, column="nit")["reason"]


# ------------------------------------------------------------------------------------ formats and headers


@pytest.mark.django_db
def test_utf8_with_bom(registry, sample):
    result = run("payments", sample("bom.csv", "\ufeff" + PAYMENTS + GOOD_PAYMENT))
    assert result.created == 1


@pytest.mark.django_db
def test_latin1_file(registry, sample):
    text = EMPLOYERS + "100000012,,Panadería Ñandú,,Comercio,San Salvador,,,,José Peña,activo,\n"
    result = run("employers", sample("latin1.csv", text, encoding="latin-1"))
    assert result.created == 1
    employer = Employer.objects.get(employer_number="100000012")
    assert (employer.legal_name, employer.legal_representative) == ("Panadería Ñandú", "José Peña")


@pytest.mark.django_db
def test_windows_1252_punctuation(registry, sample):
    text = PAYMENTS + "P-1,100000001,2024-02-13,10.00,,caja “norte”,Pago — 50 €\n"
    run("payments", sample("cp1252.csv", text, encoding="cp1252"))
    payment = Payment.objects.get()
    assert (payment.channel, payment.reference) == ("caja “norte”", "Pago — 50 €")


@pytest.mark.django_db
def test_semicolons_with_decimal_commas_and_day_first_dates(registry, sample):
    text = (
        "id_pago;numero_patronal;fecha_pago;monto\n"
        "P-1;100000001;13/02/2024;1.234,56\n"
        "P-2;100000001;01/03/2024;1234,5\n"
        "P-3;100000001;1/3/2024;1.234\n"
        "P-4;100000001;2024-03-02;99.95\n"
    )
    result = run("payments", sample("pagos.csv", text))
    assert result.created == 4
    amounts = dict(Payment.objects.values_list("payment_id", "amount"))
    assert amounts == {
        "P-1": Decimal("1234.56"),
        "P-2": Decimal("1234.50"),
        "P-3": Decimal("1234.00"),
        "P-4": Decimal("99.95"),
    }
    assert Payment.objects.get(payment_id="P-3").paid_on == date(2024, 3, 1)


@pytest.mark.django_db
def test_commas_file_with_thousands_separators(registry, sample):
    text = (
        PAYMENTS
        + 'P-1,100000001,2024-02-13,"1,234.56",,,\nP-2,100000001,2024-02-13,"1,234",,,\nP-3,100000001,2024-02-13,"$2,000.00",,,\n'
    )
    run("payments", sample("pagos.csv", text))
    assert dict(Payment.objects.values_list("payment_id", "amount")) == {
        "P-1": Decimal("1234.56"),
        "P-2": Decimal("1234.00"),
        "P-3": Decimal("2000.00"),
    }


@pytest.mark.django_db
def test_spanish_headers_in_any_case_with_accents_and_spaces(registry, sample):
    text = (
        "Número Patronal,PERIODO,Trabajadores,Salario Afecto,Cotización Patronal,cotizacion_laboral,"
        "Fecha Presentación,Origen\n" + GOOD_DECLARATION
    )
    assert run("declarations", sample("planillas.csv", text)).created == 1


@pytest.mark.django_db
def test_problems_name_the_column_as_the_file_does(registry, sample):
    problems = reject(
        "payments",
        sample(
            "pagos.csv", "ID Pago,Número patronal,Fecha de pago,Monto\n" + "P-1,100000001,2024-02-13,-3\n"
        ),
    )
    assert problem(problems, row=1, column="Fecha de pago")["reason"] == "columna desconocida"
    assert any(p["column"] == "paid_on" and "falta la columna" in p["reason"] for p in problems)


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_xlsx_with_numbers_and_dates_in_cells(registry, sample):
    content = _xlsx(
        [
            [
                "employer_number",
                "period",
                "workers",
                "salary_base",
                "employer_contribution",
                "worker_contribution",
                "filed_on",
                "origin",
            ],
            [100000001, "2024-01", 3, 1950, 146.25, 58.5, datetime(2024, 2, 11), "employer"],
            [100000002, datetime(2024, 2, 1), 12.0, "4,380.00", 328.5, 131.4, "14/03/2024", "employer"],
            [None, None, None, None, None, None, None, None],
            [100000003, "2023-03", 3, 2400, 0.1 + 0.2 + 179.7, 72, None, "de_oficio"],
        ]
    )
    result = run("declarations", sample("planillas.xlsx", content))
    assert (result.rows, result.created) == (3, 3)
    first = Declaration.objects.get(employer__employer_number="100000001")
    assert (first.salary_base, first.employer_contribution, first.worker_contribution) == (
        Decimal("1950.00"),
        Decimal("146.25"),
        Decimal("58.50"),
    )
    assert first.filed_on == date(2024, 2, 11)
    second = Declaration.objects.get(employer__employer_number="100000002")
    assert (second.period, second.workers, second.salary_base, second.filed_on) == (
        "2024-02",
        12,
        Decimal("4380.00"),
        date(2024, 3, 14),
    )
    assert Declaration.objects.get(employer__employer_number="100000003").employer_contribution == Decimal(
        "180.00"
    )


@pytest.mark.django_db
def test_xlsx_problems_use_the_sheet_row_numbers(registry, sample):
    content = _xlsx(
        [
            ["payment_id", "employer_number", "paid_on", "amount"],
            ["P-1", 100000001, datetime(2024, 2, 13), 10.125],
            [None, None, None, None],
            ["P-2", 100000001, datetime(2024, 2, 13), 2.5, "sobra"],
            ["P-3", 100000001, "mañana", 1],
        ]
    )
    problems = reject("payments", sample("pagos.xlsx", content))
    assert "más de dos decimales" in problem(problems, row=2, column="amount")["reason"]
    assert "sobran" in problem(problems, row=4, column="")["reason"]
    assert "no es una fecha" in problem(problems, row=5, column="paid_on")["reason"]


@pytest.mark.django_db
def test_upload_like_file_object(registry):
    upload = io.BytesIO((PAYMENTS + GOOD_PAYMENT).encode())
    upload.name = "subido.csv"
    result = run_import(kind="payments", source=upload, today=TODAY)
    assert (result.filename, result.created) == ("subido.csv", 1)


@pytest.mark.django_db
def test_sample_files_of_the_import_folder(registry):
    """The small files in tests/data/import/ show each accepted format."""
    assert run("payments", IMPORT_DATA / "pagos_punto_y_coma_latin1.csv").created == 3
    assert run("declarations", IMPORT_DATA / "planillas_encabezados_es.csv").created == 2


# ---------------------------------------------------------------------------------- the worked examples


@pytest.mark.django_db
def test_the_example_files_import_cleanly_and_idempotently():
    results = [run(kind, EXAMPLES / f"{kind}.csv") for kind in ("employers", "declarations", "payments")]
    assert [(r.rows, r.created) for r in results] == [(6, 6), (23, 23), (13, 13)]
    assert Payment.objects.filter(payment_id="E4-2", period="", amount=Decimal("200.00")).exists()
    again = [run(kind, EXAMPLES / f"{kind}.csv") for kind in ("employers", "declarations", "payments")]
    assert [(r.created, r.updated, r.skipped) for r in again] == [(0, 0, 6), (0, 0, 23), (0, 0, 13)]
    assert Employer.objects.get(employer_number="100000001").legal_name == "Panadería La Espiga, S.A. de C.V."


# ---------------------------------------------------------------------------------------- value parsing


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1234.56", False, "1234.56"),
        ("1,234.56", False, "1234.56"),
        ("1.234,56", False, "1234.56"),
        ("1.234,56", True, "1234.56"),
        ("1234,56", True, "1234.56"),
        ("1234,5", False, "1234.5"),
        ("1,234", False, "1234"),
        ("1.234", True, "1234"),
        ("1,234,567.89", False, "1234567.89"),
        ("12.345.678,90", True, "12345678.90"),
        ("1.234.567", False, "1234567"),
        ("$1,000.00", False, "1000.00"),
        ("-5", False, "-5"),
        ("0,5", True, "0.5"),
    ],
)
def test_decimal_separator_rules(text, decimal_comma, expected):
    assert parse_decimal_text(text, decimal_comma=decimal_comma) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "reason"),
    [
        ("1.234", False, "más de dos decimales"),
        ("1,234", True, "más de dos decimales"),
        ("0.125", True, "más de dos decimales"),
        ("1.2.3", False, "mal escrito"),
        ("12,34,567", False, "mal escrito"),
        ("1 234", False, "no es un número"),
        ("1e5", False, "no es un número"),
        ("", False, "falta el valor"),
        (".", False, "no es un número"),
    ],
)
def test_decimal_separator_refusals(text, decimal_comma, reason):
    with pytest.raises(BadValue, match=reason):
        parse_decimal_text(text, decimal_comma=decimal_comma)


def test_dates_and_periods():
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    assert parse_date("29/02/2024") == date(2024, 2, 29)
    assert parse_date(datetime(2024, 2, 29, 15, 30)) == date(2024, 2, 29)
    with pytest.raises(BadValue, match="imposible"):
        parse_date("29/02/2023")
    assert parse_period("1954-01", last_period="2024-12") == "1954-01"
    with pytest.raises(BadValue, match="fuera del rango"):
        parse_period("2025-01", last_period="2024-12")


# ------------------------------------------------------------------------------------------------ CLI


@pytest.mark.django_db
def test_cli_prints_the_spanish_summary(registry, sample):
    out = io.StringIO()
    path = sample("pagos.csv", PAYMENTS + GOOD_PAYMENT)
    call_command("import_data", "payments", str(path), "--dry-run", stdout=out)
    assert (
        out.getvalue().strip()
        == "Validación correcta, no se escribió nada. Pagos: 1 fila, 1 nueva, 0 omitidas (ya importadas)"
    )
    assert Payment.objects.count() == 0
    out = io.StringIO()
    call_command("import_data", "payments", str(path), stdout=out)
    assert out.getvalue().strip() == "Pagos: 1 fila, 1 nueva, 0 omitidas (ya importadas)"


@pytest.mark.django_db
def test_cli_counts_declaration_corrections(registry, sample):
    call_command(
        "import_data",
        "declarations",
        str(sample("p.csv", DECLARATIONS + GOOD_DECLARATION)),
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("import_data", "declarations", str(sample("c.csv", DECLARATIONS + CORRECTION)), stdout=out)
    assert out.getvalue().strip() == "Planillas: 1 fila, 0 nuevas, 1 corrección, 0 omitidas (ya importadas)"


@pytest.mark.django_db
def test_cli_rejection_lists_every_problem_on_stderr(registry, sample):
    err = io.StringIO()
    path = sample("pagos.csv", PAYMENTS + "P-1,100000001,2024-02-13,-1,,,\nP-2,100000001,2099-02-13,1,,,\n")
    with pytest.raises(CommandError, match="El archivo pagos.csv tiene 2 errores; no se importó nada."):
        call_command("import_data", "payments", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == "Fila 2, columna amount, valor «-1»: el monto debe ser mayor que cero"
    assert lines[1].startswith("Fila 3, columna paid_on, valor «2099-02-13»: fecha futura")
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_cli_accepts_the_spanish_kind_names(registry, sample):
    out = io.StringIO()
    call_command("import_data", "pagos", str(sample("pagos.csv", PAYMENTS + GOOD_PAYMENT)), stdout=out)
    assert out.getvalue().startswith("Pagos: 1 fila, 1 nueva")


@pytest.mark.django_db
def test_cli_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No existe el archivo"):
        call_command("import_data", "payments", str(tmp_path / "nada.csv"))


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "cobranza"
    if script.exists():
        return [str(script)]
    found = shutil.which("cobranza")
    return [found] if found else [sys.executable, "-m", "cobranza.cli"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "No existe el archivo"),
        ("payment_id,employer_number,paid_on\nP-1,1,2024-01-01\n", "Fila 1, columna amount"),
    ],
)
def test_cli_exits_1_without_traceback(tmp_path, content, expected):
    path = tmp_path / "pagos.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "COBRANZA_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "COBRANZA_HTTPS": "0",
    }
    completed = subprocess.run(
        [*_console_script(), "import", "payments", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert completed.returncode == 1
    assert expected in completed.stderr
    assert "Traceback" not in completed.stderr
