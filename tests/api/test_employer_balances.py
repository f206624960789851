"""The API's employer list and detail carry the last recompute's balance with the overdue (exigible)
and the current (not yet due) parts apart (SPEC §5 "overdue vs current", §11)."""

from datetime import date

import pytest

from cobranza.api.models import ApiToken
from tests.factories import make_balance_snapshot

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=user).key}"}


def test_list_and_detail_show_overdue_and_current(client, world):
    make_balance_snapshot(world.own, overdue="1234.50", current="105.00", as_of=date(2024, 6, 30))
    headers = auth(world.users.jefe)
    items = {i["employer_number"]: i for i in client.get("/api/employers", **headers).json()["items"]}
    own = items[world.own.employer_number]
    assert (
        own["balance_as_of"],
        own["outstanding"],
        own["overdue_outstanding"],
        own["current_outstanding"],
    ) == (
        "2024-06-30",
        "1339.50",
        "1234.50",
        "105.00",
    )
    # no recompute yet: the balance is unknown, never a made-up zero
    colleague = items[world.colleague.employer_number]
    assert colleague["overdue_outstanding"] is None and colleague["balance_as_of"] is None
    detail = client.get(f"/api/employers/{world.own.employer_number}", **headers).json()
    assert (detail["overdue_outstanding"], detail["current_outstanding"]) == ("1234.50", "105.00")
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["EmployerOut"]["properties"]
    assert {"overdue_outstanding", "current_outstanding", "outstanding", "balance_as_of"} <= set(schema)
