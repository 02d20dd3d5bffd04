"""Write-side services of the AI system inventory: AI systems and their lifecycle gate, models,
evaluations, datasets with lineage and quality checks, operating metrics, readings and flags.

One transaction each; each writes its trail entry. Inventory records are changed with
``edit_ai_systems`` over the system's management system; evaluations, quality checks and metric
readings are recorded with ``record_ai_results`` (contributors hold it: the engineers and the
pipelines that measure). Plain metric readings are telemetry and are not written to the trail
one by one (docs/adr/0011-ai-metric-readings-and-flags.md); the flags they open and close are,
and so is a reading a person types on the system's page (``by_hand``).
Metrics, readings and flags live in :mod:`keel.aisystems.readings`; everything is re-exported
here, so callers use one namespace, ``keel.aisystems.services``.

Modules: :mod:`.common` (fields, parsing), :mod:`.lookups`, :mod:`.systems` (the inventory and
the lifecycle gate), :mod:`.ai_models`, :mod:`.measurements` (evaluations, quality checks),
:mod:`.datasets` (datasets and lineage), :mod:`.records` (lifecycle records).
"""

from __future__ import annotations

from ..readings import (
    PushResult,
    close_flag,
    create_metric,
    parse_time,
    push_reading,
    update_metric,
)
from .ai_models import (
    create_model,
    create_model_version,
    retire_model_version,
    update_model,
    update_model_version,
)
from .common import (
    DATASET_FIELDS,
    MEASURE_FIELDS,
    METRIC_FIELDS,
    MODEL_FIELDS,
    PLACES,
    RESERVED,
    STAGE_ORDER,
    SYSTEM_FIELDS,
    VERSION_FIELDS,
)
from .datasets import create_dataset, update_dataset
from .lookups import (
    find_model_version,
    get_dataset,
    get_metric,
    get_metric_by_id,
    get_model,
    get_model_version,
    get_system,
)
from .measurements import meets, record_evaluation, record_quality_check
from .records import approve_record, create_record, get_record, update_record, withdraw_record
from .systems import change_stage, create_system, deploy_model_version, retire_system, update_system

__all__ = [
    "DATASET_FIELDS",
    "MEASURE_FIELDS",
    "METRIC_FIELDS",
    "MODEL_FIELDS",
    "PLACES",
    "RESERVED",
    "STAGE_ORDER",
    "SYSTEM_FIELDS",
    "VERSION_FIELDS",
    "PushResult",
    "approve_record",
    "change_stage",
    "close_flag",
    "create_dataset",
    "create_metric",
    "create_model",
    "create_model_version",
    "create_record",
    "create_system",
    "deploy_model_version",
    "find_model_version",
    "get_dataset",
    "get_metric",
    "get_metric_by_id",
    "get_model",
    "get_model_version",
    "get_record",
    "get_system",
    "meets",
    "parse_time",
    "push_reading",
    "record_evaluation",
    "record_quality_check",
    "retire_model_version",
    "retire_system",
    "update_dataset",
    "update_metric",
    "update_model",
    "update_model_version",
    "update_record",
    "update_system",
    "withdraw_record",
]
