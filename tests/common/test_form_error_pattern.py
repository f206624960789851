"""Forms that got ``novalidate`` for issue 16, sent empty or invalid by a user allowed to use them:
the page that answers shows the error and follows the shared pattern (no repeated ids, every
``aria-describedby`` names an id on the page, invalid fields carry their error, ``novalidate``).

Forms that answer with the page re-rendered (portfolio cover and reassign) are checked on that page;
the per-row forms and those that redirect with a message by design (hygiene request from the case
file, goals, review queue, worklist answer, letter batch) are checked on the page they land on."""

import pytest
from django.urls import reverse

from cobranza.cases import services
from cobranza.cases.models import ActionOutcome
from tests.html_checks import duplicate_ids, pattern_problems


def _clean(html: str) -> None:
    assert duplicate_ids(html) == []
    assert pattern_problems(html) == []


@pytest.fixture
def returned_action(world):
    """An action of gestor1 that the branch head sent back for correction."""
    case = services.case_for_employer(employer=world.own)
    action = services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind="call",
        outcome=ActionOutcome.objects.first(),
        notes="Llamé",
    )
    services.action_review(
        actor=world.users.jefe_sucursal, action=action, decision="returned", comment="Anote"
    )
    return action


def test_portfolio_cover_form_sent_empty(client, world):
    client.force_login(world.users.jefe_sucursal)
    response = client.post(reverse("portfolio:covers"), {})
    assert response.status_code == 400
    html = response.content.decode()
    _clean(html)
    assert "data-error-summary" in html and "Este campo es obligatorio." in html
    assert 'aria-invalid="true"' in html


def test_portfolio_reassign_form_sent_empty(client, world):
    client.force_login(world.users.jefe_sucursal)
    response = client.post(reverse("portfolio:reassign"), {})
    assert response.status_code == 400
    html = response.content.decode()
    _clean(html)
    assert "data-error-summary" in html and "Seleccione al menos un patrono." in html


def test_hygiene_request_from_the_case_file_sent_empty(client, world):
    """Redirects back to the case file with the message (by design: the form lives in a panel of
    another app's page)."""
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    page = reverse("cases:detail", args=[case.pk])
    response = client.post(
        reverse("hygiene:request_create", args=[world.own.employer_number]), {"next": page}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    _clean(html)
    assert 'data-testid="hygiene-request-form"' in html
    assert "Solicitud de depuración no enviada: Elija el área" in html


def test_goals_form_with_an_invalid_amount(client, world):
    client.force_login(world.users.jefe)
    page = client.get(reverse("reports:goals")).content.decode()
    _clean(page)
    key = f"c{world.users.gestor1.pk}"
    assert f'name="{key}-recuperado"' in page, "el formulario de metas cambió de nombres"
    response = client.post(
        reverse("reports:goals"),
        {f"{key}-recuperado": "mucho", f"{key}-convenios": "", f"{key}-contactos": ""},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    _clean(html)
    assert "No se guardó ninguna meta." in html


def test_review_form_sent_empty(client, world):
    case = services.case_for_employer(employer=world.own)
    action = services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind="call",
        outcome=ActionOutcome.objects.first(),
        notes="Llamé",
    )
    client.force_login(world.users.jefe_sucursal)
    queue = client.get(reverse("cases:review_queue")).content.decode()
    assert "Llamé" in queue
    _clean(queue)
    response = client.post(reverse("cases:action_review", args=[action.pk]), {}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    _clean(html)
    assert "Revisión no válida." in html and "Llamé" in html


def test_worklist_answer_form_sent_empty(client, world, returned_action):
    client.force_login(world.users.gestor1)
    worklist = client.get(reverse("cases:worklist")).content.decode()
    assert "Anote" in worklist
    _clean(worklist)
    response = client.post(reverse("cases:action_answer", args=[returned_action.pk]), {}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    _clean(html)
    assert "Escriba la respuesta para la jefatura." in html


def test_letter_batch_form_sent_empty(client, world):
    client.force_login(world.users.jefe)
    response = client.post(reverse("cases:letter_batch_new"), {}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    _clean(html)
    assert "Tipo de carta desconocido" in html or "Seleccione al menos un patrono." in html
