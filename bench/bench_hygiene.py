"""Benchmark of the account-hygiene scan (issue 13): `hygiene_scan` over 100k employers × 5 years.

    .venv/bin/python bench/bench_hygiene.py                    # SQLite in a temporary file, 100k × 5 y
    .venv/bin/python bench/bench_hygiene.py --employers 10000  # a smaller portfolio
    .venv/bin/python bench/bench_hygiene.py --postgres         # PostgreSQL bench_hygiene (created, dropped)

The portfolio comes from the engine benchmark's generator (`bench_engine.generate`: declarations
and payments as Polars frames), given salary bases consistent with the rates and a sprinkling of
every discrepancy (0.2 % of declarations off the rates, 2 % of employers that stopped filing 1–6
months before the end, some payments entered twice, some naming an undeclared period, closed
employers with debt, old credit balances). The rows are written straight into the tables (COPY on
PostgreSQL, executemany on SQLite: the import's checks are `bench_import.py`'s business), then the
scan is timed twice: first (every finding new, automatic requests created) and again (every
finding already stored: the upsert path). Prints wall and CPU time of this process and of the
PostgreSQL backend.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_recompute import measure, prepare_database  # noqa: E402

TARGET_S = 60.0
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/bench_hygiene"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_PG, default=None, metavar="URL")
    parser.add_argument("--employers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=5)
    return parser.parse_args()


def portfolio(n: int, years: int, as_of: date) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(employers, declarations, payments) with every kind of discrepancy in small numbers."""
    from bench_engine import generate

    rng = np.random.default_rng(13)
    decl, pay = generate(n, years, as_of, seed=7)
    # Salary bases consistent with 7.5 % + 3 %, one worker per $600 of base; 1 % off the rates.
    decl = decl.with_columns((pl.col("contribution_cents") * 1000 // 105).alias("base"))
    decl = decl.with_columns(
        ((pl.col("base") // 60_000) + 1).alias("workers"),
        ((2 * pl.col("base") * 75 + 1000) // 2000).alias("er"),
        ((2 * pl.col("base") * 30 + 1000) // 2000).alias("wr"),
    ).with_columns(
        pl.when(pl.Series(rng.random(decl.height) < 0.002))
        .then(pl.col("er") - 500)
        .otherwise(pl.col("er"))
        .clip(0)
        .alias("er")
    )
    numbers = decl["employer_number"].unique().sort()
    stops = pl.DataFrame(
        {
            "employer_number": numbers,
            "stop": rng.integers(1, 7, numbers.len()),
            "u": rng.random(numbers.len()),
        }
    ).filter(pl.col("u") < 0.02)
    last = as_of.year * 12 + as_of.month - 1
    idx = (
        pl.col("period").str.slice(0, 4).cast(pl.Int64) * 12
        + pl.col("period").str.slice(5, 2).cast(pl.Int64)
        - 1
    )
    decl = (
        decl.join(stops, on="employer_number", how="left")
        .filter(pl.col("stop").is_null() | (idx <= last - pl.col("stop")))
        .drop("stop", "u")
    )
    dup = pay.sample(fraction=0.002, seed=3).with_columns(pl.col("payment_id") + "-BIS")
    pay = pl.concat([pay, dup]).sort("employer_number", "paid_on", "payment_id")
    status = np.where(rng.random(numbers.len()) < 0.03, "closed", "active")
    employers = pl.DataFrame(
        {
            "employer_number": numbers,
            "status": status,
            "registered_on": [
                date(2000, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 6000, numbers.len())
            ],
            "credit": np.where(rng.random(numbers.len()) < 0.05, rng.integers(100, 50_000, numbers.len()), 0),
            "overdue": np.where(
                rng.random(numbers.len()) < 0.2, rng.integers(100, 500_000, numbers.len()), 0
            ),
        }
    )
    return employers, decl, pay


def money(col: str) -> pl.Expr:
    return (pl.col(col) // 100).cast(pl.String) + "." + (pl.col(col) % 100).cast(pl.String).str.zfill(2)


def write(employers: pl.DataFrame, decl: pl.DataFrame, pay: pl.DataFrame, as_of: date) -> None:
    from django.db import connection
    from django.utils import timezone

    from cobranza.employers.models import Branch, Employer
    from cobranza.ledger.models import BalanceSnapshot, Declaration, Payment, PolicyVersion

    branch = Branch.objects.create(code="bench", name="Bench")
    Employer.objects.bulk_create(
        [
            Employer(
                employer_number=row[0],
                legal_name=f"Patrono {row[0]}",
                branch=branch,
                status=row[1],
                registered_on=row[2],
            )
            for row in employers.select("employer_number", "status", "registered_on").iter_rows()
        ],
        batch_size=5000,
    )
    ids = pl.DataFrame(
        list(Employer.objects.values_list("employer_number", "pk")),
        schema={"employer_number": pl.String, "employer_id": pl.Int64},
        orient="row",
    )
    version = PolicyVersion.objects.order_by("effective_from").first()
    now = timezone.now()
    snaps = employers.join(ids, on="employer_number").filter((pl.col("credit") > 0) | (pl.col("overdue") > 0))
    zero = 0
    BalanceSnapshot.objects.bulk_create(
        [
            BalanceSnapshot(
                employer_id=eid,
                as_of=as_of,
                policy_version=version,
                contribution_outstanding=overdue / 100,
                surcharge_outstanding=zero,
                fine_outstanding=zero,
                interest_outstanding=zero,
                outstanding=overdue / 100,
                overdue_outstanding=overdue / 100,
                current_outstanding=zero,
                worker_share_outstanding=zero,
                credit=credit / 100,
                overdue_periods=1 if overdue else 0,
                months_in_arrears=1 if overdue else 0,
                last_payment_date=None,
                computed_at=now,
            )
            for eid, credit, overdue in snaps.select("employer_id", "credit", "overdue").iter_rows()
        ],
        batch_size=5000,
    )
    d = decl.join(ids, on="employer_number").select(
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
        "employer_id",
        "period",
        "workers",
        money("base").alias("salary_base"),
        money("er").alias("employer_contribution"),
        money("wr").alias("worker_contribution"),
        "filed_on",
        "origin",
        pl.lit(1).alias("latest_version"),
    )
    p = pay.join(ids, on="employer_number").select(
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
        "payment_id",
        "employer_id",
        "paid_on",
        money("amount_cents").alias("amount"),
        pl.col("period").fill_null(""),
        pl.lit("").alias("channel"),
        pl.lit("").alias("reference"),
    )
    for model, frame in ((Declaration, d), (Payment, p)):
        table = model._meta.db_table
        columns = ", ".join(frame.columns)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # CSV written by Polars: strings quoted (an empty period is '' not NULL), nulls empty.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                    for chunk in frame.iter_slices(500_000):
                        copy.write(chunk.write_csv(include_header=False, quote_style="non_numeric").encode())
                cursor.execute(f"ANALYZE {table}")
            else:
                marks = ", ".join(["%s"] * len(frame.columns))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - bench, names from the models
                for chunk in frame.iter_slices(200_000):
                    cursor.executemany(sql, chunk.rows())
        print(f"  wrote {frame.height:,} rows into {table} in {time.perf_counter() - started:.1f} s")


def main() -> None:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="bench_hygiene_")
    os.environ["COBRANZA_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "cobranza.config.settings"
    os.environ.setdefault("DEBUG", "1")
    description, cleanup = prepare_database(args.postgres, data_dir)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from cobranza.hygiene.services import hygiene_scan

        call_command("migrate", verbosity=0)
        as_of = date(2026, 11, 29)
        print(f"{description}; as of {as_of}; {os.cpu_count()} CPU, loadavg {os.getloadavg()}")
        started = time.perf_counter()
        employers, decl, pay = portfolio(args.employers, args.years, as_of)
        print(
            f"generated {employers.height:,} employers, {decl.height:,} declarations, {pay.height:,} payments "
            f"in {time.perf_counter() - started:.1f} s"
        )
        write(employers, decl, pay, as_of)
        for label in ("first scan (findings new)", "second scan (findings stored)"):
            wall, cpu, server, result = measure(lambda: hygiene_scan(actor=None, as_of=as_of))
            verdict = "met" if wall <= TARGET_S else "NOT met"
            server_text = "" if server is None else f", PostgreSQL backend {server:.1f} s"
            print(
                f"{label}: {wall:.1f} s wall (CPU {cpu:.1f} s{server_text}; target ≤ {TARGET_S:.0f} s: {verdict})"
            )
            print(f"  {result.summary}")
            print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
            print("  by type: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result.found.items())))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
