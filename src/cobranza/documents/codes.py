"""Verification codes: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), so
31¹² ≈ 7.9·10¹⁷ codes — unguessable, and rate limiting (`views.verify`) makes trying useless.
Shown in groups of four («K7QM-4XHT-9BWE»); typed in any case, with or without spaces or dashes."""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def group(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize(typed: str) -> str | None:
    """The code as stored, or None when what was typed cannot be a code (length or characters)."""
    text = "".join((typed or "").split()).replace("-", "").upper()
    if len(text) != LENGTH or any(c not in ALPHABET for c in text):
        return None
    return text
