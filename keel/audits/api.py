"""The JSON API of keel.audits."""

from ninja import Router

router = Router(tags=["audits"])
