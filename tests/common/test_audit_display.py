"""The audit trail reads as Spanish sentences (issue 14 item 2): labels for every event type, only
what changed, names and numbers instead of ids, money and dates formatted."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from cobranza.common import audit_display
from cobranza.common.audit import record
from cobranza.common.audit_display import describe_event, describe_events
from cobranza.common.models import AuditEvent
from tests.agreements import conftest as agreements_fixtures

agr = agreements_fixtures.agr  # the worked examples in gestor1's portfolio (a fixture)

SRC = Path(__file__).resolve().parents[2] / "src" / "cobranza"
ACTION = re.compile(r"""\baction\s*=\s*(f?)"([^"\n]+)\"""")
ARGPARSE = {"store_true", "store_false", "store_const", "append", "count", "version", "help", "store"}


def _dynamic(template: str) -> list[str] | None:
    """The codes an f-string action can take (None: the test does not know it — add it here)."""
    from cobranza.agreements.models import AgreementState

    if template == "agreement.{to_state}":
        return [f"agreement.{s}" for s in AgreementState.values]
    if template == "{model._meta.model_name}.created":  # employers import: new branches and sectors
        return ["branch.created", "sector.created"]
    if template == "{obj._meta.model_name}.{'updated' if change else 'created'}":  # employers admin
        return [f"{m}.{v}" for m in ("branch", "sector") for v in ("created", "updated")]
    return None


def _shape(where: str) -> str:
    """f"hygiene.request_{to_status}" → the regex hygiene\\.request_[a-z_]+"""
    template = where.split(' f"', 1)[1][:-1]
    return "".join(
        "[a-z_]+" if part.startswith("{") else re.escape(part)
        for part in re.split(r"(\{[^}]*\})", template)
        if part
    )


def source_action_codes() -> tuple[dict[str, str], list[str]]:
    """Every action code written in the source (code → where), and the f-strings not understood."""
    from cobranza.ledger.services import _TERMS_EVENTS

    codes: dict[str, str] = {}
    unknown: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for is_f, text in ACTION.findall(line):
                where = f"{path.relative_to(SRC)}:{lineno}"
                if is_f:
                    expanded = _dynamic(text)
                    if expanded is None:
                        unknown.append(f'{where} f"{text}"')
                    for code in expanded or ():
                        codes.setdefault(code, where)
                elif text not in ARGPARSE:
                    codes.setdefault(text, where)
    for action, _verb in _TERMS_EVENTS.values():  # ledger: action chosen from a table
        codes.setdefault(action, "ledger/services.py _TERMS_EVENTS")
    return codes, unknown


def test_every_action_code_in_the_source_has_a_spanish_label():
    """Scans src/ for every `action="…"` (and the known f-string families). A new event type
    without a label fails here with its file and line: add it to the app's audit_labels.py (see
    cobranza.common.audit_display)."""
    codes, unknown = source_action_codes()
    audit_display.collect_app_labels()
    assert len(codes) > 40, "the scan found too few codes: is the pattern still right?"
    missing = sorted(f"{code} ({where})" for code, where in codes.items() if code not in audit_display.LABELS)
    # An f-string the test cannot expand (e.g. f"hygiene.request_{to_status}") needs at least one
    # label of its shape; expand it in `_dynamic` to check every value.
    shapeless = [
        where
        for where in unknown
        if not any(re.fullmatch(_shape(where), code) for code in audit_display.LABELS)
    ]
    assert not shapeless, "f-string action codes with no label of their shape:\n" + "\n".join(shapeless)
    assert not missing, "action codes without a Spanish label:\n" + "\n".join(missing)


def test_an_app_registers_its_labels():
    audit_display.register(labels={"prueba.hecho": "Prueba hecha"}, fields={"prueba.hecho:x": "Equis"})
    try:
        event = AuditEvent(action="prueba.hecho", object_type="", object_id="", after={"x": 3})
        view = describe_events([event])[0]
        assert view.title == "Prueba hecha" and view.changes[0].text == "Equis: 3"
    finally:
        audit_display.LABELS.pop("prueba.hecho")
        audit_display.FIELDS.pop("prueba.hecho:x")


# --------------------------------------------------------------------------- an agreement's life
@pytest.fixture
def signed(agr):
    """100000002's agreement drafted by gestor1, approved by the head Ana Martínez, down payment
    PRIMA-1 of $286.98 on 05/07/2024 (tests/agreements/helpers.active_e2)."""
    from tests.agreements.helpers import active_e2

    jefe = agr.users.jefe
    jefe.first_name, jefe.last_name = "Ana", "Martínez"
    jefe.save()
    return active_e2(agr)


def events_of(agreement) -> dict[str, AuditEvent]:
    qs = AuditEvent.objects.filter(object_type="agreements.agreement", object_id=str(agreement.pk))
    return {e.action: e for e in qs}


@pytest.mark.django_db
def test_an_approval_reads_as_a_sentence_with_names(signed):
    view = describe_event(events_of(signed)["agreement.approved"])
    assert view.title == "Convenio aprobado"
    assert view.subject == f"convenio {signed.number}"
    assert view.actor == "Ana Martínez"
    texts = [c.text for c in view.changes]
    assert texts == ["Estado: Borrador → Aprobado", "Aprobado por: — → Ana Martínez"], texts


@pytest.mark.django_db
def test_the_signing_shows_only_what_changed_with_money_and_dates(signed):
    """approved → active: the state, the signing date and the down payment (the payment's own
    number, amount and date, never its id); debt, installments, rate… did not change."""
    view = describe_event(events_of(signed)["agreement.active"])
    texts = [c.text for c in view.changes]
    assert "Estado: Aprobado → Vigente" in texts
    assert "Fecha de firma (congelamiento): — → 05/07/2024" in texts
    assert "Pago de la prima: — → PRIMA-1 ($286.98 del 05/07/2024)" in texts
    assert not any(t.startswith(("Deuda", "Cuotas", "Interés")) for t in texts), texts


@pytest.mark.django_db
def test_a_draft_lists_its_terms_formatted(signed):
    """A creation has no `before`: its values are listed — $1,434.90 of debt, $286.98 down,
    6 installments, 1.26 %… — periods as mm/yyyy; no code, dict or id anywhere."""
    view = describe_event(events_of(signed)["agreement.draft"])
    sentence = view.sentence
    assert "Estado: Borrador" in sentence
    assert "$286.98" in sentence and "01/2024" in sentence or "/20" in sentence
    for raw in ("draft", "{", "}", "'", "_id", "approved_by", "None", "True"):
        assert raw not in sentence, (raw, sentence)


@pytest.mark.django_db
def test_case_and_assignment_events_use_labels_and_names(world):
    world.users.gestor2.first_name, world.users.gestor2.last_name = "Marta", "Ríos"
    world.users.gestor2.save()
    transition = record(
        actor=world.users.gestor1,
        action="case.transition",
        object_type="cases.casefile",
        object_id="0",
        before={"state": "open"},
        after={"state": "closed", "close_reason": "paid"},
        reason="El patrono pagó todo lo exigible el 15/07/2024; se cierra el expediente con el comprobante.",
    )
    moved = record(
        actor=None,
        action="assignment.created",
        object_type="portfolio.assignment",
        object_id="0",
        employer_number=world.own.employer_number,
        before={"collector": "gestor1"},
        after={"collector": "gestor2"},
    )
    first, second = describe_events([transition, moved])
    from cobranza.cases.models import CaseState, CloseReason

    assert first.changes[0].text == f"Estado: {CaseState('open').label} → {CaseState('closed').label}"
    assert first.changes[1].text == f"Motivo de cierre: — → {CloseReason('paid').label}"
    assert first.reason.endswith("con el comprobante.")  # whole
    assert second.changes[0].text == "Gestor: gestor1 → Marta Ríos"
    assert second.actor == "Sistema"


@pytest.mark.django_db
def test_describing_a_page_costs_a_fixed_number_of_queries(signed, django_assert_max_num_queries):
    events = list(AuditEvent.objects.all()[:50])
    with django_assert_max_num_queries(12):
        describe_events(events)


# --------------------------------------------------------------------------- pages
def titles(page: str) -> list[str]:
    return re.findall(r'data-testid="audit-title">([^<]+)<', page)


@pytest.mark.django_db
def test_the_agreement_page_shows_its_history_as_sentences_to_heads_only(client, signed, agr):
    url = reverse("agreements:detail", args=[signed.pk])
    client.force_login(agr.users.jefe)
    page = client.get(url).content.decode()
    assert "Historial del convenio" in page
    assert "Convenio aprobado" in page and "Estado: Aprobado → Vigente" in page
    assert "agreement.approved" not in page and "Datos técnicos" not in page
    client.force_login(agr.users.admin)
    assert "Datos técnicos" in client.get(url).content.decode()
    client.force_login(agr.users.gestor1)
    assert "Historial del convenio" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_employer_page_shows_sentences(client, signed, agr):
    client.force_login(agr.users.jefe)
    page = client.get(reverse("employers:detail", args=[agr.e2.employer_number])).content.decode()
    assert "Convenio aprobado" in page and "Ana Martínez" in page
    assert "agreement.approved" not in page and "&#x27;state&#x27;" not in page


@pytest.mark.django_db
def test_the_audit_list_filters_by_type_date_and_user(client, signed, agr):
    client.force_login(agr.users.jefe)
    url = reverse("audit:list")
    page = client.get(url, {"tipo": "agreement.approved"}).content.decode()
    assert titles(page) == ["Convenio aprobado"]
    mine = client.get(url, {"usuario": agr.users.jefe.pk}).content.decode()
    assert titles(mine) and set(titles(mine)) <= {"Convenio aprobado", "Usuario modificado"}, titles(mine)
    today = AuditEvent.objects.latest("at").at.astimezone().date()
    empty = client.get(url, {"desde": "01/01/2001", "hasta": "31/12/2001"}).content.decode()
    assert "Sin eventos registrados." in empty
    assert "Convenio aprobado" in client.get(url, {"desde": today.strftime("%d/%m/%Y")}).content.decode()
    bad = client.get(url, {"desde": "31/12/2024", "hasta": "01/01/2024"}).content.decode()
    assert "La fecha «desde» es posterior a la fecha «hasta»." in bad


@pytest.mark.django_db
def test_the_audit_list_is_paginated(client, world):
    for k in range(55):
        record(actor=None, action="case.opened", object_type="cases.casefile", object_id=str(k))
    client.force_login(world.users.admin)
    first = client.get(reverse("audit:list"), {"tipo": "case.opened"}).content.decode()
    assert first.count('data-testid="audit-event"') == 50 and "Página 1 de 2" in first
    second = client.get(reverse("audit:list"), {"tipo": "case.opened", "pagina": "2"}).content.decode()
    assert second.count('data-testid="audit-event"') == 5
    past_end = client.get(reverse("audit:list"), {"tipo": "case.opened", "pagina": "999999999999999999"})
    assert past_end.status_code == 200


@pytest.mark.django_db
def test_a_branch_head_reads_only_its_branch_events_and_only_admins_see_raw_data(client, world):
    record(
        actor=None,
        action="case.opened",
        object_type="cases.casefile",
        object_id="1",
        employer_number="300000001",
    )
    record(
        actor=None,
        action="case.opened",
        object_type="cases.casefile",
        object_id="2",
        employer_number="300000003",
    )
    client.force_login(world.users.jefe_sucursal)
    page = client.get(reverse("audit:list"), {"tipo": "case.opened"}).content.decode()
    assert page.count('data-testid="audit-event"') == 1 and "Datos técnicos" not in page
    client.force_login(world.users.admin)
    page = client.get(reverse("audit:list"), {"tipo": "case.opened"}).content.decode()
    assert page.count('data-testid="audit-event"') == 2 and "Datos técnicos" in page


def test_dates_and_money_helpers():
    assert audit_display._date_text("2024-07-05") == "05/07/2024"
    assert audit_display._date_text(date(2024, 7, 5)) == "05/07/2024"
    assert audit_display._money_text("1234.5") == "$1,234.50"
    assert audit_display._percent_text("0.012600") == "1.26 %"
    assert audit_display._plain(["2024-01", "2024-02"]) == "01/2024, 02/2024"
    assert audit_display._plain({"a_b": True}) == "A b: Sí"
