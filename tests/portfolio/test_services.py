"""Portfolio services: staff users, assignments (one and many), balanced distribution, cover."""

from datetime import date

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.common.roles import Role
from cobranza.portfolio.models import Assignment, Cover, StaffProfile
from cobranza.portfolio.services import (
    assignment_close,
    assignment_create,
    assignments_bulk_create,
    balanced_distribution,
    cover_create,
    portfolio_distribute,
    staff_user_upsert,
)
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def groups(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def open_collector(employer) -> str | None:
    row = Assignment.objects.filter(employer=employer, end__isnull=True).select_related("collector").first()
    return row.collector.username if row else None


# -- staff_user_upsert ---------------------------------------------------------------------------


def test_creates_a_collector_with_branch_password_and_audit(staff):
    user = staff_user_upsert(
        actor=staff.admin,
        username="gestor3",
        password="secreta-123",
        roles=[Role.COLLECTOR],
        branch=staff.sa,
        first_name="Rosa",
        last_name="Mejía",
    )
    assert user.check_password("secreta-123")
    assert groups(user) == {"gestor"}
    assert StaffProfile.objects.get(user=user).branch == staff.sa
    assert (user.is_staff, user.is_superuser) == (False, False)
    event = AuditEvent.objects.get(action="user.created", object_id=str(user.pk))
    assert event.actor == staff.admin
    assert event.before is None
    assert event.after["roles"] == ["gestor"] and event.after["branch"] == "Santa Ana"
    assert event.after["password_changed"] is True


def test_update_replaces_roles_and_branch_and_keeps_the_password(staff):
    staff_user_upsert(
        actor=staff.admin, username="ana", password="uno-dos-tres", roles=[Role.COLLECTOR], branch=staff.ss
    )
    user = staff_user_upsert(
        actor=staff.admin, username="ana", password=None, roles=[Role.BRANCH_HEAD], branch=staff.sa
    )
    assert User.objects.filter(username="ana").count() == 1
    assert groups(user) == {"jefe_sucursal"}
    assert user.staff_profile.branch == staff.sa
    assert user.check_password("uno-dos-tres")
    event = AuditEvent.objects.get(action="user.updated", object_id=str(user.pk))
    assert event.before["roles"] == ["gestor"] and event.after["roles"] == ["jefe_sucursal"]
    assert (event.before["branch"], event.after["branch"]) == ("San Salvador", "Santa Ana")


def test_upsert_without_changes_records_nothing(staff):
    staff_user_upsert(actor=None, username="ana", password="abc-123", roles=[Role.LEGAL], branch=None)
    before = AuditEvent.objects.count()
    staff_user_upsert(actor=None, username="ana", password=None, roles=[Role.LEGAL], branch=None)
    assert AuditEvent.objects.count() == before


def test_administrator_can_be_superuser_and_gets_the_admin_site(staff):
    user = staff_user_upsert(
        actor=None, username="root", password="x-y-z-1", roles=[Role.ADMIN], branch=None, superuser=True
    )
    assert user.is_superuser and user.is_staff


def test_a_precomputed_hash_is_stored_as_is(staff):
    hashed = make_password("demo")
    user = staff_user_upsert(
        actor=None, username="demo1", password=None, password_hash=hashed, roles=[Role.LEGAL], branch=None
    )
    assert user.password == hashed and user.check_password("demo")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"roles": ["cajero"]}, "Rol desconocido: cajero."),
        ({"roles": [Role.BRANCH_HEAD]}, "El jefe de sucursal nuevo necesita una sucursal."),
        ({"roles": [Role.COLLECTOR], "superuser": True}, "Solo un usuario con el rol administrador"),
        ({"username": "  "}, "Indique el nombre de usuario."),
        ({"password": ""}, "La contraseña no puede estar vacía."),
        ({"password_hash": "no-es-un-hash", "password": None}, "El hash de contraseña no es válido."),
        ({"password_hash": "x"}, "Indique la contraseña o su hash, no ambos."),
    ],
)
def test_staff_upsert_refusals(staff, kwargs, message):
    arguments = {
        "actor": staff.admin,
        "username": "nuevo",
        "password": "clave-1234",
        "roles": [Role.COLLECTOR],
        "branch": None,
        **kwargs,
    }
    with pytest.raises(ApplicationError, match=message.replace(".", r"\.")):
        staff_user_upsert(**arguments)
    assert not User.objects.filter(username="nuevo").exists()


def test_only_an_administrator_manages_users(staff):
    with pytest.raises(ApplicationError, match="Solo un administrador"):
        staff_user_upsert(
            actor=staff.jefe, username="otro", password="abc-123", roles=[Role.COLLECTOR], branch=staff.ss
        )
    assert not User.objects.filter(username="otro").exists()


# -- assignment_create ---------------------------------------------------------------------------


def test_assignment_opens_and_is_audited(staff, employer):
    assignment = assignment_create(
        actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="Cartera"
    )
    assert assignment.end is None and assignment.assigned_by == staff.jefe
    assert open_collector(employer) == "gestor1"
    event = AuditEvent.objects.get(action="assignment.created")
    assert event.employer_number == "300000001"
    assert event.object_id == str(assignment.pk)
    assert (event.before, event.after) == ({"collector": None}, {"collector": "gestor1"})
    assert event.reason == "Cartera" and event.actor == staff.jefe


def test_reassignment_closes_the_current_row_and_keeps_history(staff, employer):
    first = assignment_create(actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="Cartera")
    second = assignment_create(actor=staff.jefe, employer=employer, collector=staff.gestor2, reason="Carga")
    first.refresh_from_db()
    assert first.end is not None and second.end is None
    assert open_collector(employer) == "gestor2"
    assert Assignment.objects.filter(employer=employer).count() == 2
    event = AuditEvent.objects.filter(action="assignment.created").order_by("-id").first()
    assert (event.before, event.after) == ({"collector": "gestor1"}, {"collector": "gestor2"})


def test_refuses_a_user_who_is_not_a_collector(staff, employer):
    with pytest.raises(ApplicationError, match=r"^El usuario atencion no es gestor de cobros\.$"):
        assignment_create(actor=staff.jefe, employer=employer, collector=staff.atencion, reason="x")
    assert not Assignment.objects.exists()
    assert not AuditEvent.objects.filter(action="assignment.created").exists()


def test_refuses_an_inactive_collector(staff, employer):
    staff.gestor1.is_active = False
    staff.gestor1.save()
    with pytest.raises(ApplicationError, match="gestor1 no es gestor de cobros"):
        assignment_create(actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="x")


def test_refuses_the_same_collector_twice_and_an_empty_reason(staff, employer):
    with pytest.raises(ApplicationError, match="Indique el motivo"):
        assignment_create(actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="  ")
    assignment_create(actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="Cartera")
    with pytest.raises(ApplicationError, match="ya está asignado a gestor1"):
        assignment_create(actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="Cartera")


def test_branch_head_assigns_only_in_its_branch(staff, employer):
    assignment_create(actor=staff.jefe_sucursal, employer=employer, collector=staff.gestor2, reason="Cartera")
    other = EmployerFactory(branch=staff.sa)
    with pytest.raises(ApplicationError, match="Solo puede asignar patronos de su sucursal"):
        assignment_create(actor=staff.jefe_sucursal, employer=other, collector=staff.gestor_sa, reason="x")


def test_a_collector_cannot_assign(staff, employer):
    with pytest.raises(ApplicationError, match="Solo un jefe o un administrador"):
        assignment_create(actor=staff.gestor1, employer=employer, collector=staff.gestor1, reason="x")


def test_assignment_close_takes_the_employer_out_of_every_portfolio(staff, employer):
    assignment_create(actor=staff.jefe, employer=employer, collector=staff.gestor1, reason="Cartera")
    assignment_close(actor=staff.jefe, employer=employer, reason="Pagó la totalidad")
    assert open_collector(employer) is None
    event = AuditEvent.objects.get(action="assignment.closed")
    assert (event.before, event.after) == ({"collector": "gestor1"}, {"collector": None})
    with pytest.raises(ApplicationError, match="no está asignado"):
        assignment_close(actor=staff.jefe, employer=employer, reason="otra vez")


# -- assignments_bulk_create ---------------------------------------------------------------------


def test_bulk_assigns_thousands_with_few_queries(staff, django_assert_max_num_queries):
    employers = EmployerFactory.create_batch(1200, branch=staff.ss)
    pairs = [(e, staff.gestor1 if i % 2 else staff.gestor2) for i, e in enumerate(employers)]
    # Not one query per employer: a few per chunk of 500, plus the INSERT batches (SQLite caps an
    # INSERT at 999 parameters: ~166 assignments or ~124 audit events each).
    with django_assert_max_num_queries(40):
        created = assignments_bulk_create(actor=staff.jefe, pairs=pairs, reason="Cartera inicial")
    assert len(created) == 1200 and all(a.pk for a in created)
    assert Assignment.objects.filter(end__isnull=True, collector=staff.gestor1).count() == 600
    events = AuditEvent.objects.filter(action="assignment.created")
    assert events.count() == 1200
    sample = events.get(employer_number=employers[1].employer_number)
    assert (sample.before, sample.after, sample.actor) == (
        {"collector": None},
        {"collector": "gestor1"},
        staff.jefe,
    )


def test_bulk_is_idempotent_and_reassigns_with_history(staff):
    employers = EmployerFactory.create_batch(4, branch=staff.ss)
    assignments_bulk_create(actor=None, pairs=[(e, staff.gestor1) for e in employers], reason="Inicial")
    assert (
        assignments_bulk_create(actor=None, pairs=[(e, staff.gestor1) for e in employers], reason="Otra")
        == []
    )
    moved = assignments_bulk_create(
        actor=None, pairs=[(employers[0], staff.gestor2), (employers[1], staff.gestor1)], reason="Balance"
    )
    assert [a.employer for a in moved] == [employers[0]]
    assert open_collector(employers[0]) == "gestor2"
    assert Assignment.objects.filter(employer=employers[0]).count() == 2
    event = AuditEvent.objects.get(action="assignment.created", reason="Balance")
    assert (event.before, event.after) == ({"collector": "gestor1"}, {"collector": "gestor2"})


def test_bulk_refuses_non_collectors_and_repeated_employers(staff, employer):
    with pytest.raises(ApplicationError, match=r"^El usuario atencion no es gestor de cobros\.$"):
        assignments_bulk_create(actor=None, pairs=[(employer, staff.atencion)], reason="x")
    with pytest.raises(ApplicationError, match="aparece más de una vez"):
        assignments_bulk_create(
            actor=None, pairs=[(employer, staff.gestor1), (employer, staff.gestor2)], reason="x"
        )
    assert not Assignment.objects.exists()


# -- distribution --------------------------------------------------------------------------------


def test_balanced_distribution_is_greedy_by_debt(staff):
    employers = EmployerFactory.create_batch(5, branch=staff.ss)
    debts = list(zip(employers, [10_00, 100_00, 40_00, 90_00, 50_00], strict=True))
    pairs = balanced_distribution(debts, [staff.gestor2, staff.gestor1])
    got = {e.pk: c.username for e, c in pairs}
    # 100 → gestor1, 90 → gestor2, 50 → gestor2 (90 < 100), 40 → gestor1 (100 < 140), 10 → gestor1 (tie: name).
    assert [got[employers[i].pk] for i in (1, 3, 4, 2, 0)] == [
        "gestor1",
        "gestor2",
        "gestor2",
        "gestor1",
        "gestor1",
    ]


def test_portfolio_distribute_by_branch(staff):
    ss = EmployerFactory.create_batch(4, branch=staff.ss)
    sa = EmployerFactory.create_batch(2, branch=staff.sa)
    nobody = EmployerFactory(branch__code="morazan", branch__name="Morazán")
    kept = EmployerFactory(branch=staff.ss)
    assignment_create(actor=None, employer=kept, collector=staff.gestor2, reason="Previa")
    debts = [(e, 100_00) for e in ss] + [(e, 5_00) for e in sa] + [(nobody, 1_00), (kept, 999_00)]
    loads = portfolio_distribute(actor=None, debts=debts, reason="Cartera inicial")
    assert {name: (load.employers, load.debt_cents) for name, load in loads.items()} == {
        "gestor1": (2, 200_00),
        "gestor2": (2, 200_00),
        "gestor_sa": (2, 10_00),
    }
    assert {open_collector(e) for e in ss} == {"gestor1", "gestor2"}
    assert open_collector(nobody) is None
    assert open_collector(kept) == "gestor2"
    assert Assignment.objects.filter(employer=kept).count() == 1


# -- cover_create --------------------------------------------------------------------------------


def test_cover_is_created_and_audited(staff):
    cover = cover_create(
        actor=staff.jefe_sucursal,
        absent=staff.gestor1,
        substitute=staff.gestor2,
        start_date=date(2025, 7, 1),
        end_date=date(2025, 7, 15),
        reason="Vacaciones",
    )
    assert Cover.objects.get() == cover
    event = AuditEvent.objects.get(action="cover.created")
    assert event.after == {
        "absent": "gestor1",
        "substitute": "gestor2",
        "start_date": "2025-07-01",
        "end_date": "2025-07-15",
    }


@pytest.mark.parametrize(
    ("absent", "substitute", "start", "end", "reason", "message"),
    [
        ("gestor1", "gestor1", (2025, 7, 1), (2025, 7, 2), "x", "no puede cubrirse a sí mismo"),
        (
            "gestor1",
            "atencion",
            (2025, 7, 1),
            (2025, 7, 2),
            "x",
            "El usuario atencion no es gestor de cobros",
        ),
        (
            "atencion",
            "gestor1",
            (2025, 7, 1),
            (2025, 7, 2),
            "x",
            "El usuario atencion no es gestor de cobros",
        ),
        ("gestor1", "gestor2", (2025, 7, 2), (2025, 7, 1), "x", "no puede ser anterior a la inicial"),
        ("gestor1", "gestor2", (2025, 7, 1), (2025, 7, 2), " ", "Indique el motivo de la suplencia"),
    ],
)
def test_cover_refusals(staff, absent, substitute, start, end, reason, message):
    with pytest.raises(ApplicationError, match=message):
        cover_create(
            actor=staff.jefe,
            absent=getattr(staff, absent),
            substitute=getattr(staff, substitute),
            start_date=date(*start),
            end_date=date(*end),
            reason=reason,
        )
    assert not Cover.objects.exists()


def test_cover_refuses_an_overlap_and_a_collector_actor(staff):
    args = {"absent": staff.gestor1, "substitute": staff.gestor2, "reason": "Incapacidad"}
    cover_create(actor=staff.jefe, start_date=date(2025, 7, 1), end_date=date(2025, 7, 10), **args)
    with pytest.raises(ApplicationError, match="ya cubre a gestor1"):
        cover_create(actor=staff.jefe, start_date=date(2025, 7, 10), end_date=date(2025, 7, 20), **args)
    with pytest.raises(ApplicationError, match="Solo un jefe"):
        cover_create(actor=staff.gestor2, start_date=date(2025, 8, 1), end_date=date(2025, 8, 2), **args)
