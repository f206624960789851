"""The case file page holds up to six forms (action, document, letter, e-mail, state change, account
hygiene): none may repeat an element id (issue 16: three of them used to share
``id_next_action_on``), and a form sent with errors follows the shared pattern: each message beside
its field under the id the field's ``aria-describedby`` names, ``aria-invalid``, the error summary,
``novalidate``."""

import pytest
from django.urls import reverse

from cobranza.cases import services
from tests.html_checks import duplicate_ids, pattern_problems


@pytest.mark.parametrize("user,has_action_form", [("jefe", True), ("gestor1", True), ("callcenter", False)])
def test_the_case_page_has_no_duplicate_ids(client, world, user, has_action_form):
    """The call center reads a case it does not work (it records calls from its own lists only)."""
    case = services.case_for_employer(employer=world.own)
    client.force_login(getattr(world.users, user))
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert ('data-testid="action-form"' in html) is has_action_form
    assert duplicate_ids(html) == []
    assert pattern_problems(html) == []


@pytest.mark.parametrize(
    "url_name,field",
    [
        ("cases:action_create", "id_outcome"),
        ("cases:document_upload", "id_documento-file"),
        ("cases:letter_create", "id_carta-letter_type"),
        ("cases:letter_send", "id_correo-letter_type"),
        ("cases:change_state", "id_estado-to_state"),
    ],
)
def test_each_case_form_sent_empty_shows_its_errors_beside_its_fields(client, world, url_name, field):
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.jefe)
    response = client.post(reverse(url_name, args=[case.pk]), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert duplicate_ids(html) == [] and pattern_problems(html) == []
    assert f'id="{field}_error"' in html and "data-error-summary" in html
    assert f'aria-describedby="{field}_error"' in html or f'{field}_error"' in html
    assert "Este campo es obligatorio." in html
