"""Employers: upserted by employer number; unknown branches and sectors are created on the way."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from cobranza.common.audit import bulk_record, snapshot
from cobranza.common.models import AuditEvent
from cobranza.employers.imports.validation import RowValidator, chunked, query_chunk_size, stored_rows
from cobranza.employers.imports.values import BadValue, cell_text, parse_date
from cobranza.employers.imports.writing import BATCH_SIZE, Progress, as_json, audit_actor
from cobranza.employers.models import Branch, Employer, EmployerStatus, ImportBatch, Sector, normalize_search

STATUS_WORDS = {
    "active": EmployerStatus.ACTIVE,
    "activo": EmployerStatus.ACTIVE,
    "activa": EmployerStatus.ACTIVE,
    "inactive": EmployerStatus.INACTIVE,
    "inactivo": EmployerStatus.INACTIVE,
    "inactiva": EmployerStatus.INACTIVE,
    "closed": EmployerStatus.CLOSED,
    "cerrado": EmployerStatus.CLOSED,
    "cerrada": EmployerStatus.CLOSED,
}
EMPLOYER_FIELDS = (
    "nit",
    "legal_name",
    "trade_name",
    "sector",
    "branch",
    "address",
    "phone",
    "email",
    "legal_representative",
    "status",
    "registered_on",
)

# Text columns and their length limits, from the model.
TEXT_COLUMNS = ("nit", "legal_name", "trade_name", "address", "phone", "email", "legal_representative")
EMPLOYER_TEXT_LIMITS: dict[str, int] = {
    field.name: int(field.max_length or 0)
    for field in Employer._meta.concrete_fields
    if field.name in TEXT_COLUMNS
}


@dataclass
class ReferenceNames:
    """Branch or sector names of the file matched to stored rows; the rest are created on import."""

    model: type[Branch] | type[Sector]
    ids: dict[str, int] = field(default_factory=dict)  # normalized name → id
    new: dict[str, str] = field(default_factory=dict)  # normalized name → name as first written

    def load(self, names: dict[str, str]) -> None:
        by_name: dict[str, int] = {}
        by_code: dict[str, int] = {}
        for pk, code, name in self.model.objects.values_list("id", "code", "name"):
            by_name[normalize_search(name)] = pk
            by_code[code.lower()] = pk
        for key, name in names.items():
            pk = by_name.get(key) or by_code.get(name.lower()) or by_code.get(slugify(name))
            if pk is None:
                self.new[key] = name
            else:
                self.ids[key] = pk

    def create(self, *, actor: Any, filename: str) -> None:
        """Store the names not found, each with a unique slug code, and audit them."""
        if not self.new:
            return
        model = self.model
        taken = set(model.objects.values_list("code", flat=True))
        fallback = "sucursal" if model is Branch else "sector"
        objects: list[Any] = []
        for name in self.new.values():
            base = (slugify(name) or fallback)[:36]
            code, suffix = base, 2
            while code in taken:
                code, suffix = f"{base}-{suffix}", suffix + 1
            taken.add(code)
            objects.append(model(code=code, name=name))
        model.objects.bulk_create(objects)
        if any(obj.pk is None for obj in objects):  # databases that do not return ids from bulk inserts
            by_code = dict(model.objects.filter(code__in=[o.code for o in objects]).values_list("code", "id"))
            for obj in objects:
                obj.pk = by_code[obj.code]
        for key, obj in zip(self.new, objects, strict=True):
            self.ids[key] = obj.pk
        bulk_record(
            [
                AuditEvent(
                    actor=audit_actor(actor),
                    action=f"{model._meta.model_name}.created",
                    object_type=model._meta.label_lower,
                    object_id=str(obj.pk),
                    after={"code": obj.code, "name": obj.name},
                    reason=f"Creada al importar patronos del archivo {filename}"[:500],
                )
                for obj in objects
            ]
        )


@dataclass
class EmployerPlan:
    present: tuple[str, ...]  # fields the file has, in EMPLOYER_FIELDS order
    creates: list[tuple[Any, ...]]  # (row, employer_number, value of each present field)
    updates: list[tuple[Any, ...]]  # (employer id, employer_number, changed values, values before)
    branches: ReferenceNames
    sectors: ReferenceNames
    skipped: int

    @property
    def created(self) -> int:
        return len(self.creates)

    @property
    def updated(self) -> int:
        return len(self.updates)

    @property
    def corrected(self) -> int:
        return 0

    def write(self, *, batch: ImportBatch, actor: Any, filename: str, progress: Progress) -> None:
        self.branches.create(actor=actor, filename=filename)
        self.sectors.create(actor=actor, filename=filename)
        who = audit_actor(actor)
        audited = ("employer_number", *Employer.AUDITED_FIELDS)
        total = self.created + self.updated
        created_count = 0
        for chunk in chunked(self.creates, BATCH_SIZE):
            employers = [self._new_employer(record) for record in chunk]
            Employer.objects.bulk_create(employers)
            if any(e.pk is None for e in employers):  # databases that do not return ids from bulk inserts
                numbers = [e.employer_number for e in employers]
                by_number = dict(
                    Employer.objects.filter(employer_number__in=numbers).values_list("employer_number", "id")
                )
                for employer in employers:
                    employer.pk = by_number[employer.employer_number]
            bulk_record(
                [
                    AuditEvent(
                        actor=who,
                        action="employer.created",
                        object_type=Employer._meta.label_lower,
                        object_id=str(e.pk),
                        employer_number=e.employer_number,
                        after=snapshot(e, audited),
                        reason=f"Importado del archivo {filename}"[:500],
                    )
                    for e in employers
                ]
            )
            created_count += len(employers)
            if progress:
                progress(created_count, total)
        self._write_updates(who=who, filename=filename)
        if progress:
            progress(total, total)

    def _new_employer(self, record: tuple[Any, ...]) -> Employer:
        values = dict(zip(self.present, record[2:], strict=True))
        values["branch_id"] = self.branches.ids[values.pop("branch")]
        if "sector" in values:
            sector = values.pop("sector")
            values["sector_id"] = self.sectors.ids[sector] if sector else None
        employer = Employer(employer_number=record[1], **values)
        employer.search_text = employer.build_search_text()
        return employer

    def _write_updates(self, *, who: Any, filename: str) -> None:
        """Changed employers, grouped by the fields that changed (one `bulk_update` per group)."""
        if not self.updates:
            return
        refs = {"branch_id": self.branches, "sector_id": self.sectors}
        renamed = [
            pk for pk, _n, changes, _b in self.updates if "legal_name" in changes or "trade_name" in changes
        ]
        names: dict[int, tuple[str, str]] = {}
        for chunk in chunked(renamed, query_chunk_size()):
            query = Employer.objects.filter(pk__in=chunk).values_list("id", "legal_name", "trade_name")
            names.update((pk, (legal_name, trade_name)) for pk, legal_name, trade_name in query)
        now = timezone.now()
        groups: dict[tuple[str, ...], list[Employer]] = {}
        events = []
        for pk, number, changes, before in self.updates:
            for attribute, value in changes.items():
                if isinstance(value, tuple):  # ("new", key): a branch or sector created a moment ago
                    changes[attribute] = refs[attribute].ids[value[1]]
            employer = Employer(pk=pk, updated_at=now, **changes)
            fields = [*changes, "updated_at"]
            if pk in names:
                legal_name = changes.get("legal_name", names[pk][0])
                trade_name = changes.get("trade_name", names[pk][1])
                employer.search_text = normalize_search(f"{legal_name} {trade_name}")
                fields.append("search_text")
            groups.setdefault(tuple(sorted(fields)), []).append(employer)
            events.append(
                AuditEvent(
                    actor=who,
                    action="employer.updated",
                    object_type=Employer._meta.label_lower,
                    object_id=str(pk),
                    employer_number=number,
                    before=as_json(before),
                    after=as_json(changes),
                    reason=f"Actualizado al importar el archivo {filename}"[:500],
                )
            )
        for group, employers in groups.items():
            Employer.objects.bulk_update(employers, list(group), batch_size=1000)
        bulk_record(events)


class EmployerValidator(RowValidator):
    kind = "employers"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.present = tuple(name for name in EMPLOYER_FIELDS if self.header.has(name))
        self.records: list[tuple[Any, ...]] = []
        self.seen: dict[str, int] = {}
        self.branch_names: dict[str, str] = {}
        self.sector_names: dict[str, str] = {}

    def reference(self, row: int, values: Sequence[Any], name: str, names: dict[str, str]) -> str | None:
        """A branch or sector name → its normalized key ('' for an empty sector, None when wrong)."""
        value = self.text(row, values, name, 100, required=name == "branch")
        if not value:
            return value
        key = normalize_search(value)
        names.setdefault(key, value)
        return key

    def check_row(self, row: int, values: Sequence[Any]) -> None:
        index = self.header.index
        raw_number = values[index["employer_number"]]
        number: str | None = cell_text(raw_number)
        if not number:
            self.bad(row, "employer_number", raw_number, "falta el valor")
            number = None
        elif not number.isdigit() or not number.isascii() or len(number) > 20:
            self.bad(
                row, "employer_number", raw_number, "el número patronal debe tener solo dígitos (máximo 20)"
            )
            number = None
        parsed: dict[str, Any] = {}
        ok = number is not None
        for name, limit in EMPLOYER_TEXT_LIMITS.items():
            parsed[name] = self.text(row, values, name, limit, required=name == "legal_name")
        parsed["branch"] = self.reference(row, values, "branch", self.branch_names)
        parsed["sector"] = self.reference(row, values, "sector", self.sector_names)
        ok = ok and all(value is not None for value in parsed.values())
        raw_status = values[index["status"]]
        status = STATUS_WORDS.get(normalize_search(cell_text(raw_status)))
        if status is None:
            reason = (
                "falta el valor"
                if not cell_text(raw_status)
                else "estado desconocido (use active, inactive o closed)"
            )
            self.bad(row, "status", raw_status, reason)
            ok = False
        parsed["status"] = status
        parsed["registered_on"] = None
        if "registered_on" in index and cell_text(values[index["registered_on"]]):
            raw_date = values[index["registered_on"]]
            try:
                parsed["registered_on"] = parse_date(raw_date)
                if parsed["registered_on"] > self.today:
                    self.bad(row, "registered_on", raw_date, f"fecha futura (hoy es {self.today:%d/%m/%Y})")
                    ok = False
            except BadValue as exc:
                self.bad(row, "registered_on", raw_date, exc.reason)
                ok = False
        if number is not None:
            first_row = self.seen.get(number)
            if first_row is not None:
                self.bad(
                    row,
                    "employer_number",
                    number,
                    f"número patronal repetido en el archivo (ya está en la fila {first_row})",
                )
                ok = False
            else:
                self.seen[number] = row
        if ok:
            self.records.append((row, number, *(parsed[name] for name in self.present)))

    def plan(self) -> EmployerPlan:
        """Stored employer numbers: same values → skipped, other values → updated (the file's columns only)."""
        branches, sectors = ReferenceNames(Branch), ReferenceNames(Sector)
        branches.load(self.branch_names)
        sectors.load(self.sector_names)
        present = self.present
        attributes = [f"{name}_id" if name in ("branch", "sector") else name for name in present]
        numbers = [r[1] for r in self.records]
        fields = ("employer_number", "id", *attributes)
        stored = {row[0]: row for row in stored_rows(Employer, fields, key="employer_number", keys=numbers)}
        creates: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        skipped = 0
        for record in self.records:
            existing = stored.get(record[1])
            if existing is None:
                creates.append(record)
                continue
            changes: dict[str, Any] = {}
            before: dict[str, Any] = {}
            for offset, name in enumerate(present):
                value = record[2 + offset]
                if name in ("branch", "sector"):
                    refs = branches if name == "branch" else sectors
                    value = refs.ids.get(value) if value else None
                    if value is None and record[2 + offset]:
                        value = (
                            "new",
                            record[2 + offset],
                        )  # the key of a branch or sector this import creates
                    attribute = f"{name}_id"
                else:
                    attribute = name
                if value != existing[2 + offset]:
                    changes[attribute] = value
                    before[attribute] = existing[2 + offset]
            if changes:
                updates.append((existing[1], record[1], changes, before))
            else:
                skipped += 1
        return EmployerPlan(
            present=present,
            creates=creates,
            updates=updates,
            branches=branches,
            sectors=sectors,
            skipped=skipped,
        )
