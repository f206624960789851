"""Portfolio pages for heads: who may open them, reassigning one or many employers, cover, and the
balanced assignment of unassigned employers in arrears (which opens their cases)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cobranza.cases.models import CaseFile
from cobranza.common.models import AuditEvent
from cobranza.portfolio.models import Assignment, Cover
from tests.factories import EmployerFactory, make_balance_snapshot
from tests.roles import ALL_ROLES, HEADS

pytestmark = pytest.mark.django_db

PAGES = ["portfolio:index", "portfolio:covers", "portfolio:unassigned"]


def collector_of(employer) -> str | None:
    row = Assignment.objects.filter(employer=employer, end__isnull=True).select_related("collector").first()
    return row.collector.username if row else None


def snapshot(employer, overdue, current="0.00"):
    return make_balance_snapshot(employer, overdue=overdue, current=current, months=4)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_by_role(client, world, role, page):
    client.force_login(getattr(world.users, role))
    assert client.get(reverse(page)).status_code == (200 if role in HEADS else 403), (role, page)


@pytest.mark.parametrize("role", sorted(set(ALL_ROLES) - HEADS))
def test_only_heads_may_post(client, world, role):
    client.force_login(getattr(world.users, role))
    response = client.post(
        reverse("portfolio:reassign"),
        {"employer": [world.own.pk], "collector": world.users.gestor2.pk, "reason": "x"},
    )
    assert response.status_code == 403
    assert client.post(reverse("portfolio:distribute"), {"reason": "x"}).status_code == 403
    assert collector_of(world.own) == "gestor1"


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, world, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_branch_head_sees_its_branch_and_its_collectors(client, world):
    client.force_login(world.users.jefe_sucursal)
    content = client.get(reverse("portfolio:index")).content.decode()
    assert world.own.employer_number in content and world.colleague.employer_number in content
    assert world.elsewhere.employer_number not in content and "gestor_sa" not in content


def test_reassign_one_employer(client, world):
    client.force_login(world.users.jefe)
    response = client.post(
        reverse("portfolio:reassign"),
        {
            "employer": [world.own.pk],
            "collector": world.users.gestor2.pk,
            "reason": "Vacaciones largas de gestor1",
        },
    )
    assert response.status_code == 302
    assert collector_of(world.own) == "gestor2"
    assert AuditEvent.objects.filter(
        action="assignment.created", employer_number=world.own.employer_number
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "1 patrono asignado a gestor2." in page


def test_reassign_many_employers(client, world):
    extra = EmployerFactory(branch=world.branches.ss)
    client.force_login(world.users.jefe_sucursal)
    response = client.post(
        reverse("portfolio:reassign"),
        {
            "employer": [world.own.pk, world.colleague.pk, extra.pk],
            "collector": world.users.gestor1.pk,
            "reason": "Redistribución",
        },
    )
    assert response.status_code == 302
    assert {collector_of(e) for e in (world.own, world.colleague, extra)} == {"gestor1"}


def test_reassign_refusals_change_nothing(client, world):
    client.force_login(world.users.jefe_sucursal)
    url = reverse("portfolio:reassign")
    # to someone who is not a collector
    response = client.post(
        url, {"employer": [world.own.pk], "collector": world.users.callcenter.pk, "reason": "x"}
    )
    assert response.status_code == 400 and "Escoja una opción válida" in response.content.decode()
    # an employer outside the branch head's scope (not even revealed)
    response = client.post(
        url, {"employer": [world.elsewhere.pk], "collector": world.users.gestor2.pk, "reason": "x"}
    )
    assert response.status_code == 400 and "no son de su alcance" in response.content.decode()
    # without reason or selection
    response = client.post(url, {"employer": [], "collector": world.users.gestor2.pk, "reason": ""})
    assert "Seleccione al menos un patrono" in response.content.decode()
    # to the same collector
    response = client.post(
        url, {"employer": [world.own.pk], "collector": world.users.gestor1.pk, "reason": "x"}
    )
    assert "ya está asignado a gestor1" in response.content.decode()
    assert collector_of(world.own) == "gestor1" and collector_of(world.elsewhere) == "gestor_sa"


def test_cover_form(client, world):
    client.force_login(world.users.jefe_sucursal)
    today = timezone.localdate()
    data = {
        "absent": world.users.gestor1.pk,
        "substitute": world.users.gestor2.pk,
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=5)).isoformat(),
        "reason": "Incapacidad",
    }
    response = client.post(reverse("portfolio:covers"), data)
    assert response.status_code == 302
    cover = Cover.objects.get()
    assert cover.substitute == world.users.gestor2 and cover.reason == "Incapacidad"
    # gestor2 now sees gestor1's employer
    client.force_login(world.users.gestor2)
    assert client.get(reverse("employers:detail", args=[world.own.employer_number])).status_code == 200
    client.force_login(world.users.jefe_sucursal)
    again = client.post(reverse("portfolio:covers"), data)
    assert again.status_code == 400 and "ya cubre" in again.content.decode()
    backwards = client.post(
        reverse("portfolio:covers"), {**data, "end_date": (today - timedelta(days=1)).isoformat()}
    )
    assert backwards.status_code == 400 and "anterior a la inicial" in backwards.content.decode()
    assert Cover.objects.count() == 1


def test_unassigned_in_arrears_are_balanced_and_get_cases(client, world):
    # gestor1 already carries a big portfolio; the new employers should go mostly to gestor2
    snapshot(world.own, Decimal("5000.00"))
    new = [EmployerFactory(branch=world.branches.ss) for _ in range(4)]
    for employer, debt in zip(new, ("3000.00", "1000.00", "800.00", "200.00"), strict=True):
        snapshot(employer, Decimal(debt))
    no_debt = EmployerFactory(branch=world.branches.ss)
    other_branch = EmployerFactory(branch=world.branches.sa)
    snapshot(other_branch, Decimal("700.00"))
    client.force_login(world.users.jefe_sucursal)
    preview = client.get(reverse("portfolio:unassigned")).content.decode()
    assert new[0].employer_number in preview and other_branch.employer_number not in preview
    response = client.post(reverse("portfolio:distribute"), {"reason": "Asignación mensual"})
    assert response.status_code == 302
    owners = [collector_of(e) for e in new]
    assert owners[0] == "gestor2"  # the largest debt goes to the lighter portfolio
    assert set(owners) == {"gestor1", "gestor2"}
    assert collector_of(no_debt) is None and collector_of(other_branch) is None
    cases = CaseFile.objects.filter(employer__in=new)
    assert cases.count() == 4 and {c.state for c in cases} == {"open"}
    assert cases.get(employer=new[0]).opening_debt == Decimal("3000.00")
    # nothing left to assign: running it again changes nothing
    client.post(reverse("portfolio:distribute"), {"reason": "Asignación mensual"})
    assert CaseFile.objects.count() == 4


def test_debt_not_yet_due_is_not_arrears_and_weighs_nothing_on_the_workload(client, world):
    """Workload is the overdue (exigible) balance only (SPEC §5, §7).

    gestor1 carries `own`: $100.00 overdue + $20,000.00 not yet due → load $100.00 (was $20,100.00).
    gestor2 carries `colleague`: $900.00 overdue → load $900.00.
    Unassigned: `big_current` owes $8,000.00, all not yet due → not in arrears, not proposed;
    `small` owes $50.00 overdue → proposed to gestor1, the lighter load by overdue debt: share of
    debt plus share of employers after taking it, 150/1,050 + 2/3 = 0.81 against 950/1,050 + 2/3 =
    1.57 (counting the not-yet-due debt, gestor1 would weigh 20,150/21,050 + 2/3 and lose it).
    """
    snapshot(world.own, "100.00", current="20000.00")
    snapshot(world.colleague, "900.00")
    big_current = EmployerFactory(branch=world.branches.ss, legal_name="Solo Corriente S.A.")
    snapshot(big_current, "0.00", current="8000.00")
    small = EmployerFactory(branch=world.branches.ss, legal_name="Mora Chica S.A.")
    snapshot(small, "50.00")
    client.force_login(world.users.jefe_sucursal)

    index = client.get(reverse("portfolio:index"))
    loads = {c.username: load for c, load in index.context["collectors"]}
    assert (loads["gestor1"].overdue, loads["gestor1"].current) == (Decimal("100.00"), Decimal("20000.00"))
    assert loads["gestor2"].overdue == Decimal("900.00")
    content = index.content.decode()
    assert "Exigible de la cartera" in content and "Corriente de la cartera" in content
    assert "$20,000.00" in content

    preview = client.get(reverse("portfolio:unassigned"))
    plans = list(preview.context["plans"])
    assert [(e, c.username, d) for plan in plans for e, c, d in plan.pairs] == [
        (small, "gestor1", Decimal("50.00"))
    ]
    assert "Solo Corriente S.A." not in preview.content.decode()
    client.post(reverse("portfolio:distribute"), {"reason": "Asignación mensual"})
    assert collector_of(small) == "gestor1" and collector_of(big_current) is None
    assert not CaseFile.objects.filter(employer=big_current).exists()
    assert CaseFile.objects.get(employer=small).opening_debt == Decimal("50.00")
