"""The demo's share of the assets app: the classification scheme (the AI inventory, recorded
before the assets, classifies its datasets with it)."""

from __future__ import annotations

from typing import Any

from keel.platform.actor import Actor

from . import services
from .models import ClassificationLevel

LEVELS: list[dict[str, Any]] = [
    {
        "key": "public",
        "name": "Public",
        "rank": 1,
        "description": "Meant for anyone: the website, published docs, open-source code.",
        "handling": "No restriction once approved for publication.",
        "retention": "As long as it is useful.",
        "disposal": "Ordinary deletion.",
        "ai_training_allowed": True,
        "ai_evaluation_allowed": True,
        "licence_scope": "Our own content, or content whose licence allows reuse for training.",
        "training_data_deletion": "No special step.",
    },
    {
        "key": "internal",
        "name": "Internal",
        "rank": 2,
        "description": "For staff and contractors under contract.",
        "handling": "Company accounts and managed devices only.",
        "retention": "Per the records schedule (default three years).",
        "disposal": "Deletion; devices wiped on return.",
        "ai_training_allowed": True,
        "ai_evaluation_allowed": True,
        "licence_scope": "Internal models only; never shared with model vendors.",
        "training_data_deletion": "Removed from the feature store; the next scheduled retraining drops it.",
    },
    {
        "key": "confidential",
        "name": "Confidential",
        "rank": 3,
        "description": "Customer and applicant data, source code, model weights, contracts.",
        "handling": "Need to know; encrypted at rest and in transit; no personal devices.",
        "retention": "Contract term plus six years for lending records; otherwise per the schedule.",
        "disposal": "Crypto-shredding of the storage keys; certificates kept for media.",
        "ai_training_allowed": True,
        "ai_evaluation_allowed": True,
        "licence_scope": "Only under the lender's data-processing agreement and for the purpose it names.",
        "training_data_deletion": "Deleted from training sets within 30 days of a request; affected models are retrained at the next release and the deletion is logged.",
    },
    {
        "key": "restricted",
        "name": "Restricted",
        "rank": 4,
        "description": "Special-category data, credentials, signing keys, security findings.",
        "handling": "Named individuals only; privileged access with approval and logging.",
        "retention": "The shortest time the purpose allows.",
        "disposal": "Crypto-shredding and a witnessed deletion record.",
        "ai_training_allowed": False,
        "ai_evaluation_allowed": False,
        "licence_scope": "Never used for AI.",
        "training_data_deletion": "Not applicable: never in training data.",
    },
]


def ensure_demo_levels(actor: Actor) -> None:
    """Create the demo classification levels that are missing (idempotent): the AI inventory,
    recorded before the assets, classifies its datasets with them."""
    have = set(ClassificationLevel.objects.values_list("key", flat=True))
    for spec in LEVELS:
        if spec["key"] not in have:
            services.create_level(actor, **spec)
