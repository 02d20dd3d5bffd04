"""Read-side queries of the core domain, shared by pages (and usable by the API and CLI).

Every function here runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.db.models import QuerySet

from keel.platform.models import ApiToken, User


def own_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
