"""Case pages and endpoints × every role (the pattern of tests/common/test_role_matrix.py), and what
each page shows: a case whose employer the user may not see is 404; pages for one role are 403 for
the others."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cobranza.cases import services
from cobranza.cases.models import ActionOutcome, CaseDocument, CaseFile, CollectionAction, PaymentPromise
from tests.cases.conftest import PDF_BYTES
from tests.roles import ALL_ROLES, CASE_STATE_CHANGERS, COLLECTORS, HEADS, VISIBLE

pytestmark = pytest.mark.django_db

CASE_WORKERS = COLLECTORS | HEADS | {"callcenter"}
# Who works a case file fully (letters, documents, opening): not the call center (issue 14).
CASE_OWNERS = COLLECTORS | HEADS
# Pages that do not depend on an employer: who may open them (others: 403).
PAGES = {
    "cases:worklist": COLLECTORS,
    "cases:review_queue": HEADS,
    "cases:report": HEADS,
    "cases:report_xlsx": HEADS,
    "cases:letter_batch_new": CASE_OWNERS,
}


@pytest.fixture
def cases(in_arrears):
    world = in_arrears
    result = {}
    for name in ("own", "colleague", "elsewhere"):
        case = services.case_for_employer(employer=getattr(world, name))
        document = services.document_store(
            actor=None,
            case=case,
            content=PDF_BYTES,
            filename=f"{name}.pdf",
            doc_type="correspondence",
            title=f"Carta {name}",
        )
        action = CollectionAction.objects.create(
            case=case, kind="call", outcome=ActionOutcome.objects.first(), notes=f"nota {name}"
        )
        result[name] = (case, document, action)
    return result


@pytest.mark.parametrize("role", ALL_ROLES)
def test_case_pages_by_role(client, world, cases, role):
    client.force_login(getattr(world.users, role))
    for name, (case, document, _) in cases.items():
        visible = name in VISIBLE[role]
        response = client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == (200 if visible else 404), (role, name)
        if visible:
            content = response.content.decode()
            assert case.employer.legal_name in content and case.code in content
            assert f"Carta {name}" in content  # its documents
            # The call center records calls only on the cases of its list (none of these is on it).
            assert ("Registrar gestión" in content) == (role in CASE_OWNERS), role
            assert ("Generar carta" in content) == (role in CASE_OWNERS), role
        download = client.get(reverse("cases:document_download", args=[document.pk]))
        assert download.status_code == (200 if visible else 404), (role, name)
        if visible:
            assert b"".join(download.streaming_content) == PDF_BYTES
            assert download["Content-Type"] == "application/pdf"
        landing = client.get(reverse("cases:employer", args=[case.employer.employer_number]))
        assert landing.status_code == (302 if visible else 404), (role, name)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_by_role(client, world, role, page):
    client.force_login(getattr(world.users, role))
    response = client.get(reverse(page))
    assert response.status_code == (200 if role in PAGES[page] else 403), (role, page)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_is_sent_to_login(client, world, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_posts_on_a_hidden_case_are_404_and_change_nothing(client, world, cases, role):
    client.force_login(getattr(world.users, role))
    for name, (case, _, action) in cases.items():
        if name in VISIBLE[role]:
            continue
        for url, data in (
            (
                reverse("cases:action_create", args=[case.pk]),
                {"kind": "call", "outcome": ActionOutcome.objects.first().pk},
            ),
            (reverse("cases:letter_create", args=[case.pk]), {"carta-letter_type": "first_notice"}),
            (
                reverse("cases:change_state", args=[case.pk]),
                {"estado-to_state": "in_collection", "estado-reason": "x"},
            ),
            (reverse("cases:action_answer", args=[action.pk]), {"answer": "x"}),
            (reverse("cases:open", args=[case.employer.employer_number]), {}),
        ):
            assert client.post(url, data).status_code == 404, (role, name, url)
    assert CollectionAction.objects.count() == 3 and CaseDocument.objects.count() == 3


def test_home_sends_collectors_to_their_worklist(client, world):
    client.force_login(world.users.gestor1)
    assert client.get("/")["Location"] == reverse("cases:worklist")
    client.force_login(world.users.jefe)
    assert client.get("/")["Location"] == reverse("employers:list")


# -- recording through the pages ----------------------------------------------------------------


def test_collector_records_a_call_with_a_promise(client, in_arrears):
    world = in_arrears
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    promised = timezone.localdate() + timedelta(days=5)
    response = client.post(
        reverse("cases:action_create", args=[case.pk]),
        {
            "kind": "call",
            "contact_person": "Sr. Ramírez",
            "outcome": ActionOutcome.objects.get(name="Contactado, promete pagar").pk,
            "notes": "Pagará el viernes",
            "promise_amount": "100.00",
            "promise_date": promised.isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Gestión registrada." in page and "Sr. Ramírez" in page and "$100.00" in page
    assert PaymentPromise.objects.get().promised_on == promised


def test_a_refused_promise_shows_the_reason_and_keeps_the_input(client, in_arrears):
    world = in_arrears
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    response = client.post(
        reverse("cases:action_create", args=[case.pk]),
        {
            "kind": "call",
            "contact_person": "Sr. Ramírez",
            "outcome": ActionOutcome.objects.first().pk,
            "promise_amount": "99999.00",
            "promise_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "supera la deuda exigible" in content and 'value="Sr. Ramírez"' in content
    assert not CollectionAction.objects.exists()


def test_upload_through_the_page_and_refusals(client, world, media_root):
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    url = reverse("cases:document_upload", args=[case.pk])
    bad = client.post(
        url,
        {
            "documento-file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00"),
            "documento-doc_type": "other",
            "documento-title": "X",
        },
    )
    assert bad.status_code == 400 and "Tipo de archivo no admitido" in bad.content.decode()
    good = client.post(
        url,
        {
            "documento-file": SimpleUploadedFile("acuse.pdf", PDF_BYTES),
            "documento-doc_type": "proof_of_delivery",
            "documento-title": "Acuse de recibo",
        },
    )
    assert good.status_code == 302
    document = CaseDocument.objects.get()
    assert document.title == "Acuse de recibo" and document.get_doc_type_display() == "Constancia de entrega"
    download = client.get(reverse("cases:document_download", args=[document.pk]) + "?descargar=1")
    assert 'attachment; filename="acuse.pdf"' in download["Content-Disposition"]


def test_letter_through_the_page_and_its_download(client, in_arrears, media_root):
    world = in_arrears
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    response = client.post(
        reverse("cases:letter_create", args=[case.pk]), {"carta-letter_type": "first_notice"}
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get(doc_type="notice")
    pdf = b"".join(client.get(reverse("cases:document_download", args=[document.pk])).streaming_content)
    assert pdf.startswith(b"%PDF")


def test_collector_cannot_close_a_case_through_the_page(client, world):
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    response = client.post(
        reverse("cases:change_state", args=[case.pk]),
        {"estado-to_state": "closed", "estado-close_reason": "paid", "estado-reason": "pagó"},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == "open"
    client.force_login(world.users.jefe)
    response = client.post(
        reverse("cases:change_state", args=[case.pk]),
        {"estado-to_state": "closed", "estado-close_reason": "paid", "estado-reason": "pagó"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "closed"


def test_review_queue_return_and_answer(client, in_arrears):
    world = in_arrears
    case = services.case_for_employer(employer=world.own)
    action = services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind="call",
        outcome=ActionOutcome.objects.first(),
        notes="Llamé",
    )
    elsewhere = services.case_for_employer(employer=world.elsewhere)
    services.action_record(
        actor=world.users.gestor_sa,
        case=elsewhere,
        kind="call",
        outcome=ActionOutcome.objects.first(),
        notes="Otra sucursal",
    )
    client.force_login(world.users.jefe_sucursal)
    queue = client.get(reverse("cases:review_queue")).content.decode()
    assert "Llamé" in queue and "Otra sucursal" not in queue
    client.post(
        reverse("cases:action_review", args=[action.pk]),
        {"decision": "returned", "comment": "Anote el contacto"},
    )
    action.refresh_from_db()
    assert action.review_status == "returned"
    client.force_login(world.users.gestor1)
    worklist = client.get(reverse("cases:worklist")).content.decode()
    assert "Anote el contacto" in worklist
    client.post(
        reverse("cases:action_answer", args=[action.pk]),
        {"answer": "Contacto: Sr. Ramírez", "next": "https://malo.example/"},
    )
    action.refresh_from_db()
    assert action.review_status == "pending" and "Sr. Ramírez" in action.notes


# -- worklist ------------------------------------------------------------------------------------


def _snapshot(employer, overdue, months, oldest="2024-01", current="0.00"):
    from tests.factories import make_balance_snapshot

    return make_balance_snapshot(employer, overdue=overdue, current=current, months=months, oldest=oldest)


def test_worklist_ranks_by_visible_score_parts(client, world):
    from cobranza.portfolio.models import Assignment
    from tests.factories import EmployerFactory

    big = EmployerFactory(legal_name="Gran Deudor", branch=world.branches.ss)
    Assignment.objects.create(employer=big, collector=world.users.gestor1, reason="prueba")
    _snapshot(big, Decimal("9000.00"), 10)
    _snapshot(world.own, Decimal("600.00"), 2)
    services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    response = client.get(reverse("cases:worklist"), {"motivo": "todos"})
    items = response.context["page"].object_list
    assert [i.employer.legal_name for i in items] == ["Gran Deudor", world.own.legal_name]
    top = items[0]
    parts = {p.label: p.points for p in top.parts}
    assert parts["Deuda exigible"] == 18 and parts["Meses en mora"] == 20 and parts["Días sin contacto"] == 15
    assert top.score == sum(parts.values())
    assert top.reason_labels == ["En mora sin expediente"]
    assert items[1].reason_labels == ["Expediente nuevo"]
    content = response.content.decode()
    assert "¿Cómo se calcula la prioridad?" in content and world.colleague.legal_name not in content


def test_worklist_counts_only_the_overdue_debt(client, world):
    """Only the saldo exigible ranks and lists an employer; what is not yet due is shown, adds nothing.

    - `own` owes $1,000.00 overdue and $9,000.00 not yet due, with a case: 1,000 / 500 = 2 points.
    - `only_current` owes $50,000.00, all of it not yet due, and has no case: not in arrears, so it
      is not on the list at all (before this rule it topped it with the full 30 points).
    """
    from cobranza.portfolio.models import Assignment
    from tests.factories import EmployerFactory

    only_current = EmployerFactory(legal_name="Al Día S.A.", branch=world.branches.ss)
    Assignment.objects.create(employer=only_current, collector=world.users.gestor1, reason="prueba")
    _snapshot(only_current, "0.00", 0, current="50000.00")
    _snapshot(world.own, "1000.00", 2, current="9000.00")
    services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    response = client.get(reverse("cases:worklist"), {"motivo": "todos"})
    items = response.context["page"].object_list
    assert [i.employer for i in items] == [world.own]
    debt = next(p for p in items[0].parts if p.label == "Deuda exigible")
    assert (debt.value, debt.points, debt.note) == ("$1,000.00", 2, "corriente $9,000.00")
    content = response.content.decode()
    assert "corriente $9,000.00" in content and "Al Día S.A." not in content
    assert "lo corriente (aún no vencido) no suma" in content


def test_worklist_filters_due_and_search(client, in_arrears):
    world = in_arrears
    case = services.case_for_employer(employer=world.own)
    CaseFile.objects.filter(pk=case.pk).update(
        next_action_on=timezone.localdate() - timedelta(days=2), state="in_collection"
    )
    client.force_login(world.users.gestor1)
    overdue = client.get(reverse("cases:worklist"), {"motivo": "overdue"}).context["page"].object_list
    assert [i.employer for i in overdue] == [world.own] and overdue[0].reason_labels == ["Gestión vencida"]
    assert not client.get(reverse("cases:worklist"), {"motivo": "today"}).context["page"].object_list
    assert not client.get(reverse("cases:worklist"), {"q": "no existe"}).context["page"].object_list
    assert client.get(reverse("cases:worklist"), {"q": "nandu"}).context["page"].object_list


def test_worklist_costs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    from cobranza.portfolio.models import Assignment
    from tests.factories import EmployerFactory

    client.force_login(world.users.gestor1)
    client.get(reverse("cases:worklist"))  # warm caches (policy parsing)

    def grow(n):
        for _ in range(n):
            employer = EmployerFactory(branch=world.branches.ss)
            Assignment.objects.create(employer=employer, collector=world.users.gestor1, reason="prueba")
            _snapshot(employer, Decimal("1000.00"), 3)
            case = services.case_for_employer(employer=employer)
            CollectionAction.objects.create(case=case, kind="call", outcome=ActionOutcome.objects.first())

    grow(3)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("cases:worklist"), {"motivo": "todos"})
    grow(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("cases:worklist"), {"motivo": "todos"})
    assert response.context["page"].paginator.count == 33


# -- letters in batch ------------------------------------------------------------------------------


def test_letter_batch_pages_show_progress_until_done(client, in_arrears):
    world = in_arrears
    _snapshot(world.own, Decimal("300.00"), 3)
    client.force_login(world.users.gestor1)
    form = client.get(reverse("cases:letter_batch_new")).content.decode()
    assert world.own.employer_number in form and world.colleague.employer_number not in form
    response = client.post(
        reverse("cases:letter_batch_new"), {"employer": [world.own.pk], "letter_type": "first_notice"}
    )
    batch_url = response["Location"]
    page = client.get(batch_url).content.decode()
    assert "0 de 1" in page and "hx-post" in page
    step = client.post(batch_url + "avanzar/").content.decode()
    assert "1 de 1" in step and "Lote terminado" in step and "Generada" in step
    client.force_login(world.users.gestor2)
    assert client.get(batch_url).status_code == 404  # someone else's batch


# -- report ----------------------------------------------------------------------------------------


def test_results_report_counts_and_recovered_amounts(client, in_arrears):
    """Recovered per SPEC §9: `own` owes 2024-01 and 2024-02 ($105.00 each, overdue since 14/02 and
    14/03/2024), held by gestor1 since today. A $50.00 payment 400 days ago went to 2024-01 but nobody
    held the employer then: not credited. Today's $120.50 pays 2024-01's other $55.00 of contribution,
    then its surcharge and 2024-02 — all overdue today: $120.50 recovered, credited to gestor1."""
    from tests.factories import PaymentFactory

    world = in_arrears
    today = timezone.localdate()
    case = services.case_for_employer(employer=world.own)
    services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind="call",
        outcome=ActionOutcome.objects.get(name="No contesta"),
    )
    PaymentFactory(employer=world.own, paid_on=today, amount=Decimal("120.50"))
    PaymentFactory(
        employer=world.own, paid_on=today - timedelta(days=400), amount=Decimal("50.00")
    )  # before anyone held the employer
    services.case_for_employer(employer=world.elsewhere)
    client.force_login(world.users.jefe_sucursal)
    response = client.get(
        reverse("cases:report"), {"desde": f"01/01/{today.year - 2}", "hasta": today.strftime("%d/%m/%Y")}
    )
    report = response.context["report"]
    assert report.collectors == ["gestor1"]  # the Santa Ana case is outside the branch head's scope
    assert report.cases["gestor1"]["in_collection"] == 1
    assert report.actions["gestor1"]["No contesta"] == 1
    assert report.total_recovered == Decimal("120.50")
    content = response.content.decode()
    assert "$120.50" in content and "chart-data" in content
    xlsx = client.get(reverse("cases:report_xlsx"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(reverse("cases:report_pdf"))
    assert pdf.content.startswith(b"%PDF")


def test_results_report_shows_each_portfolio_overdue_and_current_apart(client, world):
    """The portfolio table of the head's report reads the snapshots: gestor1's `own` owes $700.00
    overdue and $300.00 not yet due; gestor2's `colleague` owes $450.00, none of it due yet (not in
    arrears); Santa Ana's employer is outside the branch head's scope."""
    from openpyxl import load_workbook

    _snapshot(world.own, "700.00", 2, current="300.00")
    _snapshot(world.colleague, "0.00", 0, current="450.00")
    _snapshot(world.elsewhere, "9999.00", 5)
    client.force_login(world.users.jefe_sucursal)
    response = client.get(reverse("cases:report"))
    report = response.context["report"]
    assert [(r.collector, r.employers, r.in_arrears, r.overdue, r.current) for r in report.portfolio] == [
        ("gestor1", 1, 1, Decimal("700.00"), Decimal("300.00")),
        ("gestor2", 1, 0, Decimal("0.00"), Decimal("450.00")),
    ]
    total = report.portfolio_total
    assert (total.in_arrears, total.overdue, total.current) == (1, Decimal("700.00"), Decimal("750.00"))
    content = response.content.decode()
    assert "Saldo exigible" in content and "Saldo corriente (no vencido)" in content
    assert "$700.00" in content and "$750.00" in content and "$9,999.00" not in content
    sheet = load_workbook(BytesIO(client.get(reverse("cases:report_xlsx")).content))["Cartera"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=6)]
    assert rows[0] == [
        "Gestor",
        "Patronos con saldo",
        "En mora",
        "Saldo exigible",
        "Saldo corriente (no vencido)",
    ]
    assert rows[1] == ["gestor1", 1, 1, Decimal("700.00"), Decimal("300.00")]
    assert rows[3] == ["Total", 2, 1, Decimal("700.00"), Decimal("750.00")]
    assert sheet["D4"].number_format == '"$"#,##0.00'
    assert client.get(reverse("cases:report_pdf")).content.startswith(b"%PDF")


def test_admin_edits_outcomes_and_letter_texts_with_known_placeholders(client, world):
    from cobranza.cases.models import LetterTemplate

    client.force_login(world.users.admin)
    assert client.get(reverse("admin:cases_actionoutcome_changelist")).status_code == 200
    template = LetterTemplate.objects.get(letter_type="first_notice")
    url = reverse("admin:cases_lettertemplate_change", args=[template.pk])
    data = {
        "letter_type": "first_notice",
        "subject": "Aviso",
        "reply_days": 10,
        "body": "Hola {razon_social} {desconocido}",
    }
    response = client.post(url, data)
    assert (
        response.status_code == 200 and "Marcadores desconocidos: {desconocido}" in response.content.decode()
    )
    response = client.post(url, {**data, "body": "Hola {razon_social}, debe {saldo_total}."})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Hola {razon_social}, debe {saldo_total}."
    assert client.get(reverse("admin:cases_casefile_changelist")).status_code == 200


# -- case states follow the facts (issue 9, item 7) ----------------------------------------------

STATE_CHANGERS = CASE_STATE_CHANGERS


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_may_change_a_case_state(client, world, role):
    """Only the portfolio's collector and the heads: the form is shown to them alone, and a POST by
    anyone else is 403 (404 when the employer is not visible)."""
    case = services.case_for_employer(employer=world.own)
    client.force_login(getattr(world.users, role))
    visible = "own" in VISIBLE[role]
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == (200 if visible else 404)
    if visible:
        content = page.content.decode()
        assert ('data-testid="transition-form"' in content) == (role in STATE_CHANGERS), role
    response = client.post(
        reverse("cases:change_state", args=[case.pk]),
        {"estado-to_state": "in_collection", "estado-reason": "llamé"},
    )
    case.refresh_from_db()
    if not visible:
        assert response.status_code == 404
    elif role in STATE_CHANGERS:
        assert response.status_code == 302 and case.state == "in_collection", role
    else:
        assert response.status_code == 403 and case.state == "open", role


@pytest.mark.parametrize("state", ["agreement", "fulfilled", "lapsed"])
def test_the_form_never_offers_the_agreement_states(client, world, state):
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.jefe)
    content = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    form = content.split('data-testid="transition-form"')[1].split("</form>")[0]
    assert "En gestión de cobro" in form and "Cerrado" in form
    assert f'value="{state}"' not in form


@pytest.mark.parametrize("user", ["jefe", "gestor1"])
def test_a_manual_post_to_set_fulfilled_is_refused(client, world, user):
    """«Convenio cumplido» with no agreement fulfilled: the head's results report can no longer count
    a state the facts contradict, because nobody can set it by hand."""
    from cobranza.cases.reports import results_report
    from cobranza.common.models import AuditEvent

    case = services.case_for_employer(employer=world.own)
    CaseFile.objects.filter(pk=case.pk).update(state="agreement")  # as if an agreement were signed
    client.force_login(getattr(world.users, user))
    response = client.post(
        reverse("cases:change_state", args=[case.pk]),
        {"estado-to_state": "fulfilled", "estado-reason": "ya pagó"},
    )
    assert response.status_code == 400
    assert (
        "«Convenio cumplido» no se asigna a mano: el expediente pasa a ese estado cuando el convenio "
        "de pago tiene todas sus cuotas pagadas." in response.content.decode()
    )
    case.refresh_from_db()
    assert case.state == "agreement"
    assert not AuditEvent.objects.filter(action="case.transition").exists()
    with pytest.raises(Exception, match="no se asigna a mano"):
        services.case_transition(actor=world.users.jefe, case=case, to_state="fulfilled", reason="ya pagó")
    today = timezone.localdate()
    report = results_report(user=world.users.jefe, date_from=today, date_to=today)
    assert sum(counts.get("fulfilled", 0) for counts in report.cases.values()) == 0


def test_case_page_links_to_the_employers_payment_options(client, world):
    case = services.case_for_employer(employer=world.own)
    client.force_login(world.users.gestor1)
    content = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    link = reverse("agreements:options", args=[world.own.employer_number])
    assert f'href="{link}" data-testid="case-payment-options"' in content
    assert "Opciones de pago" in content
    assert client.get(link).status_code == 200
