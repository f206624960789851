"""Case services: opening, the state table, documents, actions, promises, review, letters."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import product
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cobranza.cases import services
from cobranza.cases.models import (
    AGREEMENT_STATES,
    CASE_TRANSITIONS,
    MANUAL_TRANSITIONS,
    REFERRAL_MOVES,
    ActionKind,
    ActionOutcome,
    CaseDocument,
    CaseFile,
    CaseState,
    CollectionAction,
    PaymentPromise,
    PromiseStatus,
    ReviewStatus,
)
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from tests.cases.conftest import JPG_BYTES, PDF_BYTES, PNG_BYTES, office_bytes
from tests.factories import DeclarationFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def outcome(name="Contactado, promete pagar"):
    return ActionOutcome.objects.get(name=name)


def make_case(world, state=CaseState.OPEN, employer=None):
    employer = employer or world.own
    return CaseFile.objects.create(
        employer=employer, state=state, close_reason="paid" if state == CaseState.CLOSED else ""
    )


# -- opening ----------------------------------------------------------------------------------


def test_case_for_employer_opens_one_case_and_returns_it_again(world):
    assert services.case_for_employer(employer=world.own, actor=world.users.gestor1, create=False) is None
    case = services.case_for_employer(employer=world.own, actor=world.users.gestor1)
    assert case.state == CaseState.OPEN
    assert case.collector == world.users.gestor1
    assert case.opened_by == world.users.gestor1
    again = services.case_for_employer(employer=world.own, actor=world.users.gestor1)
    assert again.pk == case.pk
    assert CaseFile.objects.filter(employer=world.own).count() == 1
    assert (
        AuditEvent.objects.filter(action="case.opened", employer_number=world.own.employer_number).count()
        == 1
    )


def test_a_closed_case_lets_a_new_one_open(world):
    closed = make_case(world, CaseState.CLOSED)
    case = services.case_for_employer(employer=world.own)
    assert case.pk != closed.pk and case.state == CaseState.OPEN


def test_case_for_employer_refuses_an_employer_the_actor_does_not_see(world):
    with pytest.raises(ApplicationError, match="No tiene acceso"):
        services.case_for_employer(employer=world.colleague, actor=world.users.gestor1)
    assert not CaseFile.objects.exists()


def test_service_desk_cannot_open_cases(world):
    with pytest.raises(ApplicationError, match="no permite abrir"):
        services.case_for_employer(employer=world.own, actor=world.users.atencion)


# -- state table ------------------------------------------------------------------------------


@pytest.mark.parametrize("from_state,to_state", list(product(CaseState.values, CaseState.values)))
def test_transition_table(world, from_state, to_state):
    """By hand, a head makes exactly the moves of MANUAL_TRANSITIONS; the agreement's states never."""
    case = make_case(world, from_state)
    allowed = to_state in MANUAL_TRANSITIONS[from_state]
    referral_move = (from_state, to_state) in REFERRAL_MOVES  # the judicial referral's (issue 11)
    assert allowed == (
        to_state in CASE_TRANSITIONS[from_state] and to_state not in AGREEMENT_STATES and not referral_move
    )
    close_reason = "paid" if to_state == CaseState.CLOSED else None
    if allowed:
        services.case_transition(
            actor=world.users.jefe, case=case, to_state=to_state, reason="prueba", close_reason=close_reason
        )
        case.refresh_from_db()
        assert case.state == to_state
        event = AuditEvent.objects.get(action="case.transition", object_id=str(case.pk))
        assert event.before == {"state": from_state} and event.after["state"] == to_state
    else:
        refusal = (
            "no se asigna a mano"
            if to_state in AGREEMENT_STATES or to_state == CaseState.REFERRED_TO_LEGAL and referral_move
            else "solo cuando la unidad jurídica"
            if referral_move
            else "no puede pasar"
        )
        with pytest.raises(ApplicationError, match=refusal):
            services.case_transition(
                actor=world.users.jefe,
                case=case,
                to_state=to_state,
                reason="prueba",
                close_reason=close_reason,
            )
        case.refresh_from_db()
        assert case.state == from_state
        assert not AuditEvent.objects.filter(action="case.transition").exists()


def agreement_in(world, state, employer=None, number="CP-000001"):
    """What the cases app reads of an agreement (it does not import the agreements app)."""
    from types import SimpleNamespace

    return SimpleNamespace(number=number, state=state, employer_id=(employer or world.own).pk)


@pytest.mark.parametrize(
    "state,label,rule",
    [
        ("agreement", "En convenio de pago", "se recibe la prima"),
        ("fulfilled", "Convenio cumplido", "todas sus cuotas pagadas"),
        ("lapsed", "Convenio incumplido", "se declara incumplido"),
    ],
)
def test_agreement_states_are_never_set_by_hand(world, state, label, rule):
    case = make_case(world, CaseState.IN_COLLECTION)
    for actor in (world.users.jefe, world.users.gestor1, world.users.admin):
        with pytest.raises(ApplicationError) as error:
            services.case_transition(actor=actor, case=case, to_state=state, reason="a mano")
        assert (
            error.value.message.startswith(f"«{label}» no se asigna a mano") and rule in error.value.message
        )
    case.refresh_from_db()
    assert case.state == CaseState.IN_COLLECTION
    assert not AuditEvent.objects.filter(action="case.transition").exists()


def test_the_case_follows_its_agreement_signed_lapsed_renegotiated_fulfilled(world):
    case = make_case(world, CaseState.IN_COLLECTION)
    for agreement_state, case_state in (
        ("active", "agreement"),
        ("lapsed", "lapsed"),
        ("active", "agreement"),
        ("fulfilled", "fulfilled"),
    ):
        services.case_follow_agreement(
            actor=None, case=case, agreement=agreement_in(world, agreement_state), reason="convenio"
        )
        assert case.state == case_state
    events = AuditEvent.objects.filter(action="case.transition").order_by("id")
    assert [e.after["state"] for e in events] == ["agreement", "lapsed", "agreement", "fulfilled"]
    assert all(e.after["agreement"] == "CP-000001" for e in events)
    # the same state again changes nothing
    services.case_follow_agreement(
        actor=None, case=case, agreement=agreement_in(world, "fulfilled"), reason="x"
    )
    assert events.count() == 4


def test_the_case_follows_only_a_real_agreement_of_its_employer(world):
    case = make_case(world, CaseState.IN_COLLECTION)
    with pytest.raises(ApplicationError, match="no es del patrono"):
        services.case_follow_agreement(
            actor=None,
            case=case,
            agreement=agreement_in(world, "active", employer=world.colleague),
            reason="x",
        )
    for state in ("draft", "approved", "cancelled", "expired"):
        with pytest.raises(ApplicationError, match="no está vigente, cumplido ni incumplido"):
            services.case_follow_agreement(
                actor=None, case=case, agreement=agreement_in(world, state), reason="x"
            )
    # the workflow still holds: an in-collection case cannot jump to fulfilled
    with pytest.raises(ApplicationError, match="no puede pasar"):
        services.case_follow_agreement(
            actor=None, case=case, agreement=agreement_in(world, "fulfilled"), reason="x"
        )
    case.refresh_from_db()
    assert case.state == CaseState.IN_COLLECTION


def test_a_case_under_agreement_has_no_manual_move(world):
    case = make_case(world, CaseState.AGREEMENT)
    assert case.manual_transitions() == []
    with pytest.raises(ApplicationError, match="Su estado cambia solo con el convenio de pago"):
        services.case_transition(
            actor=world.users.jefe, case=case, to_state="closed", reason="x", close_reason="uncollectible"
        )


@pytest.mark.parametrize("role", ["callcenter", "juridico", "atencion", "otras"])
def test_only_the_portfolio_collector_and_heads_change_states(world, role):
    case = make_case(world, CaseState.OPEN)
    with pytest.raises(ApplicationError, match="Solo el gestor de cobros del patrono o una jefatura"):
        services.case_transition(
            actor=getattr(world.users, role), case=case, to_state="in_collection", reason="x"
        )
    with pytest.raises(ApplicationError, match="No tiene acceso"):  # another collector's employer
        services.case_transition(actor=world.users.gestor2, case=case, to_state="in_collection", reason="x")
    services.case_transition(actor=world.users.gestor1, case=case, to_state="in_collection", reason="llamé")
    assert case.state == CaseState.IN_COLLECTION


def test_legal_cannot_close_a_referred_case_any_more(world):
    case = make_case(world, CaseState.REFERRED_TO_LEGAL)
    with pytest.raises(ApplicationError, match="Solo el gestor de cobros del patrono o una jefatura"):
        services.case_transition(
            actor=world.users.juridico, case=case, to_state="closed", reason="x", close_reason="uncollectible"
        )
    with pytest.raises(ApplicationError, match="Solo una jefatura"):
        services.case_transition(
            actor=world.users.gestor1, case=case, to_state="closed", reason="x", close_reason="uncollectible"
        )
    services.case_transition(
        actor=world.users.jefe,
        case=case,
        to_state="closed",
        reason="sin bienes",
        close_reason="uncollectible",
    )
    assert case.state == CaseState.CLOSED and case.close_reason == "uncollectible"


def test_closing_as_paid_needs_the_debt_in_arrears_at_zero(in_arrears, settings):
    from cobranza.ledger.selectors import statement_for_employer

    world = in_arrears
    settings.COBRANZA_BUSINESS_DATE = date(2024, 6, 30)
    owed = statement_for_employer(world.own, date(2024, 6, 30)).totals.overdue_cents
    assert owed > 0
    case = make_case(world, CaseState.IN_COLLECTION)
    with pytest.raises(ApplicationError) as error:
        services.case_transition(
            actor=world.users.jefe, case=case, to_state="closed", reason="pagó", close_reason="paid"
        )
    assert error.value.message == (
        f"No se puede cerrar el expediente {case.code} como pagado: el patrono adeuda "
        f"${owed // 100:,}.{owed % 100:02d} exigibles al 30/06/2024."
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_COLLECTION
    # uncollectible is a head's decision whatever is owed
    services.case_transition(
        actor=world.users.jefe, case=case, to_state="closed", reason="quiebra", close_reason="uncollectible"
    )
    assert case.state == CaseState.CLOSED


def test_closing_needs_a_reason_and_a_head(world):
    case = make_case(world, CaseState.IN_COLLECTION)
    with pytest.raises(ApplicationError, match="motivo de cierre"):
        services.case_transition(actor=world.users.jefe, case=case, to_state="closed", reason="pagó")
    with pytest.raises(ApplicationError, match="Solo una jefatura"):
        services.case_transition(
            actor=world.users.gestor1, case=case, to_state="closed", reason="pagó", close_reason="paid"
        )
    with pytest.raises(ApplicationError, match="solo se indica al cerrar"):
        services.case_transition(
            actor=world.users.jefe,
            case=make_case(world, CaseState.OPEN, employer=world.colleague),
            to_state="in_collection",
            reason="x",
            close_reason="paid",
        )
    # referring is not a manual move any more (issue 11): the judicial referral does it
    with pytest.raises(ApplicationError, match="no se asigna a mano: solicite la remisión"):
        services.case_transition(actor=world.users.jefe, case=case, to_state="referred_to_legal", reason="x")
    services.case_transition(
        actor=world.users.jefe, case=case, to_state="closed", reason="pagó", close_reason="paid"
    )
    case.refresh_from_db()
    assert case.state == "closed" and case.close_reason == "paid" and case.closed_at is not None


def test_transition_needs_a_reason_and_a_known_state(world):
    case = make_case(world)
    with pytest.raises(ApplicationError, match="motivo"):
        services.case_transition(actor=world.users.gestor1, case=case, to_state="in_collection", reason=" ")
    with pytest.raises(ApplicationError, match="desconocido"):
        services.case_transition(actor=world.users.gestor1, case=case, to_state="archivado", reason="x")


# -- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,extension,content_type",
    [
        (PDF_BYTES, "pdf", "application/pdf"),
        (PNG_BYTES, "png", "image/png"),
        (JPG_BYTES, "jpg", "image/jpeg"),
        (
            office_bytes("word"),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (office_bytes("xl"), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_documents_are_typed_by_content_and_stored_outside_the_database(
    world, media_root, content, extension, content_type
):
    case = make_case(world)
    document = services.document_store(
        actor=world.users.gestor1,
        case=case,
        content=content,
        filename="../../aviso firmado.bin",
        doc_type="proof_of_delivery",
        title="Constancia",
    )
    assert document.content_type == content_type
    assert document.file.name.endswith(f".{extension}")
    assert document.original_name == "aviso firmado.bin"
    stored = Path(media_root) / document.file.name
    assert stored.read_bytes() == content
    assert document.uploaded_by == world.users.gestor1 and document.size == len(content)
    assert AuditEvent.objects.filter(action="case.document_stored", object_id=str(document.pk)).exists()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "vacío"),
        (b"MZ\x90\x00 programa", "no admitido"),
        (b"texto plano, no es un PDF", "no admitido"),
        (office_bytes("ppt"), "no admitido"),
        (b"PK\x03\x04 roto", "no admitido"),
        (b"%PDF" + b"0" * (20 * 1024 * 1024), "máximo es 20 MB"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(world, media_root, content, message):
    case = make_case(world)
    with pytest.raises(ApplicationError, match=message):
        services.document_store(
            actor=world.users.gestor1,
            case=case,
            content=content,
            filename="x.pdf",
            doc_type="other",
            title="X",
        )
    assert not CaseDocument.objects.exists()
    assert not any(p.is_file() for p in Path(media_root).rglob("*"))


def test_documents_refused_on_closed_case_unknown_type_or_hidden_employer(world):
    closed = make_case(world, CaseState.CLOSED)
    with pytest.raises(ApplicationError, match="cerrado"):
        services.document_store(
            actor=world.users.gestor1,
            case=closed,
            content=PDF_BYTES,
            filename="a.pdf",
            doc_type="other",
            title="A",
        )
    case = make_case(world)
    with pytest.raises(ApplicationError, match="Tipo de documento desconocido"):
        services.document_store(
            actor=world.users.gestor1,
            case=case,
            content=PDF_BYTES,
            filename="a.pdf",
            doc_type="zzz",
            title="A",
        )
    with pytest.raises(ApplicationError, match="No tiene acceso"):
        services.document_store(
            actor=world.users.gestor2,
            case=case,
            content=PDF_BYTES,
            filename="a.pdf",
            doc_type="other",
            title="A",
        )
    assert not CaseDocument.objects.exists()


# -- actions and promises ---------------------------------------------------------------------


def test_first_action_puts_the_case_in_collection_and_sets_the_next_date(in_arrears):
    world = in_arrears
    case = make_case(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    action = services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind=ActionKind.CALL,
        outcome=outcome("No contesta"),
        contact_person="Sra. Pérez",
        notes="Volver a llamar",
        next_action_on=tomorrow,
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_COLLECTION
    assert case.next_action_on == tomorrow
    assert case.last_contact_at is None  # «No contesta» is not a contact
    assert action.review_status == ReviewStatus.PENDING
    assert AuditEvent.objects.filter(action="case.action_recorded", object_id=str(action.pk)).exists()


def test_promise_within_the_debt_is_saved_and_followed_up(in_arrears):
    world = in_arrears
    case = make_case(world)
    promised = timezone.localdate() + timedelta(days=7)
    action = services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind="call",
        outcome=outcome(),
        promise_amount=Decimal("150.00"),
        promise_date=promised,
    )
    promise = action.promise
    assert promise.status == PromiseStatus.PENDING and promise.amount == Decimal("150.00")
    case.refresh_from_db()
    assert case.next_action_on == promised + timedelta(days=1)
    assert case.last_contact_at is not None


@pytest.mark.parametrize(
    "amount,days,message",
    [
        ("100.00", -1, "no puede estar en el pasado"),
        ("1000000.00", 5, "supera la deuda exigible"),
        ("0", 5, "mayor que cero"),
        ("10.001", 5, "dos decimales"),
        ("100.00", None, "monto y fecha"),
    ],
)
def test_bad_promises_are_refused_and_nothing_is_saved(in_arrears, amount, days, message):
    world = in_arrears
    case = make_case(world)
    promise_date = None if days is None else timezone.localdate() + timedelta(days=days)
    with pytest.raises(ApplicationError, match=message):
        services.action_record(
            actor=world.users.gestor1,
            case=case,
            kind="call",
            outcome=outcome(),
            promise_amount=Decimal(amount),
            promise_date=promise_date,
        )
    assert not CollectionAction.objects.exists() and not PaymentPromise.objects.exists()
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_promise_is_refused_when_nothing_is_owed(world):
    case = make_case(world)
    with pytest.raises(ApplicationError, match="no tiene deuda"):
        services.action_record(
            actor=world.users.gestor1,
            case=case,
            kind="call",
            outcome=outcome(),
            promise_amount=Decimal("1.00"),
            promise_date=timezone.localdate(),
        )


def test_actions_refused_on_closed_case_without_outcome_or_in_the_past(in_arrears):
    world = in_arrears
    closed = make_case(world, CaseState.CLOSED)
    with pytest.raises(ApplicationError, match="cerrado"):
        services.action_record(actor=world.users.gestor1, case=closed, kind="call", outcome=outcome())
    case = make_case(world)
    with pytest.raises(ApplicationError, match="resultado"):
        services.action_record(actor=world.users.gestor1, case=case, kind="visit", outcome=None)
    with pytest.raises(ApplicationError, match="anterior a hoy"):
        services.action_record(
            actor=world.users.gestor1,
            case=case,
            kind="call",
            outcome=outcome(),
            next_action_on=timezone.localdate() - timedelta(days=1),
        )
    retired = outcome("Correo rebotado")
    retired.active = False
    retired.save()
    with pytest.raises(ApplicationError, match="ya no está en uso"):
        services.action_record(actor=world.users.gestor1, case=case, kind="email", outcome=retired)
    with pytest.raises(ApplicationError, match="no permite registrar"):
        services.action_record(actor=world.users.atencion, case=case, kind="call", outcome=outcome())
    assert not CollectionAction.objects.exists()


def _promise(world, made_on, promised_on, amount="150.00"):
    """A promise on world.own, which owes 2023-10 to 2023-12 ($105.00 of contribution each, plus
    surcharge: more than any payment below), so every payment in the window goes to arrears."""
    for period in ("2023-10", "2023-11", "2023-12"):
        DeclarationFactory(employer=world.own, period=period, filed_on=date(2024, 1, 2))
    case = CaseFile.objects.filter(employer=world.own).exclude(state="closed").first() or make_case(world)
    action = CollectionAction.objects.create(case=case, kind="call", outcome=outcome())
    return PaymentPromise.objects.create(
        action=action, case=case, amount=Decimal(amount), made_on=made_on, promised_on=promised_on
    )


def test_promise_kept_when_payments_in_the_window_reach_the_amount(world):
    promise = _promise(world, date(2024, 3, 1), date(2024, 3, 10))
    PaymentFactory(employer=world.own, paid_on=date(2024, 2, 28), amount=Decimal("50.00"))  # before: ignored
    PaymentFactory(employer=world.own, paid_on=date(2024, 3, 5), amount=Decimal("100.00"))
    PaymentFactory(employer=world.own, paid_on=date(2024, 3, 12), amount=Decimal("50.00"))  # inside the grace
    PaymentFactory(
        employer=world.colleague, paid_on=date(2024, 3, 5), amount=Decimal("900.00")
    )  # other employer
    assert services.promises_evaluate(as_of=date(2024, 3, 8))["kept"] == 0
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.PENDING and promise.paid_amount == Decimal("100.00")
    changed = services.promises_evaluate(as_of=date(2024, 3, 20))
    promise.refresh_from_db()
    assert changed["kept"] == 1
    assert promise.status == PromiseStatus.KEPT and promise.paid_amount == Decimal("150.00")
    assert AuditEvent.objects.filter(action="case.promise_evaluated", object_id=str(promise.pk)).exists()


def test_promise_broken_after_the_date_and_grace(world):
    promise = _promise(world, date(2024, 3, 1), date(2024, 3, 10))
    PaymentFactory(employer=world.own, paid_on=date(2024, 3, 5), amount=Decimal("149.99"))
    PaymentFactory(employer=world.own, paid_on=date(2024, 3, 20), amount=Decimal("500.00"))  # too late
    services.promises_evaluate(as_of=date(2024, 3, 13))  # last day of the 3-day grace
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.PENDING
    assert services.promises_evaluate(as_of=date(2024, 3, 14))["broken"] == 1
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN


def test_a_late_imported_payment_turns_a_broken_promise_kept(world):
    promise = _promise(world, date(2024, 3, 1), date(2024, 3, 10))
    services.promises_evaluate(as_of=date(2024, 4, 1))
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN
    PaymentFactory(employer=world.own, paid_on=date(2024, 3, 9), amount=Decimal("150.00"))
    services.promises_evaluate(as_of=date(2024, 4, 2))
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT


def test_promises_check_command(world, capsys):
    from django.core.management import call_command

    _promise(world, date(2024, 3, 1), date(2024, 3, 10))
    call_command("promises", "check", "--as-of", "2024-04-01")
    assert "incumplidas: 1" in capsys.readouterr().out
    assert PaymentPromise.objects.get().status == PromiseStatus.BROKEN


# -- review -----------------------------------------------------------------------------------


def test_heads_review_or_return_actions_of_their_scope(in_arrears):
    world = in_arrears
    case = make_case(world)
    action = services.action_record(actor=world.users.gestor1, case=case, kind="call", outcome=outcome())
    with pytest.raises(ApplicationError, match="Solo una jefatura"):
        services.action_review(actor=world.users.gestor1, action=action, decision="reviewed", comment="")
    with pytest.raises(ApplicationError, match="por qué"):
        services.action_review(
            actor=world.users.jefe_sucursal, action=action, decision="returned", comment=""
        )
    services.action_review(
        actor=world.users.jefe_sucursal, action=action, decision="returned", comment="Falta el contacto"
    )
    action.refresh_from_db()
    assert action.review_status == ReviewStatus.RETURNED and action.reviewed_by == world.users.jefe_sucursal
    services.action_resubmit(actor=world.users.gestor1, action=action, answer="Contacto: Sra. Pérez")
    action.refresh_from_db()
    assert action.review_status == ReviewStatus.PENDING and "Sra. Pérez" in action.notes
    services.action_review(actor=world.users.jefe, action=action, decision="reviewed", comment="Bien")
    action.refresh_from_db()
    assert action.review_status == ReviewStatus.REVIEWED


def test_branch_head_cannot_review_another_branch(in_arrears):
    world = in_arrears
    case = make_case(world, employer=world.elsewhere)
    action = CollectionAction.objects.create(case=case, kind="call", outcome=outcome())
    with pytest.raises(ApplicationError, match="No tiene acceso"):
        services.action_review(
            actor=world.users.jefe_sucursal, action=action, decision="reviewed", comment=""
        )


# -- letters ----------------------------------------------------------------------------------


def test_first_notice_stores_a_pdf_and_records_a_letter_action(in_arrears, media_root):
    world = in_arrears
    case = make_case(world)
    action = services.letter_generate(actor=world.users.gestor1, case=case, letter_type="first_notice")
    assert action.kind == ActionKind.LETTER
    document = action.document
    assert document.doc_type == "notice" and document.content_type == "application/pdf"
    assert (Path(media_root) / document.file.name).read_bytes().startswith(b"%PDF")
    assert action.next_action_on > timezone.localdate()
    assert "Primer aviso de cobro generado" in action.notes
    case.refresh_from_db()
    assert case.state == CaseState.IN_COLLECTION


def test_no_letter_without_debt(world):
    case = make_case(world)
    with pytest.raises(ApplicationError, match="no tiene deuda"):
        services.letter_generate(actor=world.users.gestor1, case=case, letter_type="first_notice")
    assert not CaseDocument.objects.exists()


def test_letter_batch_reports_each_employer(in_arrears):
    world = in_arrears
    batch = services.letter_batch_create(
        actor=world.users.jefe,
        employers=[world.own, world.colleague, world.elsewhere],
        letter_type="second_notice",
    )
    batch = services.letter_batch_step(actor=world.users.jefe, batch=batch, size=2)
    assert batch.processed == 2 and batch.finished_at is None
    batch = services.letter_batch_step(actor=world.users.jefe, batch=batch, size=2)
    assert batch.processed == 3 and batch.finished_at is not None
    by_number = {r["employer_number"]: r for r in batch.results}
    assert by_number[world.own.employer_number]["ok"]
    assert by_number[world.colleague.employer_number]["ok"]
    assert not by_number[world.elsewhere.employer_number]["ok"]  # nothing owed
    assert "no tiene deuda" in by_number[world.elsewhere.employer_number]["message"]
    assert CaseDocument.objects.count() == 2


def test_letter_batch_refuses_employers_not_visible(in_arrears):
    world = in_arrears
    with pytest.raises(ApplicationError, match="no son visibles"):
        services.letter_batch_create(
            actor=world.users.gestor1, employers=[world.own, world.colleague], letter_type="first_notice"
        )


def test_broken_promises_reach_the_call_center_list_of_those_who_may_see_them(client, world):
    promise = _promise(world, date(2024, 3, 1), date(2024, 3, 10))
    services.promises_evaluate(as_of=date(2024, 3, 20))
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN
    client.force_login(world.users.callcenter)
    page = client.get(reverse("agreements:call_list")).content.decode()
    assert "Promesas de pago incumplidas" in page
    assert world.own.employer_number in page and "$150.00" in page and "10/03/2024" in page
    client.force_login(world.users.jefe_sucursal)  # same branch: sees it
    assert world.own.employer_number in client.get(reverse("agreements:call_list")).content.decode()
