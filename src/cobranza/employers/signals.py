"""Signals the employer registry sends to the feature apps above it (which it must not import).

`payments_imported(employer_ids=[…])` is sent after an import of payments commits, with the
employers that received new payments: the cases app re-checks their promises to pay (SPEC §7).
"""

from django.dispatch import Signal

payments_imported = Signal()
