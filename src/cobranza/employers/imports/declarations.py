"""Declarations (planillas): one per employer and period; a different one replaces it (a correction)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cobranza.common.audit import bulk_record
from cobranza.common.models import AuditEvent
from cobranza.employers.imports.columns import header_key
from cobranza.employers.imports.validation import COUNT, NON_NEGATIVE_AMOUNT, EmployerRefs, stored_rows
from cobranza.employers.imports.values import BadValue, cell_text, parse_count, parse_non_negative_amount
from cobranza.employers.imports.writing import Progress, as_json, audit_actor, insert_rows
from cobranza.employers.models import ImportBatch
from cobranza.ledger.models import Declaration, DeclarationOrigin

ORIGIN_WORDS = {
    "employer": DeclarationOrigin.EMPLOYER,
    "patrono": DeclarationOrigin.EMPLOYER,
    "deoficio": DeclarationOrigin.DE_OFICIO,
}
DECLARATION_FIELDS = (
    "workers",
    "salary_base",
    "employer_contribution",
    "worker_contribution",
    "filed_on",
    "origin",
)


@dataclass
class DeclarationPlan:
    # (row, employer_number, period, workers, salary_base, employer_c., worker_c., filed_on, origin)
    creates: list[tuple[Any, ...]]
    # (declaration id, employer_number, period, new values by field, before, after)
    corrections: list[tuple[Any, ...]]
    employer_ids: dict[str, int]
    skipped: int

    @property
    def created(self) -> int:
        return len(self.creates)

    @property
    def updated(self) -> int:
        return len(self.corrections)

    def write(self, *, batch: ImportBatch, actor: Any, filename: str, progress: Progress) -> None:
        ids, batch_id = self.employer_ids, batch.pk
        rows = ((ids[record[1]], record[2], *record[3:], batch_id) for record in self.creates)
        fields = ["employer_id", "period", *DECLARATION_FIELDS, "import_batch_id"]
        insert_rows(Declaration, fields, rows, total=self.created, progress=progress)
        if not self.corrections:
            return
        now = timezone.now()
        corrected = [
            Declaration(pk=pk, **new_values, import_batch_id=batch_id, updated_at=now)
            for pk, _number, _period, new_values, _before, _after in self.corrections
        ]
        Declaration.objects.bulk_update(
            corrected, [*DECLARATION_FIELDS, "import_batch", "updated_at"], batch_size=1000
        )
        who = audit_actor(actor)
        bulk_record(
            [
                AuditEvent(
                    actor=who,
                    action="declaration.corrected",
                    object_type=Declaration._meta.label_lower,
                    object_id=str(pk),
                    employer_number=number,
                    before=as_json(before),
                    after=as_json(after),
                    reason=f"Corrección de la planilla del periodo {period} importada del archivo {filename}"[
                        :500
                    ],
                )
                for pk, number, period, _new_values, before, after in self.corrections
            ]
        )


class DeclarationValidator(EmployerRefs):
    kind = "declarations"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.records: list[tuple[Any, ...]] = []
        self.seen: dict[tuple[str, str], int] = {}
        index = self.header.index
        self.i_period, self.i_workers, self.i_origin = index["period"], index["workers"], index["origin"]
        self.i_salary_base, self.i_filed_on = index["salary_base"], index["filed_on"]
        self.i_employer_contribution = index["employer_contribution"]
        self.i_worker_contribution = index["worker_contribution"]
        self.origin_cache: dict[Any, str] = {}

    def amount(self, row: int, values: Sequence[Any], name: str) -> Decimal | None:
        raw = values[self.header.index[name]]
        try:
            return parse_non_negative_amount(raw, decimal_comma=self.decimal_comma)
        except BadValue as exc:
            self.bad(row, name, raw, exc.reason)
            return None

    def fast_row(self, row: int, values: Sequence[Any]) -> bool:
        number = self.number_cache.get(values[self.i_number])
        period = self.period_cache.get(values[self.i_period])
        if number is None or period is None or (number, period) in self.seen:
            return False
        workers = values[self.i_workers]
        salary_base = values[self.i_salary_base]
        employer_contribution = values[self.i_employer_contribution]
        worker_contribution = values[self.i_worker_contribution]
        if (
            type(workers) is not str
            or not COUNT.match(workers)
            or type(salary_base) is not str
            or not NON_NEGATIVE_AMOUNT.match(salary_base)
            or type(employer_contribution) is not str
            or not NON_NEGATIVE_AMOUNT.match(employer_contribution)
            or type(worker_contribution) is not str
            or not NON_NEGATIVE_AMOUNT.match(worker_contribution)
        ):
            return False
        origin = self.origin_cache.get(values[self.i_origin])
        raw_filed = values[self.i_filed_on]
        if raw_filed == "" and origin == DeclarationOrigin.DE_OFICIO:
            filed_on = None
        else:
            filed_on = self.date_cache.get(raw_filed)
            if filed_on is None or origin is None:
                return False
        self.seen[(number, period)] = row
        self.records.append(
            (
                row,
                number,
                period,
                int(workers),
                Decimal(salary_base),
                Decimal(employer_contribution),
                Decimal(worker_contribution),
                filed_on,
                origin,
            )
        )
        return True

    def check_row(self, row: int, values: Sequence[Any]) -> None:
        index = self.header.index
        ok = True
        number = self.number(row, values)
        period = self.period(row, values, "period")
        raw_workers = values[index["workers"]]
        try:
            workers = parse_count(raw_workers)
        except BadValue as exc:
            self.bad(row, "workers", raw_workers, exc.reason)
            ok = False
        salary_base = self.amount(row, values, "salary_base")
        employer_contribution = self.amount(row, values, "employer_contribution")
        worker_contribution = self.amount(row, values, "worker_contribution")
        raw_origin = values[index["origin"]]
        origin = ORIGIN_WORDS.get(header_key(cell_text(raw_origin)))
        if origin is None:
            reason = (
                "falta el valor"
                if not cell_text(raw_origin)
                else "origen desconocido (use employer o de_oficio)"
            )
            self.bad(row, "origin", raw_origin, reason)
        elif type(raw_origin) is str:
            self.origin_cache[raw_origin] = origin
        raw_filed = values[index["filed_on"]]
        filed_on: date | None = None
        if cell_text(raw_filed):
            filed_on = self.past_date(row, values, "filed_on")
            ok = ok and filed_on is not None
        elif origin == DeclarationOrigin.EMPLOYER:
            self.bad(
                row,
                "filed_on",
                raw_filed,
                "fecha_presentacion vacía para una planilla presentada por el patrono",
            )
            ok = False
        ok = ok and None not in (
            number,
            period,
            salary_base,
            employer_contribution,
            worker_contribution,
            origin,
        )
        if number is not None and period is not None:
            key = (number, period)
            first_row = self.seen.get(key)
            if first_row is not None:
                self.bad(
                    row,
                    "period",
                    values[index["period"]],
                    f"planilla repetida en el archivo: patrono {number}, periodo {period} (ya está en la fila {first_row})",
                )
                ok = False
            else:
                self.seen[key] = row
        if ok:
            self.records.append(
                (
                    row,
                    number,
                    period,
                    workers,
                    salary_base,
                    employer_contribution,
                    worker_contribution,
                    filed_on,
                    origin,
                )
            )
        elif number is not None:
            self.failed_rows.append((row, number))

    def good_rows(self) -> Iterable[tuple[int, str]]:
        return ((r[0], r[1]) for r in self.records)

    def plan(self) -> DeclarationPlan:
        """Same employer and period already stored: identical → skipped, different → a correction."""
        ids = self.ids
        periods = sorted({r[2] for r in self.records})
        wanted = sorted({ids[r[1]] for r in self.records if r[1] in ids})
        by_period: dict[str, Sequence[Any]] | None = {"period": periods} if len(periods) <= 120 else None
        fields = ("id", "employer_id", "period", *DECLARATION_FIELDS)
        stored = {
            (row[1], row[2]): row
            for row in stored_rows(Declaration, fields, key="employer_id", keys=wanted, also=by_period)
        }
        creates: list[tuple[Any, ...]] = []
        corrections: list[tuple[Any, ...]] = []
        skipped = 0
        for record in self.records:
            employer_id = ids.get(record[1])
            if employer_id is None:
                continue
            existing = stored.get((employer_id, record[2]))
            if existing is None:
                creates.append(record)
                continue
            new_values = dict(zip(DECLARATION_FIELDS, record[3:], strict=True))
            old_values = dict(zip(DECLARATION_FIELDS, existing[3:], strict=True))
            changed = [name for name in DECLARATION_FIELDS if new_values[name] != old_values[name]]
            if not changed:
                skipped += 1
                continue
            before = {name: old_values[name] for name in changed}
            after = {name: new_values[name] for name in changed}
            corrections.append((existing[0], record[1], record[2], new_values, before, after))
        return DeclarationPlan(creates=creates, corrections=corrections, employer_ids=ids, skipped=skipped)
