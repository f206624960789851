"""`cobranza seed`: a deterministic synthetic portfolio, the demo users and their portfolios (SPEC §10).

The portfolio is generated as the institute's CSV files (`cobranza.employers.synthetic`) and loaded
through the same import as users' files (`run_import`), so demo data passes every check real data
does. Then the demo users are created (password `demo`), and the employers in arrears are
distributed among the collectors of their branch, balancing the debt (`portfolio_distribute`).
"In arrears" is the engine's answer (`compute_batch` with the default policy) as of `--today`:
something still unpaid on a period past its due date (the saldo exigible); what is not yet due (the
current month) opens no case and weighs nothing in the balancing (SPEC §5 "overdue vs current").

Idempotent: users are matched by username (an existing demo user keeps its password), employers,
declarations and payments by their natural keys, and employers that already have a collector keep it.

Large portfolios (more than `STREAM_ABOVE` employers, or `--stream`) take the streaming path
(`cobranza.employers.seeding`): the same rows generated and written a chunk of employers at a time
(COPY on PostgreSQL), in constant memory, on an empty portfolio only. Past `DEMO_LIFE_MAX`
employers the per-employer demo life is cut to a sample: the whole mora is assigned, but only the
first `CASE_SAMPLE` debtors get a case file and the `DEMO_HOOKS` run only with `--demo-life`.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import Role
from cobranza.employers.imports import ImportRejected, run_import
from cobranza.employers.models import Branch, Employer
from cobranza.employers.seeding import CHUNK_EMPLOYERS
from cobranza.employers.synthetic import BRANCHES, SyntheticSummary, generate_portfolio
from cobranza.engine.money import fmt_usd
from cobranza.portfolio.services import CollectorLoad, portfolio_distribute, staff_user_upsert

#: What the demo adds after the portfolio is assigned, in order: dotted paths of callables
#: `hook(*, today: date, users: dict[str, User]) -> summary` (a summary with `.lines()` is printed).
#: Each app with demo data adds ONE line here; hooks go through the services, deterministically.
DEMO_HOOKS: tuple[str, ...] = (
    "cobranza.reports.demo_life.seed_life",  # agreements, promises, actions, recoveries, goals
    "cobranza.desk.demo.seed_demo",  # inquiries, claims (open, accepted, rejected), solvency certificates
    "cobranza.hygiene.demo.seed_demo",  # area users, discrepancies, scans, clean-up requests in every state
    "cobranza.legal.demo.seed_demo",  # judicial referrals in every state (requested … closed)
    "cobranza.publications.demo.seed_demo",  # a frozen list with regularized employers, a list being notified
    "cobranza.ledger.demo.seed_demo",  # old unpaid periods: prescribed, about to prescribe, restarted
)

DEMO_PASSWORD = "demo"
HEAD_BRANCH = "San Salvador"
ASSIGNMENT_REASON = "Cartera inicial de demostración: mora por sucursal, balanceada por saldo"
#: The demo's initial portfolio is dated this many months back (first day of that month), so the
#: months of demo work and the recoveries of the synthetic late payments have a collector to credit.
PORTFOLIO_MONTHS_BACK = 12
#: Above this many employers the seed streams (`cobranza.employers.seeding`) instead of importing files.
STREAM_ABOVE = 20_000
#: Above this many employers: cases for a sample of the debtors only, hooks only with --demo-life.
DEMO_LIFE_MAX = 20_000
CASE_SAMPLE = 2_000


def portfolio_start(today: date) -> date:
    index = today.year * 12 + today.month - 1 - PORTFOLIO_MONTHS_BACK
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    branch: str | None  # branch name
    first_name: str
    last_name: str
    superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, None, "Administrador", "del sistema", superuser=True),
    DemoUser("jefe", Role.DEPARTMENT_HEAD, None, "Marta Alicia", "Rivas de Mejía"),
    DemoUser("jefe_sucursal", Role.BRANCH_HEAD, HEAD_BRANCH, "Carlos Ernesto", "Portillo Guardado"),
    DemoUser("gestor1", Role.COLLECTOR, HEAD_BRANCH, "Ana Gabriela", "Henríquez López"),
    DemoUser("gestor2", Role.COLLECTOR, HEAD_BRANCH, "José Mauricio", "Alvarado Cruz"),
    DemoUser("callcenter", Role.CALL_CENTER, None, "Karla Yesenia", "Orellana Flores"),
    DemoUser("juridico", Role.LEGAL, None, "Roberto Antonio", "Menjívar Castillo"),
    DemoUser("atencion", Role.SERVICE_DESK, None, "Sandra Patricia", "Ramírez Quintanilla"),
) + tuple(
    # One collector for every other branch, so every branch's arrears have someone to work them.
    DemoUser(f"gestor_{b.code.replace('-', '_')}", Role.COLLECTOR, b.name, "Gestor", b.name)
    for b in BRANCHES
    if b.name != HEAD_BRANCH
)


def debts_in_arrears(*, today: date) -> list[tuple[Employer, int]]:
    """(employer, overdue outstanding in cents) of every employer owing something on a past-due period
    at `today`: recomputes the balance snapshots of the whole portfolio (the same batch path as
    `cobranza recompute`, with the policy in force) and reads them. Debt not yet due is left out."""
    from cobranza.ledger.models import BalanceSnapshot
    from cobranza.ledger.services import balances_recompute

    balances_recompute(actor=None, as_of=today)
    snapshots = (
        BalanceSnapshot.objects.filter(overdue_outstanding__gt=0)
        .select_related("employer")
        .only("overdue_outstanding", "employer__id", "employer__employer_number", "employer__branch_id")
        .order_by("employer__employer_number")
    )
    return [(snap.employer, int(snap.overdue_outstanding * 100)) for snap in snapshots]


def open_cases(employers: list[Employer]) -> int:
    """Open the collection case of every employer just assigned (its case file, SPEC §7)."""
    from cobranza.cases.services import case_for_employer

    for employer in employers:
        case_for_employer(employer=employer, actor=None, create=True)
    return len(employers)


class _ImportProgress:
    """A rich progress bar for one `run_import`, which counts the rows once while checking them and
    again, from zero, while writing them."""

    def __init__(self, bar: Any, label: str) -> None:
        self.bar, self.label = bar, label
        self.task = bar.add_task(f"{label}: validando", total=None)
        self.done, self.writing = 0, False
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if done < self.done and not self.writing:
            self.writing = True
            self.bar.reset(self.task, description=f"{self.label}: guardando")
        self.done = done
        if done or total:
            self.bar.update(self.task, completed=done, total=max(total, done))

    def finish(self, rows: int) -> None:
        seconds = time.perf_counter() - self.started
        self.bar.update(self.task, description=f"{self.label}: {seconds:.1f} s", completed=rows, total=rows)


class Command(BaseCommand):
    help = (
        "Genera una cartera sintética determinista (patronos, planillas, pagos), la importa, crea los "
        "usuarios de demostración (contraseña demo) y asigna la mora a los gestores de cada sucursal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employers", type=int, default=2000, help="número de patronos (2000)")
        parser.add_argument(
            "--years", type=int, default=3, help="años de planillas hasta el mes anterior (3)"
        )
        parser.add_argument("--seed", type=int, default=42, help="semilla: la misma da los mismos datos (42)")
        parser.add_argument("--today", type=str, default=None, help="fecha de referencia AAAA-MM-DD (hoy)")
        parser.add_argument(
            "--if-empty", action="store_true", help="no hace nada si ya hay patronos (lo usa `make demo`)"
        )
        parser.add_argument(
            "--stream",
            action="store_true",
            help=f"carga por bloques en memoria constante (automático con más de {STREAM_ABOVE:,} patronos)",
        )
        parser.add_argument(
            "--chunk", type=int, default=None, help="patronos por bloque de carga (10000; implica --stream)"
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="procesos que generan los datos en paralelo (2)"
        )
        parser.add_argument(
            "--demo-life",
            action="store_true",
            help=f"con más de {DEMO_LIFE_MAX:,} patronos, ejecuta también la vida de la demostración",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        employers, years = options["employers"], options["years"]
        if not 1 <= employers <= 2_000_000:
            raise CommandError("--employers debe estar entre 1 y 2,000,000.")
        if not 1 <= years <= 30:
            raise CommandError("--years debe estar entre 1 y 30.")
        today = options["today"]
        if isinstance(today, str):
            try:
                today = parse_user_date(today, field="--today")
            except ApplicationError as error:
                raise CommandError(error.message) from error
        today = today or business_date()
        verbosity = options["verbosity"]
        # The in-memory Celery broker of the demo has no host: kombu's warning about it is noise here.
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        if options["if_empty"] and Employer.objects.exists():
            if verbosity:
                self.stdout.write("La base de datos ya tiene patronos: no se generó nada (--if-empty).")
            return

        chunk = options["chunk"]
        if chunk is not None and chunk < 1:
            raise CommandError("--chunk debe ser al menos 1.")
        stream = options["stream"] or chunk is not None or employers > STREAM_ABOVE
        if stream and Employer.objects.exists():
            raise CommandError(
                "La carga por bloques necesita una base sin patronos (use una base nueva o `--employers` "
                f"de {STREAM_ABOVE:,} o menos, que importa archivos y es idempotente)."
            )
        started = time.perf_counter()
        timings: dict[str, float] = {}
        if stream:
            t = time.perf_counter()
            summary, results = self._stream(
                employers=employers,
                years=years,
                seed=options["seed"],
                today=today,
                chunk=chunk or CHUNK_EMPLOYERS,
                workers=options["workers"],
                verbosity=verbosity,
            )
            timings["generación y carga"] = time.perf_counter() - t
        else:
            with tempfile.TemporaryDirectory(prefix="cobranza-seed-") as folder:
                t = time.perf_counter()
                summary = generate_portfolio(
                    Path(folder), employers=employers, years=years, seed=options["seed"], today=today
                )
                timings["generación"] = time.perf_counter() - t
                t = time.perf_counter()
                results = self._import(summary, today=today, verbosity=verbosity)
                timings["importación"] = time.perf_counter() - t
        sample = employers > DEMO_LIFE_MAX

        t = time.perf_counter()
        try:
            with transaction.atomic():
                users = self._users()
                debts = debts_in_arrears(today=today)
                loads = portfolio_distribute(
                    actor=None, debts=debts, reason=ASSIGNMENT_REASON, on=portfolio_start(today)
                )
                debtors = [employer for employer, _ in debts]
                open_cases(debtors[:CASE_SAMPLE] if sample else debtors)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        timings["usuarios y cartera"] = time.perf_counter() - t
        t = time.perf_counter()
        summaries = []
        if not sample or options["demo_life"]:
            try:
                with transaction.atomic():
                    for hook in DEMO_HOOKS:
                        summaries.append(import_string(hook)(today=today, users=users))
            except ApplicationError as error:
                raise CommandError(error.message) from error
            timings["vida de la demostración"] = time.perf_counter() - t
        elif verbosity:
            self.stdout.write(
                f"Más de {DEMO_LIFE_MAX:,} patronos: expedientes abiertos solo para los primeros "
                f"{CASE_SAMPLE:,} patronos en mora, sin la vida de la demostración (use --demo-life)."
            )
        if verbosity:
            self._report(summary, results, users, debts, loads, timings, time.perf_counter() - started)
            for extra in summaries:
                for line in getattr(extra, "lines", lambda: [])():
                    self.stdout.write(line)

    # -- steps -------------------------------------------------------------------------------------
    def _import(self, summary: SyntheticSummary, *, today: date, verbosity: int) -> list[Any]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        labels = {"employers": "Patronos", "declarations": "Planillas", "payments": "Pagos"}
        console = Console(file=self.stderr._out, highlight=False)
        results = []
        with Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            disable=verbosity < 1,
        ) as bar:
            for kind, path in summary.files.items():
                progress = _ImportProgress(bar, labels[kind])
                try:
                    result = run_import(
                        kind=kind,
                        source=path,
                        filename=f"sintetico-{path.name}",
                        actor=None,
                        progress=progress,
                        today=today,
                    )
                except ImportRejected as error:
                    lines = [error.message] + [
                        f"  fila {d.get('row')}, {d.get('column')}: {d.get('reason')} ({d.get('value')})"
                        for d in error.details[:10]
                    ]
                    raise CommandError("\n".join(lines)) from error
                except ApplicationError as error:
                    raise CommandError(error.message) from error
                progress.finish(result.rows)
                results.append(result)
        return results

    def _stream(
        self,
        *,
        employers: int,
        years: int,
        seed: int,
        today: date,
        chunk: int,
        workers: int | None,
        verbosity: int,
    ) -> tuple[SyntheticSummary, list[str]]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from cobranza.employers.seeding import StreamResult, stream_portfolio

        console = Console(file=self.stderr._out, highlight=False)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=verbosity < 1,
        ) as bar:
            task = bar.add_task("Carga por bloques: patronos", total=employers)

            def progress(done: StreamResult) -> None:
                rows = f"{done.declarations:,} planillas, {done.payments:,} pagos"
                step = "versiones e índices" if done.finishing else "patronos"
                bar.update(task, completed=done.employers, description=f"Carga por bloques: {step} ({rows})")

            try:
                result = stream_portfolio(
                    employers=employers,
                    years=years,
                    seed=seed,
                    today=today,
                    chunk=chunk,
                    workers=workers,
                    progress=progress,
                )
            except ApplicationError as error:
                raise CommandError(error.message) from error
        lines = [
            f"Carga por bloques: {result.employers:,} patronos, {result.declarations:,} planillas, "
            f"{result.payments:,} pagos en {result.chunks:,} bloques de hasta {chunk:,} patronos."
        ]
        return result.summary, lines

    def _users(self) -> dict[str, User]:
        """The demo users; an existing one keeps its password. Branch collectors only where there are
        employers (the import created the branches it met)."""
        branches = {b.name: b for b in Branch.objects.all()}
        # The demo password is public: one salted hash serves every new demo user (PBKDF2 takes
        # ~0.3 s per hash, seconds for twenty users).
        demo_hash = make_password(DEMO_PASSWORD)
        users = {}
        for demo in DEMO_USERS:
            branch = branches.get(demo.branch) if demo.branch else None
            if demo.branch and branch is None:
                if demo.branch != HEAD_BRANCH:
                    continue
                # A tiny portfolio may have no employer in San Salvador; its head and collectors still exist.
                branch = Branch.objects.create(code="san-salvador", name=HEAD_BRANCH, department=HEAD_BRANCH)
                branches[HEAD_BRANCH] = branch
            exists = User.objects.filter(username=demo.username).exists()
            users[demo.username] = staff_user_upsert(
                actor=None,
                username=demo.username,
                password=None,
                password_hash=None if exists else demo_hash,
                roles=[demo.role],
                branch=branch,
                first_name=demo.first_name,
                last_name=demo.last_name,
                superuser=demo.superuser,
            )
        return users

    def _report(
        self,
        summary: SyntheticSummary,
        results: list[Any],
        users: dict[str, User],
        debts: list[tuple[Employer, int]],
        loads: dict[str, CollectorLoad],
        timings: dict[str, float],
        total: float,
    ) -> None:
        out: Callable[[str], Any] = self.stdout.write
        out("")
        out(
            f"Cartera sintética: periodos {summary.first_period} a {summary.last_period}, fecha de referencia {summary.today:%d/%m/%Y}."
        )
        for result in results:
            out(f"  {getattr(result, 'summary', result)}")
        out(f"  Planillas de oficio: {summary.de_oficio:,}")
        employers = Employer.objects.count()
        share = len(debts) / employers if employers else 0
        owed = sum(cents for _, cents in debts)
        out(
            f"Patronos en mora: {len(debts):,} de {employers:,} ({share:.1%}), "
            f"saldo exigible {fmt_usd(owed)}."
        )
        if loads:
            out("Carteras asignadas (nuevas):")
            for load in loads.values():
                out(f"  {load.username:<22} {load.employers:>5,} patronos  {fmt_usd(load.debt_cents):>16}")
        out("")
        out(f"Usuarios de demostración (contraseña: {DEMO_PASSWORD}):")
        labels = dict(Role.choices)
        for demo in DEMO_USERS:
            if demo.username in users:
                where = f" · {demo.branch}" if demo.branch else ""
                out(f"  {demo.username:<22} {labels[demo.role]}{where}")
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        out(f"Listo en {total:.1f} s ({steps}).")
