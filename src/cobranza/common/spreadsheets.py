"""Excel exports without formula injection (issue 10, item 10): every workbook the project writes
goes out through `workbook_bytes`.

openpyxl stores any text that starts with ``=`` as a formula, so an imported legal name such as
``=HYPERLINK("http://…","Pagar aquí")`` became a live formula in the agreements report. Before saving,
`neutralise_formulas` makes every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (what Excel, LibreOffice and the CSV importers treat as the start of a formula) a
plain string cell with Excel's *quote prefix*: the person sees exactly the text that was imported
(nothing added to the name), Excel shows it as text, does not evaluate it, and keeps it text when the
cell is edited (as if typed with a leading apostrophe). Numbers, dates and amounts are not text and are
untouched, so a negative amount stays a number. No export of this project writes formulas on purpose.

`tests/agreements/test_excel_formula_injection.py` checks that every module that builds an openpyxl `Workbook` saves
it through here.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

#: The first characters that make a spreadsheet treat text as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_formulas(workbook: Any) -> int:
    """Turn every formula-like text cell of `workbook` into quoted text (in place); how many."""
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"  # openpyxl made it "f" (formula) on assignment
                    cell.quotePrefix = True
                    changed += 1
    return changed


def workbook_bytes(workbook: Any) -> bytes:
    """The .xlsx file of `workbook`, formula-like text neutralised: the only way exports save."""
    neutralise_formulas(workbook)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
