"""The recompute core at scale on an existing PostgreSQL database (issue 15, items 1–5).

    .venv/bin/python bench/bench_recompute_pg.py postgresql://postgres@127.0.0.1:5432/bench_perf_100k
    # options: --steps load,full,nightly,single,refresh,order   --sample N   --random-payments N

The database must already hold a portfolio (e.g. `bench_recompute.py --postgres URL --keep`, or
the scale bench's seed) and its name must start with `bench`. Nothing is dropped; the `order` step
adds `--random-payments` payments (ids `RND…`) for random employers in random order and deletes
them at the end. Steps:

- `load`: every employer's declarations and payments read chunk by chunk as the recompute reads
  them, through ADBC/Arrow and through `COPY … CSV` (`COBRANZA_ARROW=0`): rows/s of each.
- `full`: `balances_recompute` of every employer, with 1 and with 2 worker processes (load,
  compute, write, publish times summed over the chunks).
- `nightly`: the incremental run right after a full run (same date) and one day later: how many
  employers the plan computes, and the time.
- `single`: the one-employer path (`statement_for_employer`) on a sample, extrapolated, against
  the best full run.
- `refresh`: the balance refresh of an import that touched `--touched` employers, through the
  batch chunks (`ledger.tasks.schedule_balance_refresh`'s tasks run inline), against one chunk of
  every touched employer (the previous refresh).
- `order`: full runs (2 workers) with and without the covering scan indexes (migration 0012),
  before and after `--random-payments` randomly ordered payments are added.

Prints wall time, CPU time of this process and its pool children, and of the PostgreSQL backends
(`pg_stat_activity` is not enough: read from /proc for every postgres process), and the load.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

ROWS: list[tuple[str, str, str, str]] = []


def postgres_cpu() -> float:
    """CPU seconds used so far by every postgres process on this machine (local server)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(label: str, func: Callable[[], Any], note: Callable[[Any, float], str] = lambda r, w: "") -> Any:
    load = os.getloadavg()[0]
    pg0, cpu0, t0 = postgres_cpu(), own_cpu(), time.perf_counter()
    result = func()
    wall = time.perf_counter() - t0
    cpu, pg = own_cpu() - cpu0, postgres_cpu() - pg0  # children: counted once they are reaped
    row = (label, f"{wall:.2f} s", f"{cpu:.1f} s + {pg:.1f} s PG", f"{note(result, wall)} (load {load:.1f})")
    ROWS.append(row)
    print("  ".join(row), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument("--steps", default="load,full,nightly,single,refresh,order")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--touched", type=int, default=50_000)
    parser.add_argument("--random-payments", type=int, default=2_000_000)
    parser.add_argument("--as-of", default=None)
    args = parser.parse_args()
    name = urlparse(args.url).path.lstrip("/")
    if not name.startswith("bench"):
        sys.exit(f"refusing database {name!r}: its name must start with 'bench'")
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobranza.config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("COBRANZA_HTTPS", "0")
    import django

    django.setup()
    from django.db import connection

    from cobranza.employers.models import Employer
    from cobranza.ledger import services, tasks
    from cobranza.ledger.columnar import close_connections
    from cobranza.ledger.models import Declaration, Payment
    from cobranza.ledger.selectors import statement_for_employer

    as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    steps = set(args.steps.split(","))
    employers = Employer.objects.count()
    print(
        f"{name}: {employers:,} employers, {Declaration.objects.count():,} declarations, "
        f"{Payment.objects.count():,} payments; as of {as_of}; {os.cpu_count()} CPU; load {os.getloadavg()}"
    )
    services.balances_recompute(actor=None, as_of=as_of, employer_ids=[Employer.objects.order_by("pk")[0].pk])

    def full(workers: int) -> Any:
        return services.balances_recompute(actor=None, as_of=as_of, workers=workers)

    def full_note(result: Any, wall: float) -> str:
        t = result.timings
        return (
            f"{result.employers:,} employers, {result.period_rows:,} periods; load {t.get('load', 0):.1f}, "
            f"compute {t.get('compute', 0):.1f}, write {t.get('write', 0):.1f} (chunk sums), "
            f"publish {t.get('publish', 0):.1f} s"
        )

    if "load" in steps:
        ranges = services.employer_id_ranges(services.CHUNK_SIZE)
        for arrow in ("1", "0"):
            os.environ["COBRANZA_ARROW"] = arrow

            def load_all() -> int:
                rows = 0
                for first, last in ranges:
                    scope = {"employer_id__gte": first, "employer_id__lte": last}
                    rows += services.load_declarations(as_of=as_of, **scope).height
                    rows += services.load_payments(as_of=as_of, **scope).height
                return rows

            measure(
                f"load phase, {'ADBC/Arrow' if arrow == '1' else 'COPY CSV (before)'}",
                load_all,
                lambda rows, wall: f"{rows:,} rows, {rows / wall / 1e6:.2f} M rows/s",
            )
        os.environ["COBRANZA_ARROW"] = "1"

    best_full = None
    if "full" in steps:
        for workers in (1, 2, 2):
            result = measure(f"full recompute, {workers} worker(s)", lambda w=workers: full(w), full_note)
            best_full = min(best_full or result.seconds, result.seconds)

    if "nightly" in steps:
        full(2)
        for label, day in (("same day", as_of), ("next day", as_of + timedelta(days=1))):
            measure(
                f"nightly (incremental), {label}",
                lambda d=day: services.balances_recompute(actor=None, as_of=d, workers=2, incremental=True),
                lambda r, w: (
                    f"{r.employers:,} of {r.total_employers:,} computed, publish "
                    f"{r.timings.get('publish', 0):.1f} s"
                ),
            )
        full(2)

    if "single" in steps:
        ids = list(Employer.objects.order_by("pk").values_list("pk", flat=True))
        step = max(1, len(ids) // args.sample)
        sample = list(Employer.objects.filter(pk__in=ids[::step][: args.sample]))
        wall0 = time.perf_counter()
        for employer in sample:
            statement_for_employer(employer, as_of)
        each = (time.perf_counter() - wall0) / len(sample)
        reference = best_full or full(2).seconds
        ROWS.append(
            (
                f"one-employer path × {len(sample)} → {len(ids):,}",
                f"{each * len(ids):.1f} s",
                f"{each * 1000:.1f} ms each",
                f"batch end to end is {each * len(ids) / reference:.0f}× faster ({reference:.1f} s)",
            )
        )
        print("  ".join(ROWS[-1]), flush=True)

    if "refresh" in steps:
        ids = sorted(
            random.Random(3).sample(list(Employer.objects.values_list("pk", flat=True)), args.touched)
        )
        size = services.id_list_size(services.CHUNK_SIZE)

        def batched() -> None:
            for i in range(0, len(ids), size):
                tasks.recompute_chunk(as_of=as_of.isoformat(), employer_ids=ids[i : i + size])

        def previous() -> None:
            os.environ["COBRANZA_ARROW"] = "0"
            try:
                tasks.recompute_chunk(as_of=as_of.isoformat(), employer_ids=ids)
            finally:
                os.environ["COBRANZA_ARROW"] = "1"

        measure(f"import refresh, {len(ids):,} employers, batch chunks of {size:,}", batched)
        measure(f"import refresh, {len(ids):,} employers, one chunk, COPY CSV (before)", previous)

    if "order" in steps:
        close_connections()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'ledger_payment_scan_idx'")
            has_index = cursor.fetchone()[0] == 1
        from importlib import import_module

        migration = import_module("cobranza.ledger.migrations.0012_recompute_scan_indexes")

        def set_indexes(on: bool) -> None:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                if on:
                    cursor.execute(migration.PAYMENT)
                    cursor.execute(migration.DECLARATION)
                else:
                    cursor.execute("DROP INDEX IF EXISTS ledger_payment_scan_idx")
                    cursor.execute("DROP INDEX IF EXISTS ledger_declaration_scan_idx")
                cursor.execute("VACUUM (ANALYZE) ledger_payment")
                cursor.execute("VACUUM (ANALYZE) ledger_declaration")

        def runs(when: str) -> None:
            for on in (False, True):
                set_indexes(on)
                measure(
                    f"full recompute, 2 workers, {when}, {'covering scan indexes' if on else 'no scan index'}",
                    lambda: full(2),
                    full_note,
                )

        runs("heap in employer order")
        ids = list(Employer.objects.values_list("pk", flat=True))
        rng = random.Random(7)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            now = "2026-01-01 00:00:00+00"
            with cursor.cursor.copy(
                "COPY ledger_payment (payment_id, employer_id, paid_on, amount, period, channel, reference, "
                "created_at, updated_at) FROM STDIN"
            ) as copy:
                first = date(as_of.year - 5, as_of.month, 1)
                span = (as_of - first).days
                for i in range(args.random_payments):
                    day = first + timedelta(days=rng.randrange(span))
                    copy.write(
                        f"RND{i:09d}\t{rng.choice(ids)}\t{day}\t{rng.randrange(100, 50000) / 100:.2f}\t\t"
                        f"banco\t\t{now}\t{now}\n"
                    )
        print(f"  added {args.random_payments:,} random payments in {time.perf_counter() - started:.1f} s")
        try:
            runs(f"after {args.random_payments:,} random payments")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_payment WHERE payment_id LIKE 'RND%%'")
            set_indexes(has_index)

    print()
    print(f"{name}; {os.cpu_count()} CPU; load at the end {os.getloadavg()}")
    for row in ROWS:
        print(" | ".join(row))


if __name__ == "__main__":
    main()
