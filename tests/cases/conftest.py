"""Fixtures for the cases app: fast password hashing, uploads in a temporary MEDIA_ROOT, and an
employer in arrears (two unpaid periods) on gestor1's portfolio."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import DeclarationFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def in_arrears(world):
    """world.own owes two periods of 2024: $105.00 of contribution each, plus surcharge and fine."""
    for period in ("2024-01", "2024-02"):
        DeclarationFactory(employer=world.own, period=period, filed_on=date(2024, 2, 1))
    DeclarationFactory(employer=world.colleague, period="2024-01", filed_on=date(2024, 2, 1))
    return world


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office_bytes(folder: str) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return out.getvalue()


ZERO = Decimal("0.00")
