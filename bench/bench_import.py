"""Benchmark of the payments import: N rows (default 1,000,000) for a few thousand employers.

    # PostgreSQL (creates the database, drops it at the end; its name must start with "bench"):
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/bench_import.py
    # SQLite in a temporary file (no DATABASE_URL):
    .venv/bin/python bench/bench_import.py --rows 200000

Measures: reading + validation + writing of a new file, the same file again (every row skipped),
and a dry run; with `--bulk-create` also the insert through `bulk_create` instead of COPY. Prints
rows per second and peak memory. Never touches a database that is not its own.
"""

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="payment rows (default 1,000,000)")
    parser.add_argument("--employers", type=int, default=5_000, help="employers (default 5,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bulk-create", action="store_true", help="also time bulk_create instead of COPY")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    return parser.parse_args()


def prepare_database() -> tuple[str, callable]:  # type: ignore[valid-type]
    """Point DATABASE_URL at a database of our own; return its description and a cleanup."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        folder = tempfile.mkdtemp(prefix="bench_import_")
        path = Path(folder) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"

        def drop_sqlite() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            Path(folder).rmdir()

        return f"SQLite {path}", drop_sqlite
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench_import: DATABASE_URL must be postgresql://… (or unset for a temporary SQLite file)")
    name = parsed.path.lstrip("/")
    if not name.startswith("bench"):
        sys.exit(f"bench_import: refusing database {name!r}: its name must start with 'bench'")
    import psycopg

    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop_postgres() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"PostgreSQL {parsed.hostname}:{parsed.port or 5432}/{name}", drop_postgres


def write_payments_csv(path: Path, *, rows: int, numbers: list[str], seed: int) -> None:
    rng = random.Random(seed)
    start = date(2019, 1, 1)
    days = (date(2024, 12, 31) - start).days
    channels = ["banco", "ventanilla", "en línea", "NPE"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["payment_id", "employer_number", "paid_on", "amount", "period", "channel", "reference"]
        )
        for i in range(rows):
            paid_on = start + timedelta(days=rng.randrange(days))
            cents = rng.randrange(500, 2_500_000)
            period_month = date(paid_on.year, paid_on.month, 1) - timedelta(days=1)
            writer.writerow(
                [
                    f"B{i:09d}",
                    numbers[rng.randrange(len(numbers))],
                    paid_on.isoformat(),
                    f"{cents // 100}.{cents % 100:02d}",
                    f"{period_month:%Y-%m}",
                    channels[i % 4],
                    f"NPE-{i:012d}",
                ]
            )


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


def timed(label: str, rows: int, func):  # type: ignore[no-untyped-def]
    """Wall time, and CPU time of this process and of its PostgreSQL backend: on a shared machine
    the CPU times are what the work costs, the wall time also counts the waiting for a core."""
    server_before = backend_cpu_seconds()
    cpu_before = time.process_time()
    started = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    server_after = backend_cpu_seconds()
    server = (
        ""
        if server_before is None or server_after is None
        else f", servidor {server_after - server_before:.1f} s"
    )
    print(f"{label:<34} {elapsed:7.1f} s {rows / elapsed:>9,.0f} filas/s  (CPU: cliente {cpu:.1f} s{server})")
    print(f"{'':<34} {result.summary}")
    return elapsed


def main() -> None:
    args = parse_args()
    description, cleanup = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobranza.config.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from cobranza.employers.imports import run_import, writing
        from cobranza.employers.models import Branch, Employer
        from cobranza.ledger.models import Payment

        call_command("migrate", verbosity=0)
        branch = Branch.objects.create(code="bench", name="Sucursal de prueba")
        numbers = [f"{400000000 + i}" for i in range(args.employers)]
        Employer.objects.bulk_create(
            [Employer(employer_number=n, legal_name=f"Patrono {n}", branch=branch) for n in numbers],
            batch_size=5000,
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "pagos.csv"
            started = time.perf_counter()
            write_payments_csv(path, rows=args.rows, numbers=numbers, seed=args.seed)
            size = path.stat().st_size / 1e6
            print(f"{description}; {args.rows:,} pagos de {args.employers:,} patronos; archivo {size:.0f} MB")
            print(
                f"carga de la máquina al empezar (loadavg 1 min): {os.getloadavg()[0]:.1f} con {os.cpu_count()} CPU"
            )
            print(f"(generado en {time.perf_counter() - started:.1f} s)")
            today = date(2025, 1, 31)

            def first() -> object:
                return run_import(kind="payments", source=path, today=today)

            def again() -> object:
                return run_import(kind="payments", source=path, today=today)

            def dry() -> object:
                return run_import(kind="payments", source=path, today=today, dry_run=True)

            timed("dry run (base vacía)", args.rows, dry)
            total = timed("importación (todas nuevas)", args.rows, first)
            assert Payment.objects.count() == args.rows
            timed("reimportación (todas omitidas)", args.rows, again)
            assert Payment.objects.count() == args.rows
            if args.bulk_create and connection.vendor == "postgresql":
                Payment.objects.all().delete()
                writing.USE_COPY = False
                timed("importación con bulk_create", args.rows, first)
                writing.USE_COPY = True
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"memoria máxima del proceso: {peak:,.0f} MB; importación de {args.rows:,} filas en {total:.1f} s"
            )
    finally:
        if args.keep:
            print("base conservada:", description)
        else:
            cleanup()


if __name__ == "__main__":
    main()
