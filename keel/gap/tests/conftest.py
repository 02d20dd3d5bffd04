"""The small world of the gap tests: three source standards, a target and crosswalks."""

from __future__ import annotations

from typing import Any

import pytest

from keel.gap.tests import factories as f
from keel.organisation.models import Organisation
from keel.organisation.tests.factories import ManagementSystemFactory


@pytest.fixture
def world(org: Organisation) -> dict[str, Any]:
    """Three source standards and a target T:

    S1 A.1, A.2 · S2 B.1 · S3 C.1, C.2 · T: clauses 4 (heading), 4.1 (shared hs:4.1), 4.2
    (parallel hs:4.2), controls T.1-T.5.
    Crosswalks: S1 A.1 =equal= S2 B.1 ; S2 B.1 subset S3 C.1 ; S3 C.1 =equal= T.1 (three steps,
    the middle one partial); S1 A.2 superset T.2 ; T.3 superset S1 A.2 (read backwards: A.2
    subset T.3) ; S3 C.2 equal T.4 ; S1 clause 4.1 equal T 4.1.
    """
    s1 = f.standard("s1:2020", ["A.1", "A.2", ("4", "clause"), ("4.1", "clause", "hs:4.1", "shared")])
    s2 = f.standard("s2:2020", ["B.1"])
    s3 = f.standard("s3:2020", ["C.1", "C.2"])
    t = f.standard(
        "t:2024",
        [
            ("4", "clause"),
            ("4.1", "clause", "hs:4.1", "shared"),
            ("4.2", "clause", "hs:4.2", "parallel"),
            "T.1",
            "T.2",
            "T.3",
            "T.4",
            "T.5",
        ],
    )
    f.crosswalk(s1, s2, [("A.1", "B.1", "equal")])
    f.crosswalk(s2, s3, [("B.1", "C.1", "subset", "Add the AI-specific part.")])
    f.crosswalk(s3, t, [("C.1", "T.1", "equal"), ("C.2", "T.4", "equal")])
    f.crosswalk(s1, t, [("A.2", "T.2", "superset"), ("4.1", "4.1", "equal")])
    f.crosswalk(t, s1, [("T.3", "A.2", "superset")])
    ms = ManagementSystemFactory.create(
        organisation=org, name="IMS", short_name="ims", standards=["s1:2020", "s2:2020", "s3:2020", "t:2024"]
    )
    f.control(ms, "KC-1", [(f.req(s1, "A.1"), "full")])
    f.control(ms, "KC-2", [(f.req(s1, "A.2"), "full")])
    return {"s1": s1, "s2": s2, "s3": s3, "t": t, "ms": ms}
