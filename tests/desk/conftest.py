"""Fixtures of the desk tests: uploads and issued documents in a temporary MEDIA_ROOT, a clean
cache for the verification throttle, and an employer with three overdue periods."""

from datetime import date

import pytest
from django.core.cache import cache

from tests.factories import DeclarationFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def three_periods(world, settings):
    """world.own (gestor1's) declared 2024-01, 2024-02 and 2024-03 on time, $105.00 each
    ($75.00 employer + $30.00 worker share), and paid nothing. Business date 30/06/2024.

    Due dates (10th business day of the next month, SV holidays): 2024-01 → 14/02/2024,
    2024-02 → 14/03/2024, 2024-03 → 12/04/2024. Months late at 30/06/2024 (least k with
    due + k months ≥ 30/06): 5, 4 and 3. Surcharge 1 % a month: 5.25, 4.20 and 3.15. No fine
    (filed on time). Outstanding: 110.25 + 109.20 + 108.15 = 327.60, all overdue.
    """
    settings.COBRANZA_BUSINESS_DATE = date(2024, 6, 30)
    for period, filed in (
        ("2024-01", date(2024, 2, 5)),
        ("2024-02", date(2024, 3, 5)),
        ("2024-03", date(2024, 4, 5)),
    ):
        DeclarationFactory(employer=world.own, period=period, filed_on=filed)
    return world
