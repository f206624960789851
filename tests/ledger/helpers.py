"""Helpers for the ledger tests: the worked examples and their expected statements."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
EXPECTED = EXAMPLES / "expected"
STATEMENT_FILES = sorted(p for p in EXPECTED.glob("*.json") if not p.name.startswith("agreement_"))
EXAMPLE_EMPLOYERS = ("100000001", "100000002", "100000003", "100000004", "100000005", "100000006")


def expected_cases() -> list[tuple[str, date, Path]]:
    """(employer number, as-of date, expected file) for every expected statement."""
    cases = []
    for path in STATEMENT_FILES:
        number, as_of = path.stem.split("_")
        cases.append((number, date.fromisoformat(as_of), path))
    return cases


def load_expected(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def assert_statement_matches(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every key of the expected statement, every period and every period key, every total, equal
    (keys the expected files predate, such as the worker share and overdue/current, are not checked)."""
    for key, value in expected.items():
        if key == "periods":
            assert [p["period"] for p in got["periods"]] == [p["period"] for p in value]
            for g, e in zip(got["periods"], value, strict=True):
                for k, v in e.items():
                    assert g[k] == v, f"{e['period']} {k}: {g[k]!r} != {v!r}"
        elif key == "totals":
            for k, v in value.items():
                assert got["totals"][k] == v, f"totals {k}: {got['totals'][k]!r} != {v!r}"
        else:
            assert got[key] == value, key
