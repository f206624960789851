"""`cobranza hygiene scan`: the summary table by type, and a bad date refused in Spanish."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cobranza.hygiene.models import Finding
from cobranza.hygiene.tasks import scan

pytestmark = pytest.mark.django_db


def test_scan_command_prints_the_table(hyg):
    out = StringIO()
    call_command("hygiene", "scan", "--as-of", "30/06/2024", stdout=out)
    text = out.getvalue()
    assert "Hallazgos al 30/06/2024" in text
    assert "Dejó de presentar planillas (estimado)" in text
    assert "7 hallazgos (7 nuevos" in text
    assert Finding.objects.count() == 7


def test_scan_command_refuses_a_bad_date(hyg):
    with pytest.raises(CommandError, match="Fecha inválida"):
        call_command("hygiene", "scan", "--as-of", "31/02/2024")


def test_nightly_task_scans_on_the_business_date(hyg):
    result = scan()
    assert result["found"] == 7 and "30/06/2024" in result["summary"]
