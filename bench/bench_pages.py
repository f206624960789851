"""Benchmark of the employer page and the statement PDF at scale (issue 15, item 7).

    .venv/bin/python bench/bench_pages.py                       # SQLite in a temporary file
    .venv/bin/python bench/bench_pages.py --postgres            # PostgreSQL bench_pages (created, dropped)
    .venv/bin/python bench/bench_pages.py --profile page        # cProfile of one page GET (top 30)
    .venv/bin/python bench/bench_pages.py --profile pdf         # cProfile of one statement PDF

Creates one employer with 360 monthly periods and 1,000 payments (`create_big_employer` of
bench_recompute.py) and one with 60 periods and 120 payments, then times with Django's test client:
GET /patronos/<number>/ of the big one (size, median and p95 of `--runs`), its fragments (a page of
periods, one period's detail), and the statement PDF of the 60-period one (`ledger.documents.
statement_pdf`, the bytes only, and through the view, which also registers the issued document).
Prints wall and CPU time of this process; `uptime` load beside them (the machine is shared).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_recompute import create_big_employer, prepare_database  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/bench_pages"
TARGET_PAGE_P95_MS = 80.0
TARGET_PAGE_KB = 150.0
TARGET_PDF_MS = 400.0
PDF_NUMBER = "999000060"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_PG, default=None, metavar="URL")
    parser.add_argument("--runs", type=int, default=30, help="page GETs timed (30)")
    parser.add_argument("--pdf-runs", type=int, default=9, help="PDFs timed (9)")
    parser.add_argument("--profile", choices=["page", "pdf"], default=None)
    return parser.parse_args()


def create_sixty_period_employer(today: date) -> str:
    """60 monthly periods up to the month before `today`, 120 payments (some late, some partial)."""
    from cobranza.employers.models import Branch, Employer
    from cobranza.ledger.models import Declaration, DeclarationOrigin, Payment

    employer = Employer.objects.create(
        employer_number=PDF_NUMBER,
        legal_name="Patrono de 5 años, S.A. de C.V.",
        branch=Branch.objects.order_by("pk").first(),
        registered_on=date(2015, 1, 1),
        address="Calle El Progreso 1234, San Salvador",
        nit="0614-010115-101-1",
    )
    last = today.year * 12 + today.month - 2
    months = range(last - 59, last + 1)
    declarations, payments = [], []
    for m in months:
        year, month = divmod(m, 12)
        due_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        declarations.append(
            Declaration(
                employer=employer,
                period=f"{year:04d}-{month + 1:02d}",
                workers=12,
                salary_base=Decimal("6000.00"),
                employer_contribution=Decimal("450.00"),
                worker_contribution=Decimal("180.00"),
                filed_on=due_next + timedelta(days=3),
                origin=DeclarationOrigin.choices[0][0],
            )
        )
    for i in range(120):
        m = months[i % 60]
        year, month = divmod(m, 12)
        base = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 10)
        paid_on = min(base + timedelta(days=[0, 15, 60, 200][i % 4] + i // 60), today)
        payments.append(
            Payment(
                payment_id=f"PDF{i:06d}",
                employer=employer,
                paid_on=paid_on,
                amount=Decimal("630.00") if i < 40 else Decimal("95.00"),
                period="" if i % 9 == 0 else f"{year:04d}-{month + 1:02d}",
                channel="banco",
                reference=f"NPE-{i:010d}",
            )
        )
    Declaration.objects.bulk_create(declarations)
    Payment.objects.bulk_create(payments)
    return employer.employer_number


def timed(func, runs: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu0, t0 = time.process_time(), time.perf_counter()
        result = func()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - cpu0) * 1000)
    return walls, cpus, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="bench_pages_")
    os.environ["COBRANZA_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "cobranza.config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-pages-not-a-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("COBRANZA_HTTPS", "0")  # the test client speaks plain HTTP
    description, cleanup = prepare_database(args.postgres, data_dir)
    try:
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.test import Client
        from django.utils import timezone

        from cobranza.employers.models import Branch, Employer
        from cobranza.ledger.documents import statement_pdf
        from cobranza.ledger.selectors import statement_for_employer

        call_command("migrate", verbosity=0)
        if not Branch.objects.exists():
            Branch.objects.create(code="01", name="San Salvador")
        today = timezone.localdate()
        big = create_big_employer(today)
        small = create_sixty_period_employer(today)
        admin = User.objects.create_superuser("bench_admin", "bench@example.com", None)
        client = Client()
        client.force_login(admin)
        print(f"{description}; today {today}; {os.cpu_count()} CPU; uptime load {os.getloadavg()}")

        url = f"/patronos/{big}/"
        employer = Employer.objects.get(employer_number=small)
        statement = statement_for_employer(employer, today)
        if args.profile:
            target = (
                (lambda: client.get(url))
                if args.profile == "page"
                else (lambda: statement_pdf(statement, employer))
            )
            target()
            profiler = cProfile.Profile()
            profiler.enable()
            target()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            return

        rows = []
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        walls, cpus, response = timed(lambda: client.get(url), args.runs)
        size_kb = len(response.content) / 1024
        rows.append(
            (
                f"GET {url} (360 periods, 1,000 payments), {args.runs} runs",
                f"median {statistics.median(walls):.0f} ms, p95 {p95(walls):.0f} ms",
                f"{statistics.median(cpus):.0f} ms",
                f"{size_kb:,.0f} KB",
                f"p95 ≤ {TARGET_PAGE_P95_MS:.0f} ms: {'met' if p95(walls) <= TARGET_PAGE_P95_MS else 'NOT met'}; "
                f"≤ {TARGET_PAGE_KB:.0f} KB: {'met' if size_kb <= TARGET_PAGE_KB else 'NOT met'}",
            )
        )
        fragments = [
            (f"/patronos/{big}/?periodos=8", "page 8 of the periods (htmx swap of the page)"),
            (
                f"/patronos/{big}/estado-de-cuenta/periodos/{today.year - 10}-06/",
                "one period's detail (htmx)",
            ),
        ]
        for frag, label in fragments:
            if client.get(frag, headers={"HX-Request": "true"}).status_code != 200:
                continue  # not there (before the drill-down existed)
            walls, cpus, response = timed(
                lambda frag=frag: client.get(frag, headers={"HX-Request": "true"}), 15
            )
            rows.append(
                (
                    f"GET {label}, 15 runs",
                    f"median {statistics.median(walls):.0f} ms, p95 {p95(walls):.0f} ms",
                    f"{statistics.median(cpus):.0f} ms",
                    f"{len(response.content) / 1024:,.1f} KB",
                    "",
                )
            )

        statement_pdf(statement, employer)  # warm up: pango, fonts
        walls, cpus, pdf = timed(lambda: statement_pdf(statement, employer), args.pdf_runs)
        median = statistics.median(walls)
        rows.append(
            (
                f"statement PDF, 60 periods ({len(statement.periods)} lines), {args.pdf_runs} runs",
                f"median {median:.0f} ms (min {min(walls):.0f}, max {max(walls):.0f})",
                f"{statistics.median(cpus):.0f} ms",
                f"{len(pdf) / 1024:,.0f} KB",
                f"≤ {TARGET_PDF_MS:.0f} ms: {'met' if median <= TARGET_PDF_MS else 'NOT met'}",
            )
        )
        pdf_url = f"/patronos/{small}/estado-de-cuenta.pdf"
        walls, cpus, response = timed(lambda: client.get(pdf_url), 5)
        assert response.status_code == 200
        rows.append(
            (
                "GET statement PDF view (60 periods, issued and registered), 5 runs",
                f"median {statistics.median(walls):.0f} ms",
                f"{statistics.median(cpus):.0f} ms",
                f"{len(response.content) / 1024:,.0f} KB",
                "",
            )
        )
        Path(data_dir, "statement-60.pdf").write_bytes(pdf)
        print(f"PDF kept at {data_dir}/statement-60.pdf")
        header = ("measurement", "wall", "CPU", "size", "target")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        print(f"uptime load at the end {os.getloadavg()}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
