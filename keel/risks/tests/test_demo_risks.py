"""The demo's assets and risks: both registers filled, treatments by the demo's controls, some
approved, one exception, one voided acceptance, and the SoA's risks column showing them."""

from __future__ import annotations

from keel.assets.models import Asset, ClassificationLevel
from keel.platform.tests.shared_db import LoadedDemo
from keel.risks import queries
from keel.risks.models import Risk, RiskSnapshot
from keel.soa.models import StatementOfApplicability
from keel.soa.queries import rows


def test_demo_loads_assets_and_both_registers(demo: LoadedDemo) -> None:
    assert ClassificationLevel.objects.count() == 4 and Asset.objects.count() == 12
    assert (
        Risk.objects.filter(register="is").count() == 10
        and Risk.objects.filter(register="ai").count() == 10  # 8 + 2 raised from impacts
    )
    states = set(Risk.objects.values_list("acceptance", flat=True))
    assert {"accepted", "exception", "voided", "none"} <= states
    # one exception has already expired: its acceptance shows as lapsed; IS-004's is in force
    shown = {r.ref_id: r.current_acceptance for r in queries.risks(None)}
    assert list(shown.values()).count("lapsed") == 1 and shown["IS-004"] == "exception"
    assert Risk.objects.filter(register="ai", ai_system__short_name="credit-scoring").exists()
    assert RiskSnapshot.objects.count() == 2
    soa = StatementOfApplicability.objects.filter(standard__key="iso27001:2022").first()
    assert soa is not None and any(r["risks"] for r in rows(soa))
