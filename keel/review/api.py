"""The JSON API of keel.review."""

from ninja import Router

router = Router(tags=["review"])
