"""The JSON API of keel.changes."""

from ninja import Router

router = Router(tags=["changes"])
