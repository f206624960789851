"""Declarations (planillas): one per employer and period, with every filing kept as a version.

A row whose employer and period are already stored is compared with every stored version of that
declaration: identical to one of them → skipped (the same file again, even an older one); else a
**correction** (SPEC §3): a new `DeclarationVersion` (its filing date, or for a de-oficio row
without one, the import date as its recorded date), and the declaration's current amounts become
the row's, while its `filed_on` and `origin` stay those of the first filing (the fine's). Another
employer or period is simply another declaration. Everything is written in bulk: new declarations
with `insert_rows`, their version 1 copied inside the database (`insert_selected`), corrections
with `insert_rows` + `bulk_update`, one audit event per correction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from cobranza.common.audit import bulk_record
from cobranza.common.models import AuditEvent
from cobranza.employers.imports.columns import header_key
from cobranza.employers.imports.validation import (
    COUNT,
    NON_NEGATIVE_AMOUNT,
    EmployerRefs,
    chunked,
    query_chunk_size,
    stored_rows,
)
from cobranza.employers.imports.values import BadValue, cell_text, parse_count, parse_non_negative_amount
from cobranza.employers.imports.writing import Progress, as_json, audit_actor, insert_rows, insert_selected
from cobranza.employers.models import ImportBatch
from cobranza.ledger.models import Declaration, DeclarationOrigin, DeclarationVersion

ORIGIN_WORDS = {
    "employer": DeclarationOrigin.EMPLOYER,
    "patrono": DeclarationOrigin.EMPLOYER,
    "deoficio": DeclarationOrigin.DE_OFICIO,
}
# What a row of the file gives, in the file's record order (after row, employer number, period).
DECLARATION_FIELDS = (
    "workers",
    "salary_base",
    "employer_contribution",
    "worker_contribution",
    "filed_on",
    "origin",
)
# What a correction changes on the declaration row: the current amounts (never the first filing's
# `filed_on` and `origin`).
CURRENT_FIELDS = DECLARATION_FIELDS[:4]


def version_values(**extra: Any) -> dict[str, Any]:
    """`insert_selected` values of a version 1 copied from a declaration row (plus `extra`)."""
    values: dict[str, Any] = {"declaration_id": F("id"), "number": Value(1)}
    values.update({name: F(name) for name in DECLARATION_FIELDS})
    values.update(import_batch_id=F("import_batch_id"), created_at=F("created_at"))
    values.update(extra)
    return values


@dataclass(frozen=True)
class Correction:
    """A row that corrects a stored declaration: version `number` of `declaration_id`."""

    declaration_id: int
    employer_number: str
    period: str
    number: int
    values: dict[str, Any]  # the row's DECLARATION_FIELDS
    before: dict[str, Any]  # changed fields, as the previous version had them
    after: dict[str, Any]  # changed fields, as the row has them
    may_lack_first_version: bool  # never corrected: its version 1 may be missing (not stored by an import)


@dataclass
class DeclarationPlan:
    # (row, employer_number, period, workers, salary_base, employer_c., worker_c., filed_on, origin)
    creates: list[tuple[Any, ...]]
    corrections: list[Correction]
    employer_ids: dict[str, int]
    skipped: int
    recorded_on: date  # the import's date: the versions' `recorded_on`

    @property
    def created(self) -> int:
        return len(self.creates)

    @property
    def updated(self) -> int:
        return 0

    @property
    def corrected(self) -> int:
        return len(self.corrections)

    def write(self, *, batch: ImportBatch, actor: Any, filename: str, progress: Progress) -> None:
        ids, batch_id = self.employer_ids, batch.pk
        rows = ((ids[record[1]], record[2], *record[3:], 1, batch_id) for record in self.creates)
        fields = ["employer_id", "period", *DECLARATION_FIELDS, "latest_version", "import_batch_id"]
        insert_rows(Declaration, fields, rows, total=self.created + self.corrected, progress=progress)
        if self.creates:  # their first versions, copied inside the database (before any correction)
            insert_selected(
                DeclarationVersion,
                version_values(recorded_on=Value(self.recorded_on)),
                Declaration.objects.filter(import_batch_id=batch_id),
            )
        if self.corrections:
            self._write_corrections(batch_id=batch_id, actor=actor, filename=filename)

    def _write_corrections(self, *, batch_id: int, actor: Any, filename: str) -> None:
        missing = [c.declaration_id for c in self.corrections if c.may_lack_first_version]
        for chunk in chunked(missing, query_chunk_size()):
            # A declaration stored some other way (admin, fixtures) gets its version 1 from its row
            # first, as the migration gave every declaration stored before versions existed.
            insert_selected(
                DeclarationVersion,
                version_values(recorded_on=TruncDate("created_at")),
                Declaration.objects.filter(pk__in=list(chunk)).exclude(
                    Exists(DeclarationVersion.objects.filter(declaration=OuterRef("pk")))
                ),
            )
        version_fields = ["declaration_id", "number", *DECLARATION_FIELDS, "recorded_on", "import_batch_id"]
        versions = (
            (
                c.declaration_id,
                c.number,
                *(c.values[name] for name in DECLARATION_FIELDS),
                self.recorded_on,
                batch_id,
            )
            for c in self.corrections
        )
        insert_rows(DeclarationVersion, version_fields, versions, total=self.corrected, progress=None)
        now = timezone.now()
        corrected = [
            Declaration(
                pk=c.declaration_id,
                **{name: c.values[name] for name in CURRENT_FIELDS},
                latest_version=c.number,
                import_batch_id=batch_id,
                updated_at=now,
            )
            for c in self.corrections
        ]
        Declaration.objects.bulk_update(
            corrected,
            [*CURRENT_FIELDS, "latest_version", "import_batch", "updated_at"],
            batch_size=1000,
        )
        who = audit_actor(actor)
        bulk_record(
            [
                AuditEvent(
                    actor=who,
                    action="declaration.corrected",
                    object_type=Declaration._meta.label_lower,
                    object_id=str(c.declaration_id),
                    employer_number=c.employer_number,
                    before=as_json({**c.before, "version": c.number - 1}),
                    after=as_json({**c.after, "version": c.number}),
                    reason=(
                        f"Corrección (versión {c.number}) de la planilla del periodo {c.period} importada "
                        f"del archivo {filename}; la multa sigue decidiéndose por la primera presentación"
                    )[:500],
                )
                for c in self.corrections
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
        """Same employer and period already stored: identical to one of its versions → skipped,
        different → a correction (the next version)."""
        ids = self.ids
        periods = sorted({r[2] for r in self.records})
        wanted = sorted({ids[r[1]] for r in self.records if r[1] in ids})
        by_period: dict[str, Sequence[Any]] | None = {"period": periods} if len(periods) <= 120 else None
        fields = ("id", "employer_id", "period", "latest_version", *DECLARATION_FIELDS)
        stored = {
            (row[1], row[2]): row
            for row in stored_rows(Declaration, fields, key="employer_id", keys=wanted, also=by_period)
        }
        # The versions of the corrected declarations this file touches (few): a row equal to any
        # of them is that filing again.
        corrected_ids = sorted(
            row[0]
            for row in (stored.get((ids.get(r[1]), r[2])) for r in self.records)
            if row is not None and row[3] > 1
        )
        versions: dict[int, list[tuple[Any, ...]]] = {}
        if corrected_ids:
            version_fields = ("declaration_id", "number", *DECLARATION_FIELDS)
            for row in stored_rows(
                DeclarationVersion, version_fields, key="declaration_id", keys=corrected_ids
            ):
                versions.setdefault(row[0], []).append(row)
        creates: list[tuple[Any, ...]] = []
        corrections: list[Correction] = []
        skipped = 0
        for record in self.records:
            employer_id = ids.get(record[1])
            if employer_id is None:
                continue
            existing = stored.get((employer_id, record[2]))
            if existing is None:
                creates.append(record)
                continue
            new = tuple(record[3:])
            found = sorted(versions.get(existing[0], ()), key=lambda v: v[1])
            if found:
                filings = [tuple(v[2:]) for v in found]
                latest = filings[-1]
                number = max(existing[3], found[-1][1]) + 1
            else:  # never corrected: the declaration row is its only filing
                latest = tuple(existing[4:])
                filings = [latest]
                number = existing[3] + 1
            if new in filings:
                skipped += 1
                continue
            changed = [i for i, name in enumerate(DECLARATION_FIELDS) if new[i] != latest[i]]
            corrections.append(
                Correction(
                    declaration_id=existing[0],
                    employer_number=record[1],
                    period=record[2],
                    number=number,
                    values=dict(zip(DECLARATION_FIELDS, new, strict=True)),
                    before={DECLARATION_FIELDS[i]: latest[i] for i in changed},
                    after={DECLARATION_FIELDS[i]: new[i] for i in changed},
                    may_lack_first_version=existing[3] == 1,
                )
            )
        return DeclarationPlan(
            creates=creates,
            corrections=corrections,
            employer_ids=ids,
            skipped=skipped,
            recorded_on=self.today,
        )
