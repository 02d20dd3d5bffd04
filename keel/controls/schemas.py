"""Schemas of the control-catalogue API: filters, request bodies and responses.

Controls are named by id or reference (``KC-012``), requirements by key
(``iso27001:2022:A.5.19``), templates by key, management systems by id or short name and
people by email. Bodies refuse unknown fields.
"""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters, version_in

from . import queries
from .choices import ControlType, Coverage, Effectiveness, Frequency, ImplementationStatus, ShownStatus
from .queries import shown_status

# ---------------------------------------------------------------- links


class ControlLinkOut(VersionedOut):
    id: uuid.UUID
    control: uuid.UUID = Field(description="The control's id.")
    control_ref: str
    requirement: str = Field(description="The requirement's key.")
    requirement_ref: str
    requirement_title: str
    standard: str
    coverage: Coverage
    note: str
    created_at: IsoDateTime

    @staticmethod
    def resolve_control(obj: Any) -> uuid.UUID:
        return obj.control_id

    @staticmethod
    def resolve_control_ref(obj: Any) -> str:
        return obj.control.ref_id

    @staticmethod
    def resolve_requirement(obj: Any) -> str:
        return obj.requirement.key

    @staticmethod
    def resolve_requirement_ref(obj: Any) -> str:
        return obj.requirement.ref_id

    @staticmethod
    def resolve_requirement_title(obj: Any) -> str:
        return obj.requirement.title

    @staticmethod
    def resolve_standard(obj: Any) -> str:
        return obj.requirement.standard.key


@filters.schema_of(queries.LinkFilters)
class ControlLinkFilters(Filters):
    """Declared in :class:`keel.controls.queries.LinkFilters`."""


class ControlLinkIn(Body):
    control: str = Field(description="The control's id or reference.")
    requirement: str = Field(description="The requirement's key, e.g. iso27001:2022:A.5.19.")
    coverage: Coverage = Coverage.FULL
    note: str = Field("", max_length=4000)


class ControlLinkPatch(Body):
    coverage: Coverage | None = None
    note: str | None = Field(None, max_length=4000)
    version: str | None = version_in()


# ---------------------------------------------------------------- controls


class ControlOut(Schema):
    id: uuid.UUID
    ref_id: str
    title: str
    description: str
    owner: str | None = Field(description="The owner's email.")
    type: ControlType
    frequency: Frequency
    status: ImplementationStatus
    shown_status: ShownStatus = Field(
        description="The status shown: implemented_no_evidence for a control claimed implemented with no "
        "current evidence behind it (none linked, or all expired); otherwise the status."
    )
    has_current_evidence: bool = Field(
        description="Evidence linked to it that is neither withdrawn nor expired."
    )
    effectiveness: Effectiveness
    management_systems: list[str] = Field(description="Short names of its management systems.")
    tags: list[str]
    template: str | None = Field(description="Key of the template it was adopted from.")
    requirements: list[str] = Field(description="Keys of the requirements it is linked to.")
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_shown_status(obj: Any) -> str:
        return shown_status(obj)

    @staticmethod
    def resolve_has_current_evidence(obj: Any) -> bool:
        return bool(getattr(obj, "has_current_evidence", False))

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return [ms.short_name for ms in obj.management_systems.all()]

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]

    @staticmethod
    def resolve_template(obj: Any) -> str | None:
        return obj.template.key if obj.template_id else None

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [lk.requirement.key for lk in obj.links.all()]


class ControlDetailOut(ControlOut, VersionedOut):
    links: list[ControlLinkOut]

    @staticmethod
    def resolve_links(obj: Any) -> list[Any]:
        return list(obj.links.all())


@filters.schema_of(queries.ControlFilters)
class ControlFilters(Filters):
    """Declared in :class:`keel.controls.queries.ControlFilters`."""


class ControlIn(Body):
    ref_id: str | None = Field(None, max_length=32, description="Left out: the next free KC-nnn.")
    title: str = Field(max_length=200)
    description: str = ""
    owner: str | None = Field(None, description="The owner's email.")
    type: ControlType
    frequency: Frequency
    status: ImplementationStatus = ImplementationStatus.PLANNED
    effectiveness: Effectiveness = Effectiveness.NOT_ASSESSED
    management_systems: list[str] = Field(description="Ids or short names (at least one for a system role).")
    tags: list[str] = []


class ControlPatch(Body):
    ref_id: str | None = Field(None, max_length=32)
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    owner: str | None = Field(None, description="The owner's email; null removes the owner.")
    type: ControlType | None = None
    frequency: Frequency | None = None
    status: ImplementationStatus | None = None
    effectiveness: Effectiveness | None = None
    management_systems: list[str] | None = None
    tags: list[str] | None = None
    version: str | None = version_in()


# ---------------------------------------------------------------- templates


class TemplateLinkOut(Schema):
    requirement: str
    requirement_ref: str
    requirement_title: str
    standard: str
    coverage: Coverage
    note: str

    @staticmethod
    def resolve_requirement(obj: Any) -> str:
        return obj.requirement.key

    @staticmethod
    def resolve_requirement_ref(obj: Any) -> str:
        return obj.requirement.ref_id

    @staticmethod
    def resolve_requirement_title(obj: Any) -> str:
        return obj.requirement.title

    @staticmethod
    def resolve_standard(obj: Any) -> str:
        return obj.requirement.standard.key


class TemplateOut(Schema):
    key: str
    title: str
    description: str
    ai_extension: str
    type: ControlType
    frequency: Frequency
    owner_role: str
    example_evidence: list[str]
    requirements: list[str]

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [lk.requirement.key for lk in obj.links.all()]


class TemplateDetailOut(TemplateOut):
    links: list[TemplateLinkOut]

    @staticmethod
    def resolve_links(obj: Any) -> list[Any]:
        return list(obj.links.all())


@filters.schema_of(queries.TemplateFilters)
class TemplateFilters(Filters):
    """Declared in :class:`keel.controls.queries.TemplateFilters`."""


class AdoptIn(Body):
    templates: list[str] = Field(min_length=1, description="Template keys.")
    management_system: str = Field(description=MS_REF)
    owner: str | None = Field(None, description="Email of the owner of every adopted control.")
