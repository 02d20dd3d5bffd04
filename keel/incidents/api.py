"""The JSON API of keel.incidents."""

from ninja import Router

router = Router(tags=["incidents"])
