"""factory_boy factories shared by the app tests."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from cobranza.employers.models import Branch, Employer, Sector
from cobranza.ledger.models import Declaration, Payment
from cobranza.portfolio.models import StaffProfile


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sucursal-{n}")
    name = factory.Sequence(lambda n: f"Sucursal {n}")
    department = "San Salvador"


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = "comercio"
    name = "Comercio"


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    employer_number = factory.Sequence(lambda n: f"{200000000 + n}")
    nit = factory.Sequence(lambda n: f"0614-010190-{n % 1000:03d}-{n % 10}")
    legal_name = factory.Sequence(lambda n: f"Comercial Número {n}, S.A. de C.V.")
    trade_name = factory.Sequence(lambda n: f"Comercial {n}")
    branch = factory.SubFactory(BranchFactory)
    sector = factory.SubFactory(SectorFactory)
    status = "active"


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    employer = factory.SubFactory(EmployerFactory)
    period = "2024-01"
    workers = 2
    salary_base = Decimal("1000.00")
    employer_contribution = Decimal("75.00")
    worker_contribution = Decimal("30.00")
    origin = "employer"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    payment_id = factory.Sequence(lambda n: f"P-{n}")
    employer = factory.SubFactory(EmployerFactory)
    amount = Decimal("105.00")


def make_user(username: str, *roles: str, branch: Branch | None = None, superuser: bool = False) -> User:
    user = User.objects.create_user(
        username=username, password="demo", is_superuser=superuser, is_staff=superuser
    )
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if branch is not None:
        StaffProfile.objects.create(user=user, branch=branch)
    return user


def make_balance_snapshot(
    employer: Employer,
    *,
    overdue: Decimal | str = "0.00",
    current: Decimal | str = "0.00",
    months: int | None = None,
    oldest: str = "",
    worker_share: Decimal | str = "0.00",
    as_of=None,  # type: ignore[no-untyped-def]
):  # type: ignore[no-untyped-def]
    """A balance snapshot as the recompute would write it, all of the debt as contribution:
    `overdue` (saldo exigible) + `current` (not yet due) = outstanding. With something overdue the
    employer has one overdue period, `months` in arrears (default 3) and `oldest` (default 2024-01)."""
    from django.utils import timezone

    from cobranza.ledger.models import BalanceSnapshot, PolicyVersion

    overdue, current = Decimal(overdue), Decimal(current)
    in_arrears = overdue > 0
    return BalanceSnapshot.objects.create(
        employer=employer,
        as_of=as_of or timezone.localdate(),
        policy_version=PolicyVersion.objects.order_by("effective_from").first(),
        contribution_outstanding=overdue + current,
        surcharge_outstanding=Decimal("0.00"),
        fine_outstanding=Decimal("0.00"),
        interest_outstanding=Decimal("0.00"),
        outstanding=overdue + current,
        overdue_outstanding=overdue,
        current_outstanding=current,
        worker_share_outstanding=Decimal(worker_share),
        credit=Decimal("0.00"),
        overdue_periods=1 if in_arrears else 0,
        months_in_arrears=(3 if months is None else months) if in_arrears else 0,
        oldest_unpaid_period=(oldest or "2024-01") if in_arrears else "",
        computed_at=timezone.now(),
    )
