"""factory_boy factories for the core domain (used by every app's tests)."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from keel.organisation.choices import IssueCategory, IssueKind, OperatingModel, PartyCategory
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
)
from keel.platform.models import User
from keel.standards.models import Standard

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(TEST_PASSWORD)


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("singleton",)

    singleton = True
    name = "Test Org"


class ManagementSystemFactory(DjangoModelFactory[ManagementSystem]):
    class Meta:
        model = ManagementSystem
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Management system {n}")
    short_name = factory.Sequence(lambda n: f"ms-{n}")
    operating_model = OperatingModel.UNIFIED

    @factory.post_generation
    def standards(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        keys = extracted if extracted is not None else ["iso27001:2022", "iso42001:2023"]
        if create:
            self.standards.set(Standard.objects.filter(key__in=keys))


class RoleAssignmentFactory(DjangoModelFactory[RoleAssignment]):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "viewer"
    management_system = None


class InterestedPartyFactory(DjangoModelFactory[InterestedParty]):
    class Meta:
        model = InterestedParty

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Party {n}")
    category = PartyCategory.CUSTOMER
    needs_expectations = "Wants their data kept safe."


class ContextIssueFactory(DjangoModelFactory[ContextIssue]):
    class Meta:
        model = ContextIssue

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Issue {n}")
    description = "Something that matters."
    kind = IssueKind.EXTERNAL
    category = IssueCategory.LEGAL
