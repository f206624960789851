"""The agreement's footprint in the employer's case file: state moves, the signed PDF, calls."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cobranza.agreements import services
from tests.agreements.helpers import active_e2, pay

pytestmark = pytest.mark.django_db

cases_models = pytest.importorskip("cobranza.cases.models")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_signing_moves_the_case_and_files_the_pdf(agr, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = active_e2(agr)
    case = cases_models.CaseFile.objects.get(employer=agr.e2)
    assert case.state == "agreement"
    document = case.documents.get()
    assert document.doc_type == "agreement" and document.content_type == "application/pdf"
    assert agreement.number in document.title and "05/07/2024" in document.title
    with document.file.open("rb") as fh:
        assert fh.read(4) == b"%PDF"

    services.agreements_check(actor=None, as_of=date(2024, 11, 10))
    case.refresh_from_db()
    assert case.state == "lapsed"


def test_fulfilment_moves_the_case(agr):
    agreement = active_e2(agr, installments=3, down="336.98")
    pay(agr.e2, "C1", date(2024, 7, 30), "1125.71", reference=agreement.number)
    services.agreements_check(actor=None, as_of=date(2024, 8, 1))
    assert cases_models.CaseFile.objects.get(employer=agr.e2).state == "fulfilled"


def test_calls_become_collection_actions(agr):
    agreement = active_e2(agr)
    today = timezone.localdate()
    services.call_record(
        actor=agr.users.callcenter,
        agreement=agreement,
        called_on=today,
        outcome="promesa",
        notes="Pagará el viernes",
        promised_amount=Decimal("199.85"),
        promised_on=today + timedelta(days=3),
    )
    services.call_record(
        actor=agr.users.callcenter,
        agreement=agreement,
        called_on=date(2024, 9, 15),
        outcome="volver_a_llamar",
    )
    case = cases_models.CaseFile.objects.get(employer=agr.e2)
    actions = list(case.actions.order_by("performed_at"))
    assert [a.kind for a in actions] == ["call", "call"]
    assert actions[0].outcome.name == "Volver a llamar" and agreement.number in actions[0].notes
    assert actions[1].outcome.name == "Contactado, promete pagar"
    assert actions[1].promise.amount == Decimal("199.85")
