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
