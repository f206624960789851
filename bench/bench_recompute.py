"""Benchmark of the balance recompute and of one statement page (issue 3, item 5).

    # SQLite in a temporary file:
    .venv/bin/python bench/bench_recompute.py                 # 10k employers × 5 years
    .venv/bin/python bench/bench_recompute.py --large         # also 100k employers × 5 years
    # PostgreSQL (creates the database, drops it at the end; its name must start with "bench_"):
    .venv/bin/python bench/bench_recompute.py --postgres
    .venv/bin/python bench/bench_recompute.py --postgres postgresql://postgres@127.0.0.1:5432/bench_recompute

For each size: the synthetic portfolio (`generate_portfolio`, seed 1) is loaded through `run_import`,
then timed: `balances_recompute` end to end (first run: every snapshot new; second run: every
snapshot rewritten), and the one-employer path (`statement_for_employer`, no snapshot written) for
a sample of employers, extrapolated to all of them. Then one employer with 360 periods and 1,000
payments is added and its page GET /patronos/<number>/ is rendered with Django's test client
(median of several runs). Prints wall time and CPU time of this process (and of its PostgreSQL
backend): on a shared machine the wall time also measures the wait for a core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/bench_recompute"
TARGET_EMPLOYERS = 50_000  # the target: 50k employers × 5 years in ≤ 30 s
TARGET_RECOMPUTE_S = 30.0
TARGET_PAGE_MS = 150.0
BIG_NUMBER = "999000001"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_PG,
        default=None,
        metavar="URL",
        help=f"use PostgreSQL (default URL {DEFAULT_PG}); without it, a temporary SQLite file",
    )
    parser.add_argument("--employers", type=int, default=10_000, help="employers of the base size (10,000)")
    parser.add_argument("--large", action="store_true", help="also 100,000 employers")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--sample", type=int, default=500, help="employers timed one by one (500)")
    parser.add_argument("--page-runs", type=int, default=7, help="page renders; the median is reported (7)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    return parser.parse_args()


def prepare_database(pg_url: str | None, data_dir: str) -> tuple[str, Callable[[], None]]:
    """Point DATABASE_URL at a database of our own; return its description and a cleanup."""
    if pg_url is None:
        path = Path(data_dir) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path}", lambda: None  # the temporary folder goes away with its contents
    parsed = urlparse(pg_url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench_recompute: --postgres needs a postgresql://… URL")
    name = parsed.path.lstrip("/")
    if not name.startswith("bench_") or name == "test":
        sys.exit(f"bench_recompute: refusing database {name!r}: its name must start with 'bench_'")
    import psycopg

    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = pg_url

    def drop_postgres() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"PostgreSQL {parsed.hostname}:{parsed.port or 5432}/{name}", drop_postgres


def backend_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend (when the server is local)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(func: Callable[[], Any]) -> tuple[float, float, float | None, Any]:
    """(wall s, CPU s of this process, CPU s of the PostgreSQL backend or None, result)."""
    server_before = backend_cpu_seconds()
    cpu_before = time.process_time()
    started = time.perf_counter()
    result = func()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    server_after = backend_cpu_seconds()
    server = None if server_before is None or server_after is None else server_after - server_before
    return wall, cpu, server, result


def load_portfolio(employers: int, years: int, today: date) -> None:
    """Generate the synthetic portfolio and import it (adds to what is there: numbers are new)."""
    from cobranza.employers.imports import run_import
    from cobranza.employers.synthetic import generate_portfolio

    with tempfile.TemporaryDirectory(prefix="bench_recompute_csv_") as folder:
        started = time.perf_counter()
        summary = generate_portfolio(Path(folder), employers=employers, years=years, seed=1, today=today)
        print(f"  generated {employers:,} employers × {years} y in {time.perf_counter() - started:.1f} s")
        for kind, path in summary.files.items():
            started = time.perf_counter()
            result = run_import(kind=kind, source=path, filename=path.name, actor=None, today=today)
            print(f"  import {kind:<12} {time.perf_counter() - started:6.1f} s  {result.summary}")


def create_big_employer(today: date) -> str:
    """One employer with 360 monthly periods (up to the month before `today`) and 1,000 payments."""
    from cobranza.employers.models import Branch, Employer
    from cobranza.ledger.models import Declaration, DeclarationOrigin, Payment

    branch = Branch.objects.order_by("pk").first()
    employer = Employer.objects.create(
        employer_number=BIG_NUMBER,
        legal_name="Patrono de 30 años",
        branch=branch,
        registered_on=date(1990, 1, 1),
    )
    last = today.year * 12 + today.month - 2  # month index of the month before today
    months = range(last - 359, last + 1)
    declarations = []
    for m in months:
        year, month = divmod(m, 12)
        due_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        declarations.append(
            Declaration(
                employer=employer,
                period=f"{year:04d}-{month + 1:02d}",
                workers=25,
                salary_base=Decimal("12500.00"),
                employer_contribution=Decimal("937.50"),
                worker_contribution=Decimal("375.00"),
                filed_on=due_next + timedelta(days=5),
                origin=DeclarationOrigin.choices[0][0],
            )
        )
    Declaration.objects.bulk_create(declarations, batch_size=1000)
    # 1,000 payments over the 360 periods: most periods paid once (some late, some partial), a few
    # periods paid in two parts, and some lump payments with no period.
    payments = []
    for i in range(1000):
        m = months[i % 360]
        year, month = divmod(m, 12)
        base = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 10)
        delay = [0, 0, 0, 20, 45, 120, 400][i % 7]
        paid_on = min(base + timedelta(days=delay + i // 360), today)
        amount = Decimal("1312.50") if i < 360 else Decimal("150.00")
        period = "" if i % 11 == 0 else f"{year:04d}-{month + 1:02d}"
        payments.append(
            Payment(
                payment_id=f"BIG{i:06d}",
                employer=employer,
                paid_on=paid_on,
                amount=amount,
                period=period,
                channel="banco",
                reference=f"NPE-{i:010d}",
            )
        )
    Payment.objects.bulk_create(payments, batch_size=1000)
    return employer.employer_number


def fmt_cpu(cpu: float, server: float | None) -> str:
    return f"{cpu:.1f} s" + ("" if server is None else f" + {server:.1f} s PG")


def main() -> None:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="bench_recompute_")
    os.environ["COBRANZA_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "cobranza.config.settings"
    description, cleanup = prepare_database(args.postgres, data_dir)
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.test import Client

        from cobranza.employers.models import Employer
        from cobranza.ledger.models import BalanceSnapshot
        from cobranza.ledger.selectors import statement_for_employer
        from cobranza.ledger.services import balances_recompute

        call_command("migrate", verbosity=0)
        from django.utils import timezone

        today = timezone.localdate()  # what the page uses when no as_of is given
        print(f"{description}; today {today}; {os.cpu_count()} CPU, loadavg {os.getloadavg()}")

        def ids_first() -> int:
            return Employer.objects.order_by("pk").values_list("pk", flat=True)[0]

        sizes = [args.employers] + ([100_000] if args.large else [])
        for size in sizes:
            print(f"loading {size:,} employers …")
            # The whole portfolio of this size: with --large, rows already stored are skipped.
            load_portfolio(size, args.years, today)
            loaded = Employer.objects.count()
            load = os.getloadavg()[0]
            # First call in the process (numba cache load, policy parsing), timed apart on one employer.
            warm = measure(lambda: balances_recompute(actor=None, as_of=today, employer_ids=[ids_first()]))
            rows.append(
                (
                    "balances_recompute, first call in the process (1 employer)",
                    f"{warm[0]:.2f} s",
                    fmt_cpu(warm[1], warm[2]),
                    "",
                    f"{load:.1f}",
                )
            )
            BalanceSnapshot.objects.all().delete()
            first = measure(lambda: balances_recompute(actor=None, as_of=today))
            second = measure(lambda: balances_recompute(actor=None, as_of=today))
            result = first[3]
            print(f"  recompute: {result.summary}")
            for label, (wall, cpu, server, _) in (("1st, snapshots new", first), ("2nd, rewritten", second)):
                rate = TARGET_EMPLOYERS / loaded * wall
                rows.append(
                    (
                        f"balances_recompute, {loaded:,} employers ({label})",
                        f"{wall:.2f} s",
                        fmt_cpu(cpu, server),
                        f"→ 50k: {rate:.1f} s (≤ {TARGET_RECOMPUTE_S:.0f} s)",
                        f"{load:.1f}",
                    )
                )
            # The one-employer path over an evenly spread sample, extrapolated to every employer.
            ids = list(Employer.objects.order_by("pk").values_list("pk", flat=True))
            step = max(1, len(ids) // args.sample)
            sample = list(Employer.objects.filter(pk__in=ids[::step][: args.sample]))

            def one_by_one(sample: list[Any] = sample) -> None:
                for employer in sample:
                    statement_for_employer(employer, today)

            wall, cpu, server, _ = measure(one_by_one)
            factor = loaded / len(sample)
            rows.append(
                (
                    f"statement_for_employer × {len(sample)}, extrapolated to {loaded:,}",
                    f"{wall * factor:.1f} s ({wall / len(sample) * 1000:.1f} ms each)",
                    fmt_cpu(cpu * factor, None if server is None else server * factor),
                    f"batch is {wall * factor / min(first[0], second[0]):.0f}× faster",
                    f"{os.getloadavg()[0]:.1f}",
                )
            )

        # One statement page: 360 periods, 1,000 payments.
        number = create_big_employer(today)
        admin = User.objects.create_superuser("bench_admin", "bench@example.com", None)
        client = Client()
        client.force_login(admin)
        url = f"/patronos/{number}/"
        response = client.get(url)  # warm up (templates, policy cache)
        assert response.status_code == 200, response.status_code
        timings = []
        cpus = []
        for _ in range(args.page_runs):
            wall, cpu, _server, response = measure(lambda: client.get(url))
            assert response.status_code == 200
            timings.append(wall * 1000)
            cpus.append(cpu * 1000)
        page = statistics.median(timings)
        rows.append(
            (
                f"page GET {url} (360 periods, 1,000 payments), median of {args.page_runs}",
                f"{page:.0f} ms (min {min(timings):.0f}, max {max(timings):.0f})",
                f"{statistics.median(cpus):.0f} ms",
                f"≤ {TARGET_PAGE_MS:.0f} ms: {'met' if page <= TARGET_PAGE_MS else 'NOT met'}",
                f"{os.getloadavg()[0]:.1f}",
            )
        )
        print(f"  page: {len(response.content):,} bytes")

        print()
        print(f"{description}; {os.cpu_count()} CPU; loadavg at the end {os.getloadavg()}")
        header = ("measurement", "wall", "CPU", "target / ratio", "load")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    finally:
        if args.keep:
            print("database kept:", description)
        else:
            cleanup()
            if not args.keep:
                import shutil

                shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
