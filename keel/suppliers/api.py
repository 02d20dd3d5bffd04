"""The JSON API of keel.suppliers."""

from ninja import Router

router = Router(tags=["suppliers"])
