"""Corrected declarations (SPEC §3 and §5, issue 8 item 4): every version is kept, statements use
the version in force at their date, and the fine follows the first filing.

Worked scenarios through the database (real imports, the default policy: due date on the 10th
business day of the next month, surcharge 1 % per month or fraction, fine 25 %). Period 2024-01
falls due on the 10th business day of February 2024: 1, 2, 5, 6, 7, 8, 9, 12, 13, **14**/02/2024
(no holiday in February), so its due date is 14/02/2024 and "months late" counts from it
(15/02–14/03 is month 1, 15/03–14/04 month 2, …).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cobranza.common.roles import Role
from cobranza.employers.imports import run_import
from cobranza.employers.models import ImportBatch
from cobranza.engine.statement import Correction, DeclarationIn
from cobranza.ledger import services
from cobranza.ledger.models import BalanceSnapshot, Declaration, DeclarationVersion
from cobranza.ledger.presentation import version_lines
from cobranza.ledger.selectors import _declarations_in, declaration_versions, statement_for_employer
from tests.factories import EmployerFactory, make_user

IMPORT_TODAY = date(2024, 12, 31)
DECLARATIONS = (
    "employer_number,period,workers,salary_base,employer_contribution,worker_contribution,filed_on,origin\n"
)
PAYMENTS = "payment_id,employer_number,paid_on,amount,period,channel,reference\n"
NUMBER = "700000001"


@pytest.fixture
def employer(default_policy_version):
    return EmployerFactory(employer_number=NUMBER, legal_name="Comedor La Ceiba")


@pytest.fixture
def load(tmp_path, employer):
    """load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer") imports the rows
    (the employer number is prepended) like a user's file; returns the import result."""
    counter = itertools.count()

    def load(kind: str, *rows: str, today: date = IMPORT_TODAY):
        path = tmp_path / f"{kind}-{next(counter)}.csv"
        header = DECLARATIONS if kind == "declarations" else PAYMENTS
        if kind == "declarations":
            body = "".join(f"{NUMBER},{row}\n" for row in rows)
        else:  # payment_id first
            body = "".join(f"{pid},{NUMBER},{rest}\n" for pid, rest in (row.split(",", 1) for row in rows))
        path.write_text(header + body, encoding="utf-8")
        return run_import(kind=kind, source=path, today=today)

    return load


def line(employer, as_of: date):
    statement = statement_for_employer(employer, as_of)
    assert [ln.period for ln in statement.periods] == ["2024-01"]
    return statement, statement.periods[0]


def money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def snapshot_after_recompute(employer, as_of: date) -> BalanceSnapshot:
    services.balances_recompute(actor=None, as_of=as_of, employer_ids=[employer.pk])
    return BalanceSnapshot.objects.get(employer=employer)


def assert_snapshot_is_the_statement(employer, as_of: date) -> None:
    """The recompute (batch or one-by-one path) gives the statement's figures."""
    summary = statement_for_employer(employer, as_of).summary()
    snap = snapshot_after_recompute(employer, as_of)
    assert (snap.outstanding, snap.fine_outstanding, snap.surcharge_outstanding, snap.credit) == (
        Decimal(summary.outstanding_cents) / 100,
        Decimal(summary.fine_outstanding_cents) / 100,
        Decimal(summary.surcharge_outstanding_cents) / 100,
        Decimal(summary.credit_cents) / 100,
    )


# ---------------------------------------------------------------------------------- (a) downward
@pytest.mark.django_db
def test_on_time_period_corrected_downward_is_never_fined_and_the_overpayment_becomes_credit(load, employer):
    """(a) 2024-01 first filed on 10/02/2024 (on time: due 14/02/2024) for $105.00 (employer 75.00 +
    worker 30.00), paid in full, $105.00, on 14/02/2024 (the due date: 0 months late). Corrected
    downward on 01/06/2024 to $94.50 (employer 67.50 + worker 27.00).

    - Fine: the first filing was on time and the correction goes down: 0.00 at every date.
    - As of 31/03/2024 the correction does not exist yet: contribution 105.00, paid 105.00,
      outstanding 0.00, credit 0.00 (the statement of that date is what it was).
    - As of 30/06/2024 the version in force is 94.50. The payment of 14/02 is allocated again on
      it: worker share 27.00, then employer share 67.50 → contribution 94.50 paid; at 14/02 no
      surcharge (0 months late) and no fine are owed, so the 105.00 − 94.50 = 10.50 left is the
      employer's credit (SPEC §5: what a payment leaves over is credit; a refund is a claim).
      Status paid, outstanding 0.00, credit 10.50.
    """
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    load("payments", "P-1,2024-02-14,105.00,2024-01,banco,")
    before_correction = {
        as_of: statement_for_employer(employer, as_of).to_json_dict()
        for as_of in (
            date(2024, 3, 31),
            date(2024, 5, 31),
        )
    }
    assert load("declarations", "2024-01,1,900.00,67.50,27.00,2024-06-01,employer").corrected == 1

    # Statements of dates before the correction do not change.
    for as_of, expected in before_correction.items():
        assert statement_for_employer(employer, as_of).to_json_dict() == expected
    statement, ln = line(employer, date(2024, 3, 31))
    assert (ln.due_date, ln.months_late, ln.status) == (date(2024, 2, 14), 0, "paid")
    assert money(ln.contribution_cents) == "105.00" and money(ln.contribution_paid_cents) == "105.00"
    assert money(ln.worker_share_cents) == "30.00"
    assert (ln.fine_cents, ln.surcharge_cents, ln.outstanding_cents, statement.totals.credit_cents) == (
        0,
        0,
        0,
        0,
    )

    statement, ln = line(employer, date(2024, 6, 30))
    assert ln.status == "paid"
    assert money(ln.contribution_cents) == "94.50" and money(ln.contribution_paid_cents) == "94.50"
    assert money(ln.worker_share_cents) == "27.00" and ln.worker_share_outstanding_cents == 0
    assert (ln.fine_cents, ln.surcharge_cents, ln.outstanding_cents) == (0, 0, 0)
    assert money(statement.totals.credit_cents) == "10.50"
    assert [(a.component, a.cents) for a in statement.allocations if a.payment_id == "P-1"] == [
        ("contribution", 9450),
        ("credit", 1050),
    ]
    assert ln.first_contribution_cents == 10500 and len(ln.versions) == 1
    assert "no aplica" in statement.explanations()["2024-01"]
    assert_snapshot_is_the_statement(employer, date(2024, 6, 30))
    assert_snapshot_is_the_statement(employer, date(2024, 3, 31))


# ------------------------------------------------------------------------------------ (b) upward
@pytest.mark.django_db
def test_on_time_period_corrected_upward_after_the_due_date_is_fined_on_the_increase(load, employer):
    """(b) 2024-01 first filed on 10/02/2024 (on time) for $105.00, paid $105.00 on 14/02/2024.
    A complementary declaration filed on 20/03/2024 (after the due date) raises it by $20.00 to
    $125.00 (employer 90.00 + worker 35.00).

    - Fine = 25 % × 20.00 (the increase only) = 5.00, owed from 15/02/2024, the day after the due
      date.
    - As of 19/03/2024 (before the correction): nothing is owed (105.00 paid, fine 0.00).
    - As of 31/03/2024: contribution 125.00, paid 105.00 (worker 35.00 first, then 70.00 of the
      employer share), outstanding 20.00; months late at 31/03 = 2 (15/03–14/04 is month 2), so
      surcharge = 20.00 × 2 × 1 % = 0.40; fine 5.00; outstanding 20.00 + 0.40 + 5.00 = 25.40,
      status partial; worker share fully paid.
    - A payment of $25.40 on 05/04/2024 (still 2 months late: surcharge 0.40) pays contribution
      20.00, surcharge 0.40 and fine 5.00: as of 30/04/2024 everything is paid, credit 0.00.
    """
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    load("payments", "P-1,2024-02-14,105.00,2024-01,banco,")
    load("declarations", "2024-01,1,1190.48,90.00,35.00,2024-03-20,employer")

    statement, ln = line(employer, date(2024, 3, 19))
    assert (money(ln.contribution_cents), ln.fine_cents, ln.outstanding_cents) == ("105.00", 0, 0)

    statement, ln = line(employer, date(2024, 3, 31))
    assert ln.status == "partial" and ln.months_late == 2
    assert money(ln.contribution_cents) == "125.00"
    assert money(ln.contribution_paid_cents) == "105.00"
    assert money(ln.contribution_outstanding_cents) == "20.00"
    assert money(ln.surcharge_cents) == "0.40"
    assert money(ln.fine_base_cents) == "20.00" and money(ln.fine_cents) == "5.00"
    assert money(ln.outstanding_cents) == "25.40"
    assert money(ln.worker_share_cents) == "35.00" and ln.worker_share_outstanding_cents == 0
    assert "solo sobre el aumento" in statement.explanations()["2024-01"]
    assert_snapshot_is_the_statement(employer, date(2024, 3, 31))

    load("payments", "P-2,2024-04-05,25.40,2024-01,banco,")
    statement, ln = line(employer, date(2024, 4, 30))
    assert ln.status == "paid" and ln.outstanding_cents == 0
    assert (money(ln.surcharge_paid_cents), money(ln.fine_paid_cents)) == ("0.40", "5.00")
    assert statement.totals.credit_cents == 0
    assert_snapshot_is_the_statement(employer, date(2024, 4, 30))


# ------------------------------------------------------------------------------ (c) first late
@pytest.mark.django_db
def test_period_first_filed_late_is_fined_on_the_whole_current_contribution(load, employer):
    """(c) 2024-01 first filed on 20/02/2024, after its due date (14/02/2024), for $105.00; nothing
    paid. Corrected on 20/03/2024 to $125.00.

    - As of 19/03/2024: contribution 105.00, 2 months late (15/03–14/04 is month 2): surcharge
      105.00 × 2 % = 2.10; fine 25 % × 105.00 = 26.25; outstanding 133.35.
    - As of 31/03/2024: the first filing was late, so the fine is on the whole current contribution:
      25 % × 125.00 = 31.25; surcharge 125.00 × 2 % = 2.50; outstanding 125.00 + 2.50 + 31.25 = 158.75.
    - A later correction keeps the first filing's date: the period stays late (the declaration
      still says filed on 20/02/2024).
    """
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-20,employer")
    load("declarations", "2024-01,1,1190.48,90.00,35.00,2024-03-20,employer")
    assert Declaration.objects.get().filed_on == date(2024, 2, 20)

    _, ln = line(employer, date(2024, 3, 19))
    assert (money(ln.contribution_cents), money(ln.surcharge_cents), money(ln.fine_cents)) == (
        "105.00",
        "2.10",
        "26.25",
    )
    assert money(ln.outstanding_cents) == "133.35"

    statement, ln = line(employer, date(2024, 3, 31))
    assert (money(ln.contribution_cents), money(ln.surcharge_cents), money(ln.fine_cents)) == (
        "125.00",
        "2.50",
        "31.25",
    )
    assert money(ln.outstanding_cents) == "158.75" and ln.status == "unpaid"
    assert "primera planilla presentada después del vencimiento" in statement.explanations()["2024-01"]
    assert_snapshot_is_the_statement(employer, date(2024, 3, 31))


# ------------------------------------------------------------------------------ engine inputs
@pytest.mark.django_db
def test_statement_inputs_are_the_first_filing_and_the_corrections_by_then(load, employer):
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    load("declarations", "2024-01,1,1190.48,90.00,35.00,2024-03-20,employer")
    load("declarations", "2024-01,1,1000.00,80.00,30.00,2024-05-02,employer")
    load("declarations", "2024-02,1,1000.00,75.00,30.00,2024-03-11,employer")
    assert _declarations_in(employer, date(2024, 4, 30)) == [
        DeclarationIn(
            period="2024-01",
            contribution_cents=10500,
            filed_on=date(2024, 2, 10),
            origin="employer",
            worker_cents=3000,
            corrections=(Correction(date(2024, 3, 20), 12500, 3500),),
        ),
        DeclarationIn(
            period="2024-02",
            contribution_cents=10500,
            filed_on=date(2024, 3, 11),
            origin="employer",
            worker_cents=3000,
        ),
    ]
    assert _declarations_in(employer, date(2024, 5, 31))[0].corrections == (
        Correction(date(2024, 3, 20), 12500, 3500),
        Correction(date(2024, 5, 2), 11000, 3000),
    )

    key = str(employer.pk).zfill(19)
    frame = services.load_declarations(as_of=date(2024, 5, 31), employer_id__in=[employer.pk])
    assert frame.to_dicts() == [
        {
            "employer_number": key,
            "period": "2024-01",
            "contribution_cents": 10500,
            "filed_on": date(2024, 2, 10),
            "origin": "employer",
            "worker_cents": 3000,
        },
        {
            "employer_number": key,
            "period": "2024-02",
            "contribution_cents": 10500,
            "filed_on": date(2024, 3, 11),
            "origin": "employer",
            "worker_cents": 3000,
        },
    ]
    corrections = services.load_corrections(as_of=date(2024, 4, 30), employer_id__in=[employer.pk])
    assert corrections.schema == pl.Schema(services.CORRECTIONS_SCHEMA)
    assert corrections.rows() == [(key, "2024-01", date(2024, 3, 20), 12500, 3500)]
    corrections = services.load_corrections(
        as_of=date(2024, 5, 31), employer_id__gte=employer.pk, employer_id__lte=employer.pk
    )
    assert corrections.rows() == [
        (key, "2024-01", date(2024, 3, 20), 12500, 3500),
        (key, "2024-01", date(2024, 5, 2), 11000, 3000),
    ]
    assert services.load_corrections(as_of=date(2024, 3, 19), employer_id__in=[employer.pk]).height == 0


@pytest.mark.django_db
def test_de_oficio_correction_without_a_date_is_in_force_from_the_day_it_was_recorded(load, employer):
    """A de-oficio payroll has no filing date: a correction of it counts from the date the
    institute recorded it (the import's date), so statements of earlier dates keep the first one."""
    load("declarations", "2024-01,1,1000.00,75.00,30.00,,de_oficio", today=date(2024, 3, 1))
    load("declarations", "2024-01,1,1190.48,90.00,35.00,,de_oficio", today=date(2024, 4, 15))
    _, ln = line(employer, date(2024, 4, 14))
    assert money(ln.contribution_cents) == "105.00" and money(ln.fine_cents) == "26.25"
    _, ln = line(employer, date(2024, 4, 15))
    assert money(ln.contribution_cents) == "125.00" and money(ln.fine_cents) == "31.25"
    rows = services.load_corrections(as_of=date(2024, 4, 15), employer_id__in=[employer.pk]).rows()
    assert [r[2] for r in rows] == [date(2024, 4, 15)]


# ------------------------------------------------------------------------------------ drill-down
@pytest.mark.django_db
def test_the_employer_page_lists_the_versions_of_a_corrected_period(load, employer, client):
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    load("declarations", "2024-01,1,900.00,67.50,27.00,2024-06-01,employer")
    client.force_login(make_user("jefa", Role.DEPARTMENT_HEAD))
    url = f"/patronos/{NUMBER}/"

    page = client.get(url, {"as_of": "30/06/2024"}).content.decode()
    assert "corregida</span>" in page
    # the versions are in the period's drill-down, fetched on demand (issue 15)
    detail = f"/patronos/{NUMBER}/estado-de-cuenta/periodos/2024-01/"
    assert f'hx-get="{detail}?as_of=2024-06-30"' in page
    content = client.get(detail, {"as_of": "2024-06-30"}, headers={"HX-Request": "true"}).content.decode()
    table = content[content.index('data-testid="declaration-versions"') :]
    table = table[: table.index("</table>")]
    assert "Versiones de la planilla" in table
    first, second = table.split("<tr", 3)[2:4]
    assert "1 · <strong>primera presentación</strong>" in first
    assert "10/02/2024" in first and "$105.00" in first and "$30.00" in first and "reemplazada" in first
    assert "2 · corrección" in second and "01/06/2024" in second and "$94.50" in second and "$27.00" in second
    assert 'class="table-success"' in second and "vigente" in second

    # As of a date before the correction, the first filing is in force and the correction is later.
    content = client.get(detail, {"as_of": "2024-03-31"}, headers={"HX-Request": "true"}).content.decode()
    table = content[content.index('data-testid="declaration-versions"') :]
    first, second = table[: table.index("</table>")].split("<tr", 3)[2:4]
    assert 'class="table-success"' in first and "vigente" in first
    assert "posterior a la fecha de corte" in second


@pytest.mark.django_db
def test_a_period_never_corrected_shows_no_versions_table(load, employer, client):
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    client.force_login(make_user("jefa", Role.DEPARTMENT_HEAD))
    content = client.get(f"/patronos/{NUMBER}/", {"as_of": "30/06/2024"}).content.decode()
    assert 'data-testid="statement-table"' in content and "corregida</span>" not in content
    detail = client.get(
        f"/patronos/{NUMBER}/estado-de-cuenta/periodos/2024-01/",
        {"as_of": "2024-06-30"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "declaration-versions" not in detail


# ------------------------------------------------------------------------------------- migration
@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_stored_declaration_its_first_version():
    executor = MigrationExecutor(connection)
    before = [("ledger", "0005_amnesty_records"), ("employers", "0002_search_indexes")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    branch = old.get_model("employers", "Branch").objects.create(code="b", name="B")
    employer = old.get_model("employers", "Employer").objects.create(
        employer_number="1", legal_name="Uno", branch=branch
    )
    declaration = old.get_model("ledger", "Declaration").objects.create(
        employer=employer,
        period="2024-01",
        workers=2,
        salary_base=Decimal("1000.00"),
        employer_contribution=Decimal("75.00"),
        worker_contribution=Decimal("30.00"),
        filed_on=None,
        origin="de_oficio",
    )
    batch = old.get_model("employers", "ImportBatch").objects.create(
        kind="declarations", filename="p.csv", rows=3, created=1, updated=2
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    version = DeclarationVersion.objects.get()
    assert (version.declaration_id, version.number, version.workers, version.employer_contribution) == (
        declaration.pk,
        1,
        2,
        Decimal("75.00"),
    )
    assert (version.filed_on, version.origin, version.worker_contribution) == (
        None,
        "de_oficio",
        Decimal("30.00"),
    )
    assert version.recorded_on == declaration.created_at.astimezone(ZoneInfo("America/El_Salvador")).date()
    assert Declaration.objects.get().latest_version == 1
    assert ImportBatch.objects.filter(pk=batch.pk).values_list("updated", "corrected").get() == (0, 2)


@pytest.mark.django_db
def test_corrections_count_in_the_order_of_their_filing_dates(load, employer):
    """A correction received later but dated earlier than another one (version 3 filed on
    02/05/2024, version 2 on 03/06/2024) takes its place by date: at 31/05/2024 version 3 is in
    force, at 30/06/2024 version 2 (the latest filing date), in the statement, the recompute and the
    drill-down alike."""
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    load("declarations", "2024-01,1,1190.48,90.00,35.00,2024-06-03,employer")
    load("declarations", "2024-01,1,1000.00,80.00,30.00,2024-05-02,employer")
    _, ln = line(employer, date(2024, 5, 31))
    assert money(ln.contribution_cents) == "110.00"
    _, ln = line(employer, date(2024, 6, 30))
    assert money(ln.contribution_cents) == "125.00"
    rows = services.load_corrections(as_of=date(2024, 6, 30), employer_id__in=[employer.pk]).rows()
    assert [r[2] for r in rows] == [date(2024, 5, 2), date(2024, 6, 3)]
    assert_snapshot_is_the_statement(employer, date(2024, 6, 30))
    versions = declaration_versions(employer=employer, as_of=date(2024, 6, 30))["2024-01"]
    assert [(v.number, v.in_force) for v in version_lines(versions, date(2024, 6, 30))] == [
        (1, False),
        (2, True),
        (3, False),
    ]
    assert [(v.number, v.in_force) for v in version_lines(versions, date(2024, 5, 31))] == [
        (1, False),
        (2, False),
        (3, True),
    ]


@pytest.mark.django_db
def test_the_one_by_one_recompute_path_uses_the_corrections_too(load, employer, monkeypatch):
    """`_agreement_summaries` (employers with agreements) builds its statements from the loaded
    frames with the same builder as the statement page."""
    monkeypatch.setattr(services, "employers_with_agreements", lambda **kwargs: [employer.pk])
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    load("payments", "P-1,2024-02-14,105.00,2024-01,banco,")
    load("declarations", "2024-01,1,1190.48,90.00,35.00,2024-03-20,employer")
    as_of = date(2024, 3, 31)
    scope = {"employer_id__in": [employer.pk]}
    frame = services._agreement_summaries(
        as_of=as_of,
        policy=services.policy_timeline(),
        declarations=services.load_declarations(as_of=as_of, **scope),
        corrections=services.load_corrections(as_of=as_of, **scope),
        employer_ids=[employer.pk],
    )
    summary = statement_for_employer(employer, as_of).summary()
    row = frame.row(0, named=True)
    assert (row["outstanding_cents"], row["fine_outstanding_cents"]) == (summary.outstanding_cents, 500)
    assert row["outstanding_cents"] == 2540


@pytest.mark.django_db
def test_a_correction_import_refreshes_the_employer_balance(
    load, employer, django_capture_on_commit_callbacks
):
    load("declarations", "2024-01,1,1000.00,75.00,30.00,2024-02-10,employer")
    load("payments", "P-1,2024-02-14,105.00,2024-01,banco,")
    assert not BalanceSnapshot.objects.filter(employer=employer).exists()  # (callbacks not run)
    with django_capture_on_commit_callbacks(execute=True):
        load("declarations", "2024-01,1,1190.48,90.00,35.00,2024-03-20,employer")
    snapshot = BalanceSnapshot.objects.get(employer=employer)  # as of the business date, today
    assert snapshot.contribution_outstanding == Decimal("20.00")
    assert snapshot.fine_outstanding == Decimal("5.00")
