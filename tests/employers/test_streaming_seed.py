"""The streaming seed (`cobranza.employers.seeding`): the same rows as the import of the generated
files, whatever the chunk size, in blocks that can be generated apart."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cobranza.common.models import AuditEvent
from cobranza.employers import synthetic
from cobranza.employers.imports import run_import
from cobranza.employers.models import Branch, Employer, ImportBatch, Sector
from cobranza.employers.seeding import LEDGER_TABLES, stream_portfolio
from cobranza.employers.synthetic import generate_portfolio
from cobranza.ledger.models import Declaration, DeclarationVersion, Payment

pytestmark = pytest.mark.django_db(transaction=False)

TODAY = date(2025, 6, 15)
EMPLOYERS, YEARS, SEED = 30, 2, 4
MARK = {"audit": 0}


@pytest.fixture(autouse=True)
def audit_mark(db):
    MARK["audit"] = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def rows() -> dict[str, list[tuple]]:
    """Everything the load wrote, by natural keys (ids, batches and timestamps left out); audit
    events (which can never be deleted) since the last `wipe`."""
    events = AuditEvent.objects.filter(id__gt=MARK["audit"])
    employer_fields = [
        "employer_number",
        "nit",
        "legal_name",
        "trade_name",
        "sector__name",
        "branch__name",
        "address",
        "phone",
        "email",
        "legal_representative",
        "status",
        "registered_on",
        "search_text",
    ]
    amounts = ["workers", "salary_base", "employer_contribution", "worker_contribution", "filed_on", "origin"]
    return {
        "employers": list(Employer.objects.order_by("employer_number").values_list(*employer_fields)),
        "branches": sorted(Branch.objects.values_list("code", "name", "department")),
        "sectors": sorted(Sector.objects.values_list("code", "name")),
        "declarations": list(
            Declaration.objects.order_by("employer__employer_number", "period").values_list(
                "employer__employer_number", "period", *amounts, "latest_version"
            )
        ),
        "versions": list(
            DeclarationVersion.objects.order_by(
                "declaration__employer__employer_number", "declaration__period"
            ).values_list(
                "declaration__employer__employer_number",
                "declaration__period",
                "number",
                *amounts,
                "recorded_on",
            )
        ),
        "payments": list(
            Payment.objects.order_by("payment_id").values_list(
                "payment_id",
                "employer__employer_number",
                "paid_on",
                "amount",
                "period",
                "channel",
                "reference",
            )
        ),
        "employer_events": sorted(
            (number, after)
            for number, after in events.filter(action="employer.created").values_list(
                "employer_number", "after"
            )
            for after in [{k: v for k, v in after.items() if k not in ("sector_id", "branch_id")}]
        ),
        "other_events": sorted(
            events.exclude(action__in=["employer.created", "import.completed"]).values_list(
                "action", "object_type"
            )
        ),
    }


def wipe() -> None:
    for model in (DeclarationVersion, Declaration, Payment, Employer, Branch, Sector):
        model._base_manager.all()._raw_delete(model.objects.db)
    ImportBatch.objects.all().delete()
    MARK["audit"] = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def imported(folder: Path) -> dict[str, list[tuple]]:
    summary = generate_portfolio(folder, employers=EMPLOYERS, years=YEARS, seed=SEED, today=TODAY)
    for kind, path in summary.files.items():
        run_import(kind=kind, source=path, today=TODAY)
    return rows()


def streamed(**options) -> dict[str, list[tuple]]:
    stream_portfolio(employers=EMPLOYERS, years=YEARS, seed=SEED, today=TODAY, workers=1, **options)
    return rows()


def test_streaming_writes_what_the_import_of_the_same_files_writes(tmp_path):
    expected = imported(tmp_path)
    assert len(expected["employers"]) == EMPLOYERS
    assert expected["declarations"] and expected["payments"]
    wipe()
    assert streamed(chunk=EMPLOYERS) == expected


def test_chunks_of_seven_give_the_same_rows_as_one_chunk():
    whole = streamed(chunk=EMPLOYERS)
    wipe()
    result = stream_portfolio(employers=EMPLOYERS, years=YEARS, seed=SEED, today=TODAY, chunk=7, workers=1)
    assert result.chunks == 5  # 7 + 7 + 7 + 7 + 2
    assert rows() == whole
    # one batch per kind and chunk, each with its import.completed event
    assert ImportBatch.objects.filter(kind="employers").count() == 5
    completed = AuditEvent.objects.filter(id__gt=MARK["audit"], action="import.completed")
    assert completed.count() == ImportBatch.objects.count()


def test_blocks_are_independent_and_loaded_in_parallel_give_the_same_rows(monkeypatch):
    """Blocks of 12 employers (the real size is 10,000): 30 employers are blocks 0, 1 and 2 (12 + 12 + 6).
    Block 0 is the portfolio the generator always made; the others have their own numbers."""
    monkeypatch.setattr(synthetic, "BLOCK_EMPLOYERS", 12)
    monkeypatch.setattr("cobranza.employers.seeding.BLOCK_EMPLOYERS", 12)
    serial = streamed(chunk=5)
    numbers = [row[0] for row in serial["employers"]]
    assert len(set(numbers)) == EMPLOYERS
    assert numbers == sorted(numbers)
    wipe()
    stream_portfolio(employers=EMPLOYERS, years=YEARS, seed=SEED, today=TODAY, chunk=5, workers=2)
    assert rows() == serial
    # Block 0 is what the generator makes for a portfolio of 12
    wipe()
    stream_portfolio(employers=12, years=YEARS, seed=SEED, today=TODAY, chunk=5, workers=1)
    assert [row[0] for row in rows()["employers"]] == numbers[:12]


def test_the_seed_command_streams_with_a_chunk_and_needs_an_empty_portfolio(monkeypatch):
    monkeypatch.setattr("cobranza.employers.management.commands.seed.DEMO_HOOKS", ())
    out = StringIO()
    options = {"employers": 20, "years": 1, "seed": 1, "today": TODAY, "stderr": StringIO()}
    call_command("seed", chunk=6, stdout=out, **options)
    assert "Carga por bloques: 20 patronos" in out.getvalue()
    assert Employer.objects.count() == 20
    assert Declaration.objects.count() == DeclarationVersion.objects.count() > 0
    with pytest.raises(CommandError, match="base sin patronos"):
        call_command("seed", chunk=6, stdout=StringIO(), **options)
    # A new employer gets the next id after the explicit ones
    top = Employer.objects.order_by("-id").first()
    branch = Branch.objects.first()
    assert Employer.objects.create(employer_number="999999999", legal_name="X", branch=branch).pk > top.pk


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bulk load drops indexes on PostgreSQL only"
)
def test_postgresql_bulk_load_rebuilds_every_index_and_constraint():
    def catalog() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[]) UNION ALL "
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2, 3",
                [list(LEDGER_TABLES), list(LEDGER_TABLES)],
            )
            return cursor.fetchall()

    before = catalog()
    assert any("FOREIGN KEY" in row[2] for row in before)
    stream_portfolio(employers=EMPLOYERS, years=YEARS, seed=SEED, today=TODAY, chunk=10, workers=1)
    assert catalog() == before
    assert DeclarationVersion.objects.count() == Declaration.objects.count() > 0
