"""The JSON API of keel.improvement."""

from ninja import Router

router = Router(tags=["improvement"])
