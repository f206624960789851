"""A small portfolio where each employer shows one or two discrepancies, as of 30/06/2024
(the last closed period is 2024-05: its payroll was due on 14/06/2024).

* E1 `own` (gestor1): 2024-01 … 2024-05 declared, 2 workers, base $1,000.00, $75.00 + $30.00,
  except 2024-03 whose employer share is $70.00 (rate mismatch of $5.00); each period paid $105.00.
* E2 `colleague` (gestor2): declared 2024-01 and 2024-02 only ($105.00 each, paid), then stopped:
  2024-03 … 2024-05 missing; and a payment P-E2-ABR of $105.00 naming 2024-04 (never declared).
* E3 `elsewhere` (Santa Ana): 2024-01 … 2024-05 declared and paid; 2024-05 paid twice on 10/06/2024
  (P-E3-A, P-E3-B); a payment P-E3-OLD of $50.00 naming 2019-10, before its registration (15/01/2020).
* E4 closed, with an overdue balance of $250.00 (its snapshot).
* E5 closed, with a credit of $80.00 from a payment of 20/05/2023 (more than 6 months ago).
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cobranza.common.roles import Role
from cobranza.hygiene.models import Area
from cobranza.hygiene.services import area_member_set
from tests.factories import (
    DeclarationFactory,
    EmployerFactory,
    PaymentFactory,
    make_balance_snapshot,
    make_user,
)

AS_OF = date(2024, 6, 30)
PERIODS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]


def declare(employer, periods):
    for p in periods:
        DeclarationFactory(employer=employer, period=p, filed_on=date(int(p[:4]), int(p[5:]) + 1, 5))


def pay(employer, periods, amount="105.00", prefix="P"):
    for p in periods:
        PaymentFactory(
            employer=employer,
            payment_id=f"{prefix}-{employer.employer_number}-{p}",
            paid_on=date(int(p[:4]), int(p[5:]) + 1, 10),
            amount=Decimal(amount),
            period=p,
        )


@pytest.fixture
def hyg(world, settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    e1, e2, e3 = world.own, world.colleague, world.elsewhere
    for e in (e1, e2, e3):
        e.registered_on = date(2020, 1, 15)
        e.save()
    for p in PERIODS:
        DeclarationFactory(
            employer=e1,
            period=p,
            filed_on=date(2024, int(p[5:]) + 1, 5),
            employer_contribution=Decimal("70.00" if p == "2024-03" else "75.00"),
        )
    pay(e1, PERIODS)
    declare(e2, PERIODS[:2])
    pay(e2, PERIODS[:2])
    PaymentFactory(
        employer=e2,
        payment_id="P-E2-ABR",
        paid_on=date(2024, 5, 8),
        amount=Decimal("105.00"),
        period="2024-04",
    )
    declare(e3, PERIODS)
    pay(e3, PERIODS[:4])
    for suffix in ("A", "B"):
        PaymentFactory(
            employer=e3,
            payment_id=f"P-E3-{suffix}",
            paid_on=date(2024, 6, 10),
            amount=Decimal("105.00"),
            period="2024-05",
        )
    PaymentFactory(
        employer=e3,
        payment_id="P-E3-OLD",
        paid_on=date(2024, 2, 20),
        amount=Decimal("50.00"),
        period="2019-10",
    )
    e4 = EmployerFactory(
        employer_number="300000004",
        legal_name="Ferretería Cerrada",
        branch=world.branches.ss,
        status="closed",
    )
    make_balance_snapshot(e4, overdue="250.00", as_of=AS_OF)
    e5 = EmployerFactory(
        employer_number="300000005", legal_name="Librería Cerrada", branch=world.branches.ss, status="closed"
    )
    snap = make_balance_snapshot(e5, as_of=AS_OF)
    snap.credit = Decimal("80.00")
    snap.save()
    PaymentFactory(
        employer=e5, payment_id="P-E5-1", paid_on=date(2023, 5, 20), amount=Decimal("80.00"), period=""
    )
    users = SimpleNamespace(
        afiliacion=make_user("afiliacion", Role.OTHER_AREAS),
        contabilidad=make_user("contabilidad", Role.OTHER_AREAS),
        inspeccion=make_user("inspeccion", Role.OTHER_AREAS),
    )
    area_member_set(actor=None, user=users.afiliacion, area=Area.AFILIACION)
    area_member_set(actor=None, user=users.contabilidad, area=Area.CONTABILIDAD)
    area_member_set(actor=None, user=users.inspeccion, area=Area.INSPECCION)
    return SimpleNamespace(world=world, e1=e1, e2=e2, e3=e3, e4=e4, e5=e5, areas=users)
