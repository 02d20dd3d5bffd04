"""The JSON API of keel.certification."""

from ninja import Router

router = Router(tags=["certification"])
