"""Fixtures of the judicial referral: an employer in arrears on gestor1's portfolio whose case has
two notices sent on 02/05/2024 and 03/06/2024 (letters generated on those business dates)."""

from datetime import date

import pytest

from tests.factories import DeclarationFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def on(settings, day: date) -> None:
    settings.COBRANZA_BUSINESS_DATE = day


@pytest.fixture
def in_arrears(world):
    """world.own owes 2024-01 (filed on time) and 2024-02 (filed late, on 01/04/2024: fine 25 %)."""
    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 1))
    DeclarationFactory(employer=world.own, period="2024-02", filed_on=date(2024, 4, 1))
    return world


def send_notice(world, case, settings, day: date, letter_type: str = "first_notice"):
    from cobranza.cases.services import letter_generate

    on(settings, day)
    return letter_generate(actor=world.users.gestor1, case=case, letter_type=letter_type)


@pytest.fixture
def noticed(in_arrears, settings):
    """The case of world.own with two notices: 02/05/2024 and 03/06/2024."""
    from cobranza.cases.services import case_for_employer

    world = in_arrears
    on(settings, date(2024, 5, 2))
    world.case = case_for_employer(employer=world.own, actor=world.users.gestor1)
    send_notice(world, world.case, settings, date(2024, 5, 2))
    send_notice(world, world.case, settings, date(2024, 6, 3), "second_notice")
    world.case.refresh_from_db()
    return world
