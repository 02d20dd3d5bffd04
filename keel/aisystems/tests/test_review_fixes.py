"""Found in the last read of the change: a deploy that meets a retirement, and control
characters in a model-version reference."""

from __future__ import annotations

import pytest

from keel.organisation.models import ManagementSystem
from keel.platform.errors import Conflict, ValidationFailed

from .. import services
from ..choices import ModelVersionStatus
from ..models import ModelVersion
from ..services.lookups import find_model_version
from ..services.systems import _mark_deployed
from . import factories as af

pytestmark = pytest.mark.django_db


def test_a_version_retired_while_its_deploy_waited_is_not_deployed(aims: ManagementSystem) -> None:
    # Given the deploy read the version (in development) before someone retired it
    system = af.ai_system(aims)
    version = af.model_version(system)
    seen = ModelVersion.objects.get(pk=version.pk)
    services.retire_model_version(af.SYSTEM, version.pk, "abandoned")

    # When the deploy goes on with what it read, then it is refused and the retirement stays
    with pytest.raises(Conflict, match="changed while it was being deployed"):
        _mark_deployed(af.SYSTEM, system, seen, "go live")
    assert ModelVersion.objects.get(pk=version.pk).status == ModelVersionStatus.RETIRED


def test_a_control_character_in_a_model_version_reference_is_a_clear_error(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    af.model_version(system)
    with pytest.raises(ValidationFailed, match="control characters"):
        find_model_version(system, "gbm@1\x00")


def test_a_retired_version_can_be_deployed_again_as_a_rollback(aims: ManagementSystem) -> None:
    # Given a version that was retired before the deploy read it
    system = af.ai_system(aims)
    version = af.model_version(system)
    services.retire_model_version(af.SYSTEM, version.pk, "replaced")
    seen = ModelVersion.objects.get(pk=version.pk)

    # When it is deployed again, then it is deployed: a rollback is not a race
    _mark_deployed(af.SYSTEM, system, seen, "roll back")
    assert ModelVersion.objects.get(pk=version.pk).status == ModelVersionStatus.DEPLOYED
