"""Importing employers, declarations and payments from CSV or XLSX files (SPEC §3).

    from cobranza.employers.imports import run_import, ImportRejected, ImportResult
    result = run_import(kind="payments", source="pagos.csv", actor=user)

Used by `cobranza import`, the upload page and the synthetic seed. Modules: `reading` (decode CSV
and XLSX), `values` (exact cell parsing), `columns` (headers), `validation` (what every kind
shares), `payments`, `declarations` and `employers` (each kind's checks, comparison with the
database and writing), `writing` (COPY / executemany), `service` (`run_import`, one transaction).
"""

from cobranza.employers.imports.base import KIND_LABELS, ImportRejected, ImportResult
from cobranza.employers.imports.service import run_import

__all__ = ["KIND_LABELS", "ImportRejected", "ImportResult", "run_import"]
