"""Engine benchmark: one large statement, the portfolio batch, and the batch versus the one-employer path.

    .venv/bin/python bench/bench_engine.py            # 10k employers × 5 years
    .venv/bin/python bench/bench_engine.py --large    # also 100k employers × 5 years

Everything runs on one core (POLARS_MAX_THREADS=1, NUMBA_NUM_THREADS=1, set before the imports).
The synthetic histories are generated here (numpy, fixed seed): per period ~85 % paid by a payment
(on time, late, very late, partial or with a little extra; most referencing the period), late and
de-oficio payrolls, worker shares, plus occasional lump payments. Inputs are ordered as the
ledger's query returns them (employer, period / employer, paid_on, payment_id); a shuffled input
is measured too. The batch runs on the same data under a one-version policy (2024.1) and under a
three-version timeline (2 % surcharge from 2025-01-01, due on the 5th business day from
2026-01-01), and with 2 % of the declarations corrected.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from cobranza.engine.batch import compute_batch  # noqa: E402
from cobranza.engine.calendar import due_date, period_from_index  # noqa: E402
from cobranza.engine.policy import default_policy  # noqa: E402
from cobranza.engine.statement import DeclarationIn, PaymentIn, compute_statement  # noqa: E402
from cobranza.engine.timeline import PolicyTimeline  # noqa: E402

POLICY = default_policy()
TIMELINE = PolicyTimeline(
    versions=(
        POLICY,
        POLICY.with_changes(
            version="2025.1", effective_from=date(2025, 1, 1), surcharge_monthly_rate=Decimal("0.02")
        ),
        POLICY.with_changes(version="2026.1", effective_from=date(2026, 1, 1), due_business_day=5),
    )
)
#: The batch's as-of date: its 5 years (2021-07 … 2026-06) cross both changes of ``TIMELINE``.
BATCH_AS_OF = date(2026, 6, 30)
EPOCH = date(1970, 1, 1)


def _epoch(d: date) -> int:
    return (d - EPOCH).days


# ------------------------------------------------------------------------------ data generator
def generate(n_employers: int, years: int, as_of: date, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Declarations and payments of ``n_employers`` over the ``years`` × 12 periods ending with the
    as-of month, ordered like the ledger's query."""
    rng = np.random.default_rng(seed)
    n_per = years * 12
    last = as_of.year * 12 + as_of.month - 1
    first = last - n_per + 1
    periods = [period_from_index(first + i) for i in range(n_per)]
    due_tab = np.array([_epoch(due_date(p, POLICY)) for p in periods], dtype=np.int64)

    n = n_employers * n_per
    emp = np.repeat(np.arange(n_employers), n_per)
    per = np.tile(np.arange(n_per), n_employers)
    base = rng.integers(2_000, 300_000, n_employers)
    contrib = (base[emp] * rng.uniform(0.9, 1.1, n)).astype(np.int64)
    due = due_tab[per]
    kind = rng.random(n)
    filed = np.where(kind < 0.92, due - rng.integers(0, 10, n), due + rng.integers(1, 60, n))
    oficio = kind >= 0.97
    emp_numbers = pl.Series("employer_number", np.arange(100_000_000, 100_000_000 + n_employers)).cast(
        pl.String
    )
    decl = pl.DataFrame(
        {
            "employer_number": emp_numbers.gather(emp),
            "period": pl.Series(periods).gather(per),
            "contribution_cents": contrib,
            "filed_on": pl.Series(filed).cast(pl.Int32).cast(pl.Date),
            "origin": np.where(oficio, "de_oficio", "employer"),
            "worker_cents": contrib * 2 // 7,  # 3 % of the 10.5 % of the salary
        }
    ).with_columns(
        pl.when(pl.col("origin") == "de_oficio").then(None).otherwise(pl.col("filed_on")).alias("filed_on")
    )

    # one payment for ~85 % of the periods
    paid = rng.random(n) < 0.85
    delay_kind = rng.random(n)
    delay = np.where(
        delay_kind < 0.6,
        -rng.integers(0, 10, n),
        np.where(delay_kind < 0.9, rng.integers(1, 180, n), rng.integers(181, 900, n)),
    )
    amount_kind = rng.random(n)
    amount = np.where(
        amount_kind < 0.8,
        contrib,
        np.where(
            amount_kind < 0.9, (contrib * rng.uniform(0.3, 0.9, n)).astype(np.int64), contrib * 105 // 100
        ),
    )
    ref = rng.random(n) < 0.8
    idx = np.nonzero(paid)[0]
    pay_emp = emp[idx]
    pay_day = due[idx] + delay[idx]
    pay_amount = np.maximum(amount[idx], 1)
    pay_period = np.where(ref[idx], per[idx], -1)
    # lump payments: ~0.15 per employer and year, anywhere in the window
    n_lump = int(n_employers * years * 0.15)
    lump_emp = rng.integers(0, n_employers, n_lump)
    lump_day = rng.integers(_epoch(date(as_of.year - years, as_of.month, 1)), _epoch(as_of) + 1, n_lump)
    lump_amount = base[lump_emp] * rng.integers(1, 4, n_lump)
    all_emp = np.concatenate([pay_emp, lump_emp])
    pay = pl.DataFrame(
        {
            "employer_number": emp_numbers.gather(all_emp),
            "paid_on": pl.Series(np.concatenate([pay_day, lump_day])).cast(pl.Int32).cast(pl.Date),
            "amount_cents": np.concatenate([pay_amount, lump_amount]).astype(np.int64),
            "period": pl.Series([*periods, None]).gather(
                np.where(
                    np.concatenate([pay_period, np.full(n_lump, -1)]) >= 0,
                    np.concatenate([pay_period, np.full(n_lump, -1)]),
                    n_per,
                )
            ),
        }
    ).with_row_index("k")
    pay = pay.with_columns(
        pl.concat_str(
            pl.lit("P"), pl.col("employer_number"), pl.lit("-"), pl.col("k").cast(pl.String).str.zfill(9)
        ).alias("payment_id")
    ).select("payment_id", "employer_number", "paid_on", "amount_cents", "period")
    pay = pay.sort(["employer_number", "paid_on", "payment_id"])
    return decl, pay


def generate_corrections(decl: pl.DataFrame, share: float = 0.02, seed: int = 5) -> pl.DataFrame:
    """Corrections of ``share`` of the declarations (one each): filed from 5 days before to 200
    days after the first filing (de-oficio ones from their due month), 80–130 % of the amount."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(decl.height, int(decl.height * share), replace=False))
    picked = decl[rows]
    n = len(rows)
    first = picked["filed_on"].fill_null((picked["period"] + "-01").str.to_date().dt.offset_by("1mo"))
    contrib = (picked["contribution_cents"].to_numpy() * rng.uniform(0.8, 1.3, n)).astype(np.int64)
    return pl.DataFrame(
        {
            "employer_number": picked["employer_number"],
            "period": picked["period"],
            "filed_on": (first.cast(pl.Int32) + pl.Series(rng.integers(-5, 200, n), dtype=pl.Int32)).cast(
                pl.Date
            ),
            "contribution_cents": contrib,
            "worker_cents": contrib * 2 // 7,
        }
    )


def to_objects(
    decl: pl.DataFrame, pay: pl.DataFrame
) -> dict[str, tuple[list[DeclarationIn], list[PaymentIn]]]:
    book: dict[str, tuple[list[DeclarationIn], list[PaymentIn]]] = {}
    for emp, period, cents, filed, origin, worker in decl.iter_rows():
        book.setdefault(emp, ([], []))[0].append(DeclarationIn(period, cents, filed, origin, worker))
    for pid, emp, paid_on, cents, period in pay.iter_rows():
        book.setdefault(emp, ([], []))[1].append(PaymentIn(pid, paid_on, cents, period))
    return book


# ------------------------------------------------------------------------------ measurements
def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (process) seconds of each run."""
    wall, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def big_statement_inputs(seed: int = 11) -> tuple[list[DeclarationIn], list[PaymentIn], date]:
    """One employer: 360 periods (1995-01 … 2024-12) and 1,000 payments."""
    rng = np.random.default_rng(seed)
    as_of = date(2024, 12, 31)
    first = 1995 * 12
    decls = []
    for i in range(360):
        p = period_from_index(first + i)
        due = due_date(p, POLICY)
        r = rng.random()
        filed = (
            due - timedelta(days=int(rng.integers(0, 9)))
            if r < 0.9
            else due + timedelta(days=int(rng.integers(1, 40)))
        )
        decls.append(
            DeclarationIn(
                p,
                int(rng.integers(5_000, 250_000)),
                None if r > 0.97 else filed,
                "de_oficio" if r > 0.97 else "employer",
            )
        )
    pays = []
    for k in range(1000):
        i = int(rng.integers(0, 360))
        due = due_date(decls[i].period, POLICY)
        paid_on = due + timedelta(days=int(rng.integers(-9, 400)))
        amount = int(decls[i].contribution_cents * rng.uniform(0.2, 0.6))
        pays.append(
            PaymentIn(f"P{k:05d}", paid_on, max(amount, 1), decls[i].period if rng.random() < 0.7 else None)
        )
    return decls, pays, as_of


def _load() -> str:
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "?"


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also run 100k employers × 5 years")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []

    def add(metric: str, value: str, target: str = "", verdict: str = "") -> None:
        rows.append((metric, value, target, verdict))
        print(f"  {metric}: {value} {('(' + target + ', ' + verdict + ')') if target else ''}", flush=True)

    print(
        f"Python {platform.python_version()}, polars {pl.__version__}, polars threads {pl.thread_pool_size()}, "
        f"load average at start {_load()}",
        flush=True,
    )

    # 1. one big statement
    decls, pays, st_as_of = big_statement_inputs()
    t0 = time.perf_counter()
    compute_statement(employer_number="X", declarations=decls, payments=pays, as_of=st_as_of, policy=POLICY)
    cold = time.perf_counter() - t0
    wall, cpu = timed(
        lambda: compute_statement(
            employer_number="X", declarations=decls, payments=pays, as_of=st_as_of, policy=POLICY
        ),
        30,
    )
    med_wall, med_cpu = statistics.median(wall) * 1000, statistics.median(cpu) * 1000
    add(
        "single statement, 360 periods + 1,000 payments (median of 30)",
        f"{med_wall:.1f} ms wall, {med_cpu:.1f} ms CPU",
        "≤ 20 ms",
        f"wall {_verdict(med_wall <= 20)}, CPU {_verdict(med_cpu <= 20)}",
    )
    add("  same, first call in the process (holiday tables cold)", f"{cold * 1000:.0f} ms wall")

    # 2. numba: first call (compile, or load from the cache=True cache)
    as_of = BATCH_AS_OF
    small_d, small_p = generate(10, 1, as_of, seed=1)
    t0 = time.perf_counter()
    compute_batch(small_d, small_p, as_of, POLICY)
    add(
        "batch first call in a process (numba compile or cache load)",
        f"{time.perf_counter() - t0:.2f} s wall",
    )

    sizes = [10_000] + ([100_000] if args.large else [])
    for n_emp in sizes:
        d, p = generate(n_emp, 5, as_of)
        c = generate_corrections(d)
        n_rows = d.height
        # the variants alternate run by run, so a change of load on the machine hits them alike
        variants = {
            "1-version policy 2024.1": functools.partial(compute_batch, d, p, as_of, POLICY),
            "3-version timeline": functools.partial(compute_batch, d, p, as_of, TIMELINE),
            "3-version timeline + corrections": functools.partial(
                compute_batch, d, p, as_of, TIMELINE, corrections=c
            ),
        }
        best = {name: (float("inf"), float("inf")) for name in variants}
        for _ in range(7):
            for name, fn in variants.items():
                wall, cpu = timed(fn, 1)
                best[name] = (min(best[name][0], wall[0]), min(best[name][1], cpu[0]))
        for name, (best_wall, best_cpu) in best.items():
            add(
                f"batch {n_emp:,} employers × 5 years ({n_rows:,} period rows, {p.height:,} payments), "
                f"{name}{f' ({c.height:,})' if 'corrections' in name else ''}, best of 7",
                f"{best_wall:.3f} s wall = {n_rows / best_wall / 1e6:.1f} M rows/s; "
                f"{best_cpu:.3f} s CPU = {n_rows / best_cpu / 1e6:.1f} M rows/s",
                "≥ 5 M rows/s",
                f"wall {_verdict(n_rows / best_wall >= 5e6)}, CPU {_verdict(n_rows / best_cpu >= 5e6)}",
            )
        one, three = best["1-version policy 2024.1"][1], best["3-version timeline"][1]
        add(
            "  3-version throughput relative to 1-version (CPU)",
            f"{one / three * 100:.0f} %",
            "≥ 80 %",
            _verdict(one / three >= 0.8),
        )
        best_wall, best_cpu = best["1-version policy 2024.1"]
        shuffled_d = d.sample(fraction=1.0, shuffle=True, seed=3)
        shuffled_p = p.sample(fraction=1.0, shuffle=True, seed=4)
        s_wall, s_cpu = timed(functools.partial(compute_batch, shuffled_d, shuffled_p, as_of, POLICY), 1)
        add(
            "  same (1 version), input shuffled (Polars sorts it first)",
            f"{s_wall[0]:.2f} s wall = {n_rows / s_wall[0] / 1e6:.1f} M rows/s; "
            f"{s_cpu[0]:.2f} s CPU = {n_rows / s_cpu[0] / 1e6:.1f} M rows/s",
        )
        del shuffled_d, shuffled_p

        # 3. the same work through compute_statement, one employer at a time
        #    (inputs converted to DeclarationIn/PaymentIn beforehand, not timed: favours this path)
        single_wall = single_cpu = 0.0
        emps = d["employer_number"].unique().sort()
        chunk = 10_000
        for start in range(0, len(emps), chunk):
            part = emps.slice(start, chunk)
            lo, hi = part[0], part[-1]
            book = to_objects(
                d.filter(pl.col("employer_number").is_between(pl.lit(lo), pl.lit(hi))),
                p.filter(pl.col("employer_number").is_between(pl.lit(lo), pl.lit(hi))),
            )
            gc.collect()
            c0 = time.process_time()
            t0 = time.perf_counter()
            for emp, (dl, pl_) in book.items():
                compute_statement(
                    employer_number=emp, declarations=dl, payments=pl_, as_of=as_of, policy=POLICY
                )
            single_wall += time.perf_counter() - t0
            single_cpu += time.process_time() - c0
            del book
        add(
            f"  one-employer path (compute_statement) on the same {n_emp:,} employers",
            f"{single_wall:.1f} s wall = {n_rows / single_wall / 1e6:.2f} M rows/s; {single_cpu:.1f} s CPU",
        )
        ratio_wall, ratio_cpu = single_wall / best_wall, single_cpu / best_cpu
        add(
            "  batch speed-up over the one-employer path",
            f"{ratio_wall:.0f}× wall, {ratio_cpu:.0f}× CPU",
            "≥ 30×",
            f"wall {_verdict(ratio_wall >= 30)}, CPU {_verdict(ratio_cpu >= 30)}",
        )
        del d, p, c

    print(f"\nload average at end {_load()}\n")
    header = ("metric", "measured", "target", "verdict")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(4)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
