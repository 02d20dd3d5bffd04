"""The JSON API of keel.work."""

from ninja import Router

router = Router(tags=["work"])
