"""Payments: one row per payment id; the same row again is skipped, never counted twice."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cobranza.employers.imports.validation import POSITIVE_AMOUNT, EmployerRefs, stored_rows
from cobranza.employers.imports.values import BadValue, cell_text, parse_positive_amount
from cobranza.employers.imports.writing import Progress, insert_rows
from cobranza.employers.models import ImportBatch
from cobranza.ledger.models import Payment


@dataclass
class PaymentPlan:
    # (row, payment_id, employer_number, paid_on, amount, period, channel, reference)
    records: list[tuple[Any, ...]]
    employer_ids: dict[str, int]
    skip: set[str]

    @property
    def created(self) -> int:
        return len(self.records) - len(self.skip)

    @property
    def updated(self) -> int:
        return 0

    @property
    def corrected(self) -> int:
        return 0

    @property
    def skipped(self) -> int:
        return len(self.skip)

    def write(self, *, batch: ImportBatch, actor: Any, filename: str, progress: Progress) -> None:
        ids, skip, batch_id = self.employer_ids, self.skip, batch.pk
        rows = (
            (payment_id, ids[number], paid_on, amount, period, channel, reference, batch_id)
            for _row, payment_id, number, paid_on, amount, period, channel, reference in self.records
            if payment_id not in skip
        )
        fields = [
            "payment_id",
            "employer_id",
            "paid_on",
            "amount",
            "period",
            "channel",
            "reference",
            "import_batch_id",
        ]
        insert_rows(Payment, fields, rows, total=self.created, progress=progress)


class PaymentValidator(EmployerRefs):
    kind = "payments"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        index = self.header.index
        self.i_id, self.i_paid, self.i_amount = index["payment_id"], index["paid_on"], index["amount"]
        self.i_period = index.get("period")
        self.i_channel, self.i_reference = index.get("channel"), index.get("reference")
        self.records: list[tuple[Any, ...]] = []
        self.seen: dict[
            str, tuple[Any, ...] | int
        ] = {}  # payment id → its record, or the row number when refused
        self.period_cache.update({"": "", None: ""})  # the period of a payment is optional

    def fast_row(self, row: int, values: Sequence[Any]) -> bool:
        payment_id = values[self.i_id]
        if type(payment_id) is not str:
            return False
        payment_id = payment_id.strip()
        if not payment_id or len(payment_id) > 64 or payment_id in self.seen:
            return False
        number = self.number_cache.get(values[self.i_number])
        paid_on = self.date_cache.get(values[self.i_paid])
        amount = values[self.i_amount]
        if number is None or paid_on is None or type(amount) is not str or not POSITIVE_AMOUNT.match(amount):
            return False
        period = "" if self.i_period is None else self.period_cache.get(values[self.i_period])
        if period is None:
            return False
        channel = reference = ""
        if self.i_channel is not None:
            channel = values[self.i_channel]
            if type(channel) is not str or len(channel := channel.strip()) > 40:
                return False
        if self.i_reference is not None:
            reference = values[self.i_reference]
            if type(reference) is not str or len(reference := reference.strip()) > 100:
                return False
        record = (row, payment_id, number, paid_on, Decimal(amount), period, channel, reference)
        self.seen[payment_id] = record
        self.records.append(record)
        return True

    def check_row(self, row: int, values: Sequence[Any]) -> None:
        ok = True
        raw = values[self.i_id]
        payment_id: str | None = raw.strip() if type(raw) is str else cell_text(raw)
        if not payment_id:
            self.bad(row, "payment_id", raw, "falta el valor")
            payment_id, ok = None, False
        elif len(payment_id) > 64:
            self.bad(row, "payment_id", raw, "texto demasiado largo (máximo 64 caracteres)")
            payment_id, ok = None, False
        number = self.number(row, values)
        paid_on = self.past_date(row, values, "paid_on")
        try:
            amount = parse_positive_amount(values[self.i_amount], decimal_comma=self.decimal_comma)
        except BadValue as exc:
            self.bad(row, "amount", values[self.i_amount], exc.reason)
            ok = False
        period: str | None = ""
        if self.i_period is not None:
            raw_period = values[self.i_period]
            if raw_period is not None and cell_text(raw_period):
                period = self.period(row, values, "period")
        channel = self.text(row, values, "channel", 40)
        reference = self.text(row, values, "reference", 100)
        ok = ok and None not in (number, paid_on, period, channel, reference)
        record: tuple[Any, ...] | None = None
        if ok:
            record = (row, payment_id, number, paid_on, amount, period, channel, reference)
        if payment_id is not None:
            previous = self.seen.get(payment_id)
            if previous is not None:
                first_row = previous if isinstance(previous, int) else previous[0]
                self.bad(
                    row,
                    "payment_id",
                    payment_id,
                    f"id_pago repetido en el archivo (ya está en la fila {first_row})",
                )
                record = None
            else:
                self.seen[payment_id] = record if record is not None else row
        if record is not None:
            self.records.append(record)
        elif number is not None:
            self.failed_rows.append((row, number))

    def good_rows(self) -> Iterable[tuple[int, str]]:
        return ((r[0], r[2]) for r in self.records)

    def plan(self) -> PaymentPlan:
        """Payment ids already stored: identical → skipped; different content → a problem."""
        header = self.header
        compared = ["employer_number", "paid_on", "amount"] + [
            name for name in ("period", "channel", "reference") if header.has(name)
        ]
        positions = {
            "employer_number": 2,
            "paid_on": 3,
            "amount": 4,
            "period": 5,
            "channel": 6,
            "reference": 7,
        }
        ids = self.ids
        skip: set[str] = set()
        payment_ids = [pid for pid, rec in self.seen.items() if not isinstance(rec, int)]
        fields = ("payment_id", "employer_id", "paid_on", "amount", "period", "channel", "reference")
        for stored in stored_rows(Payment, fields, key="payment_id", keys=payment_ids):
            record = self.seen[stored[0]]
            assert not isinstance(record, int)
            employer_id = ids.get(record[2])
            if employer_id is None:
                continue  # already reported: unknown employer
            differing = [
                name
                for name in compared
                if stored[positions[name] - 1]
                != (employer_id if name == "employer_number" else record[positions[name]])
            ]
            if differing:
                columns = ", ".join(header.label[name] for name in differing)
                self.bad(
                    record[0],
                    "payment_id",
                    record[1],
                    f"este id_pago ya fue importado con otro contenido (distinto: {columns})",
                )
            else:
                skip.add(record[1])
        return PaymentPlan(records=self.records, employer_ids=ids, skip=skip)
