from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cobranza.engine.policy import Policy, PolicyError, default_policy, select_policy


def test_defaults_are_the_spec_values() -> None:
    p = default_policy()
    assert p.version == "2024.1"
    assert p.effective_from == date(2015, 8, 1)
    assert p.employer_rate == Decimal("0.075") and p.worker_rate == Decimal("0.03")
    assert p.salary_ceiling_cents == 100000
    assert p.due_business_day == 10
    assert p.surcharge_monthly_rate == Decimal("0.01") and p.surcharge_max_months == 60
    assert p.fine_enabled and p.fine_rate == Decimal("0.25")
    assert not p.interest_enabled and p.interest_annual_rate == 0
    assert p.allocation_order == ("contribution", "surcharge", "fine", "interest")
    assert p.agreement_min_down_payment_rate == Decimal("0.20")
    assert p.agreement_term_bands == ((100000, 6), (1000000, 12), (5000000, 24), (None, 48))
    assert p.agreement_rate_bands == (
        (12, Decimal("0.0126")),
        (24, Decimal("0.0153")),
        (None, Decimal("0.0182")),
    )
    assert p.agreement_allowed_terms == (3, 6, 9, 12, 18, 24, 36, 48)
    assert p.agreement_lapse_installments == 3 and p.agreement_grace_days == 5
    assert p.publication_min_months == 3 and p.publication_min_debt_cents == 50000
    assert p.publication_reply_business_days == 10
    assert p.referral_min_notices == 2 and p.referral_days == 90
    assert p.limitation_years == 5 and p.limitation_alert_days == 180
    assert not hasattr(p, "amnesty_enabled")  # amnesties are records of their own (engine.timeline)


def test_round_trip_through_json() -> None:
    p = dataclasses.replace(
        default_policy(),
        version="2025.1",
        extra_closed_days=frozenset({date(2025, 8, 5), date(2025, 8, 4)}),
        interest_enabled=True,
        interest_annual_rate=Decimal("0.06"),
    )
    data = json.loads(json.dumps(p.to_dict()))
    assert data["surcharge_monthly_rate"] == "0.01"
    assert data["extra_closed_days"] == ["2025-08-04", "2025-08-05"]
    assert data["agreement_rate_bands"][0] == [12, "0.0126"]
    assert Policy.from_dict(data) == p
    assert Policy.from_dict(default_policy().to_dict()) == default_policy()


def test_missing_keys_take_defaults_but_version_is_required() -> None:
    p = Policy.from_dict({"version": "x", "effective_from": "2024-01-01"})
    assert p.fine_rate == Decimal("0.25")
    with pytest.raises(PolicyError, match="version"):
        Policy.from_dict({"effective_from": "2024-01-01"})


def _with(**changes: Any) -> dict[str, Any]:
    data = default_policy().to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"surcharge_monthly_rate": "-0.01"}, "surcharge_monthly_rate"),
        ({"fine_rate": "abc"}, "fine_rate"),
        ({"fine_rate": 0.25}, "fine_rate"),  # floats are refused
        ({"employer_rate": "1.5"}, "employer_rate"),
        ({"surcharge_max_months": -1}, "surcharge_max_months"),
        ({"due_business_day": 0}, "due_business_day"),
        ({"due_business_day": "10"}, "due_business_day"),
        ({"fine_enabled": "yes"}, "fine_enabled"),
        ({"effective_from": "2024-02-30"}, "effective_from"),
        ({"extra_closed_days": ["2024-13-01"]}, "extra_closed_days"),
        ({"allocation_order": ["contribution", "fine", "surcharge"]}, "allocation_order"),
        ({"agreement_term_bands": [[100000, 6], [50000, 12], [None, 48]]}, "agreement_term_bands"),
        ({"agreement_term_bands": [[100000, 6], [1000000, 12]]}, "agreement_term_bands"),
        ({"agreement_rate_bands": [[12, "-0.01"], [None, "0.02"]]}, "agreement_rate_bands"),
        ({"agreement_allowed_terms": [6, 3]}, "agreement_allowed_terms"),
        (
            {"amnesty_enabled": True, "amnesty_start": "2025-01-01", "amnesty_end": "2025-02-01"},
            "amnesty_enabled",
        ),
        ({"surcharge_rate": "0.01"}, "surcharge_rate"),  # unknown key
        ({"version": ""}, "version"),
        ({"interest_annual_rate": "0.000000001"}, "interest_annual_rate"),
    ],
)
def test_malformed_policies_are_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(_with(**changes))
    assert info.value.field == field
    message = str(info.value)
    assert message.startswith("Política inválida: el campo")
    assert f"«{field}»" in message
    assert isinstance(info.value, ValueError)


def test_spanish_message_for_negative_rate() -> None:
    with pytest.raises(PolicyError, match="no puede ser negativo"):
        Policy.from_dict(_with(surcharge_monthly_rate="-0.01"))


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(PolicyError, match="fine_rate"):
        dataclasses.replace(default_policy(), fine_rate=Decimal("-1"))


def test_select_policy() -> None:
    v1 = default_policy()
    v2 = dataclasses.replace(v1, version="2025.1", effective_from=date(2025, 1, 1), fine_enabled=False)
    v3 = dataclasses.replace(v1, version="2026.1", effective_from=date(2026, 1, 1))
    versions = [v3, v1, v2]
    assert select_policy(versions, date(2024, 12, 31)) is v1
    assert select_policy(versions, date(2025, 1, 1)) is v2
    assert select_policy(versions, date(2030, 1, 1)) is v3
    with pytest.raises(PolicyError, match="vigente"):
        select_policy(versions, date(2015, 7, 31))
    twin = dataclasses.replace(v2, version="2025.1b")
    with pytest.raises(PolicyError):
        select_policy([v2, twin], date(2025, 6, 1))


def test_policy_is_hashable_and_frozen() -> None:
    p = default_policy()
    assert hash(p) == hash(default_policy())
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.version = "x"  # type: ignore[misc]


def test_legacy_disabled_amnesty_keys_are_dropped() -> None:
    """The first versions were stored with a disabled amnesty switch: they still read."""
    data = _with(amnesty_enabled=False, amnesty_start=None, amnesty_end=None)
    assert Policy.from_dict(data) == Policy.from_dict(_with())
