"""The `scale` bench of issue 15: seed, recompute (full and nightly), import, pages, at 100k or 1M.

    .venv/bin/python bench/bench_scale.py                          # 100,000 employers × 5 years
    .venv/bin/python bench/bench_scale.py --employers 1000000      # the million
    .venv/bin/python bench/bench_scale.py --keep                   # keep the database at the end
    .venv/bin/python bench/bench_scale.py --reuse bench_scale_1m   # skip the seed: an already seeded base

Every step is the product's own command in a subprocess on a fresh PostgreSQL database whose name
starts with `bench_` (`bench_scale_<N>` unless `--db`; any other name is refused), measured with
`/usr/bin/time` (wall, CPU of the process, peak memory):

1. `cobranza seed --employers N --years 5` (the streaming seed);
2. `cobranza recompute` (with `--full` when it has one) and the nightly run (`--nightly` or
   `--incremental`, whichever `cobranza recompute --help` offers; "—" when neither exists);
3. `cobranza import payments` of a generated file of `--payments` rows (1,000,000) for random
   employers of the base, dated in the last 30 days (the refresh of the touched balances included);
4. the employer page of an employer with 360 periods and 1,000 payments (p95 of `--runs` GETs
   through Django's test client) and the statement PDF of a 60-period employer (median).

Prints the table of the issue with the targets beside the figures, the CPU time of each step and
the load average (the machine is shared: wall time also measures the wait for a core).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG = "postgresql://postgres@127.0.0.1:5432"

TARGETS = {
    "seed": "1M: ≤ 20 min, ≤ 4 GB",
    "recompute": "100k: ≤ 8 s; 1M: ≤ 100 s, ≤ 4 GB",
    "nightly": "1M: ≤ 15 s",
    "import": "≤ 45 s, ≤ 1.5 GB",
    "page": "p95 ≤ 80 ms, ≤ 150 KB",
    "pdf": "median ≤ 400 ms",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--employers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--payments", type=int, default=1_000_000, help="rows of the imported file")
    parser.add_argument("--db", default=None, help="database name (bench_scale_<N>)")
    parser.add_argument(
        "--reuse", default=None, metavar="DB", help="an already seeded bench_ database: no seed"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--runs", type=int, default=30, help="employer page GETs (30)")
    parser.add_argument("--pdf-runs", type=int, default=9, help="statement PDFs (9)")
    parser.add_argument(
        "--skip", default="", help="comma-separated steps to skip: recompute,nightly,import,pages"
    )
    parser.add_argument("--step", default=None, help=argparse.SUPPRESS)  # internal: the pages step
    return parser.parse_args()


def environment(url: str, data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="cobranza.config.settings",
        COBRANZA_DATA_DIR=data_dir,
        ALLOWED_HOSTS="testserver",
        COBRANZA_HTTPS="0",
    )
    env.setdefault("SECRET_KEY", "bench-scale-not-a-secret-" + "x" * 40)
    return env


def run(label: str, command: list[str], env: dict[str, str]) -> dict[str, float | str]:
    """Run a step under /usr/bin/time; wall, user + system CPU, peak RSS (MB), load before/after."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        completed = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", timing.name, *command],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        fields = timing.read().split()
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        raise SystemExit(f"bench_scale: step {label} failed ({completed.returncode})")
    elapsed, user, system, rss_kb = (float(x) for x in fields[-4:])
    result: dict[str, float | str] = {
        "wall": elapsed or wall,
        "cpu": user + system,
        "rss_mb": rss_kb / 1024,
        "load": f"{load:.1f}→{os.getloadavg()[0]:.1f}",
        "stdout": completed.stdout,
    }
    print(
        f"  {label}: {result['wall']:.1f} s, CPU {result['cpu']:.1f} s, peak {result['rss_mb']:,.0f} MB, load {result['load']}"
    )
    return result


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True).stdout


def create_database(name: str) -> None:
    if not name.startswith("bench_"):
        raise SystemExit(f"bench_scale: refusing database {name!r}: its name must start with 'bench_'")
    psql(f"{PG}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f"{PG}/postgres", f'CREATE DATABASE "{name}"')


def recompute_options() -> tuple[list[str], list[str] | None]:
    """The full and the nightly recompute, as `cobranza recompute --help` offers them."""
    env = environment("sqlite:///:memory:", tempfile.gettempdir())
    text = subprocess.run(
        [str(BIN / "cobranza"), "recompute", "--help"], env=env, capture_output=True, text=True, check=False
    ).stdout
    full = ["--full"] if re.search(r"--full\b", text) else []
    nightly = next(([flag] for flag in ("--nightly", "--incremental") if re.search(rf"{flag}\b", text)), None)
    if nightly is None and full:
        nightly = []  # with --full, the plain command is the incremental run
    return full, nightly


def write_payments(url: str, path: Path, rows: int, today: date) -> None:
    numbers = psql(url, "SELECT employer_number FROM employers_employer ORDER BY id").split()
    rng = random.Random(15)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["payment_id", "employer_number", "paid_on", "amount", "period", "channel", "reference"])
        for i in range(rows):
            paid_on = today - timedelta(days=rng.randint(0, 30))
            cents = rng.randint(2_000, 500_000)
            out.writerow(
                [
                    f"ESC-{i:09d}",
                    rng.choice(numbers),
                    paid_on.isoformat(),
                    f"{cents // 100}.{cents % 100:02d}",
                    "",
                    "banco",
                    "",
                ]
            )


def pages_step(args: argparse.Namespace) -> None:
    """Run inside the subprocess of step 4: create the two employers (once) and time the pages."""
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from bench_pages import PDF_NUMBER, create_sixty_period_employer, p95, timed
    from bench_recompute import BIG_NUMBER, create_big_employer
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from cobranza.employers.models import Employer
    from cobranza.ledger.documents import statement_pdf
    from cobranza.ledger.selectors import statement_for_employer

    today = timezone.localdate()
    if not Employer.objects.filter(employer_number=BIG_NUMBER).exists():
        create_big_employer(today)
    if not Employer.objects.filter(employer_number=PDF_NUMBER).exists():
        create_sixty_period_employer(today)
    admin = User.objects.filter(username="bench_admin").first() or User.objects.create_superuser(
        "bench_admin", "bench@example.com", None
    )
    client = Client()
    client.force_login(admin)
    url = f"/patronos/{BIG_NUMBER}/"
    assert client.get(url).status_code == 200
    walls, _cpus, response = timed(lambda: client.get(url), args.runs)
    employer = Employer.objects.get(employer_number=PDF_NUMBER)
    statement = statement_for_employer(employer, today)
    statement_pdf(statement, employer)  # warm up: fonts
    pdf_walls, _pdf_cpus, _pdf = timed(lambda: statement_pdf(statement, employer), args.pdf_runs)
    print(
        json.dumps(
            {
                "page_p95_ms": p95(walls),
                "page_median_ms": statistics.median(walls),
                "page_kb": len(response.content) / 1024,
                "pdf_median_ms": statistics.median(pdf_walls),
            }
        )
    )


def main() -> None:
    args = parse_args()
    if args.step == "pages":
        pages_step(args)
        return
    name = args.reuse or args.db or f"bench_scale_{args.employers // 1000}k"
    if not name.startswith("bench_"):
        raise SystemExit(f"bench_scale: refusing database {name!r}: its name must start with 'bench_'")
    url = f"{PG}/{name}"
    skip = set(filter(None, args.skip.split(",")))
    data_dir = tempfile.mkdtemp(prefix="bench_scale_")
    env = environment(url, data_dir)
    cobranza = str(BIN / "cobranza")
    today = date.today()
    print(
        f"bench_scale: {name}, {args.employers:,} employers × {args.years} years; {os.cpu_count()} CPU; load {os.getloadavg()}"
    )
    steps: dict[str, dict[str, float | str]] = {}
    try:
        if not args.reuse:
            create_database(name)
            run("migrate", [cobranza, "migrate", "-v0"], env)
            steps["seed"] = run(
                "seed",
                [cobranza, "seed", "--employers", str(args.employers), "--years", str(args.years), "-v0"],
                env,
            )
        counts = psql(
            url,
            "SELECT (SELECT count(*) FROM employers_employer), (SELECT count(*) FROM ledger_declaration), (SELECT count(*) FROM ledger_payment)",
        )
        employers, declarations, payments = (int(x) for x in counts.strip().split("|"))
        print(f"  base: {employers:,} employers, {declarations:,} declarations, {payments:,} payments")
        full, nightly = recompute_options()
        if "recompute" not in skip:
            steps["recompute"] = run("recompute (full)", [cobranza, "recompute", *full, "-v0"], env)
        if nightly is not None and "nightly" not in skip:
            steps["nightly"] = run("recompute (nightly)", [cobranza, "recompute", *nightly, "-v0"], env)
        if "import" not in skip:
            path = Path(data_dir) / "pagos.csv"
            write_payments(url, path, args.payments, today)
            steps["import"] = run(
                f"import {args.payments:,} payments", [cobranza, "import", "payments", str(path)], env
            )
        if "pages" not in skip:
            steps["pages"] = run(
                "pages",
                [
                    str(BIN / "python"),
                    __file__,
                    "--step",
                    "pages",
                    "--runs",
                    str(args.runs),
                    "--pdf-runs",
                    str(args.pdf_runs),
                ],
                env,
            )
    finally:
        if not args.keep and not args.reuse:
            psql(f"{PG}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report(args, steps, nightly_flag=nightly)


def report(
    args: argparse.Namespace, steps: dict[str, dict[str, float | str]], nightly_flag: list[str] | None
) -> None:
    scale = f"{args.employers:,}"
    rows = []

    def add(figure: str, key: str, measured: str, target: str) -> None:
        step = steps.get(key)
        if step is None:
            rows.append((figure, "—", target, "", "", ""))
            return
        rows.append(
            (figure, measured, target, f"{step['cpu']:.0f} s", f"{step['rss_mb']:,.0f} MB", str(step["load"]))
        )

    def wall(key: str) -> str:
        step = steps.get(key)
        return f"{step['wall']:.1f} s" if step else "—"

    add(f"cobranza seed --employers {scale} --years {args.years}", "seed", wall("seed"), TARGETS["seed"])
    add(f"full recompute, {scale}", "recompute", wall("recompute"), TARGETS["recompute"])
    nightly_label = " ".join(nightly_flag or []) or "(no nightly option)"
    add(f"nightly recompute {nightly_label}, {scale}", "nightly", wall("nightly"), TARGETS["nightly"])
    add(
        f"import {args.payments:,} payments incl. balance refresh",
        "import",
        wall("import"),
        TARGETS["import"],
    )
    pages = steps.get("pages")
    figures = json.loads(str(pages["stdout"]).strip().splitlines()[-1]) if pages else {}
    if figures:
        add(
            "employer page, 360 periods / 1,000 payments",
            "pages",
            f"p95 {figures['page_p95_ms']:.0f} ms (median {figures['page_median_ms']:.0f}), {figures['page_kb']:,.0f} KB",
            TARGETS["page"],
        )
        add("statement PDF, 60 periods", "pages", f"median {figures['pdf_median_ms']:.0f} ms", TARGETS["pdf"])
    header = ("figure", "measured (wall)", "target", "CPU (process)", "peak memory", "load 1 min")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(6)]
    print()
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
    print(f"load at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
