"""Read-side queries of the platform: a person's own API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from keel.platform.models import ApiToken, User


def own_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
