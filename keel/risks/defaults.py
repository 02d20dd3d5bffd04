"""A ready-made methodology (5×5, four levels) that the demo and new organisations can start
from. Our own wording."""

from __future__ import annotations

from typing import Any

LIKELIHOOD = [
    {
        "label": "Rare",
        "description": "Not expected in the next five years; no known occurrence here or at peers.",
    },
    {"label": "Unlikely", "description": "Could happen once in three to five years; has happened at peers."},
    {"label": "Possible", "description": "Could happen once in one to three years."},
    {"label": "Likely", "description": "Expected about once a year."},
    {"label": "Almost certain", "description": "Expected several times a year, or already happening."},
]
IMPACT = [
    {
        "label": "Negligible",
        "description": "No customer or person noticeably affected; absorbed in normal work.",
    },
    {
        "label": "Minor",
        "description": "A few people or one customer affected briefly; no regulatory interest.",
    },
    {
        "label": "Moderate",
        "description": "Several customers or a group of people affected; a complaint or a contractual penalty.",
    },
    {"label": "Major", "description": "Harm to many people, a reportable breach, or loss of a key customer."},
    {
        "label": "Severe",
        "description": "Lasting harm to people, regulatory sanction, or a threat to the business.",
    },
]
LEVELS = [
    {"key": "low", "label": "Low", "acceptable": True, "appetite": "Accepted by the owner; reviewed yearly."},
    {
        "key": "medium",
        "label": "Medium",
        "acceptable": True,
        "appetite": "Accepted by the owner with controls in place; reviewed every six months.",
    },
    {
        "key": "high",
        "label": "High",
        "acceptable": False,
        "appetite": "Not accepted: treat within three months, or accept by exception.",
    },
    {
        "key": "critical",
        "label": "Critical",
        "acceptable": False,
        "appetite": "Not tolerated: treat at once; an exception needs the board's sponsor.",
    },
]
# matrix[likelihood-1][impact-1]
MATRIX = [
    ["low", "low", "low", "medium", "medium"],
    ["low", "low", "medium", "medium", "high"],
    ["low", "medium", "medium", "high", "high"],
    ["low", "medium", "high", "high", "critical"],
    ["medium", "medium", "high", "critical", "critical"],
]


def default_methodology(name: str = "Risk methodology") -> dict[str, Any]:
    return {
        "name": name,
        "note": "First version: 5×5 scales and four levels.",
        "likelihood": [dict(x) for x in LIKELIHOOD],
        "impact": [dict(x) for x in IMPACT],
        "levels": [dict(x) for x in LEVELS],
        "matrix": [list(r) for r in MATRIX],
    }
