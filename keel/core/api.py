"""API router of the core domain (filled in by the API work)."""

from ninja import Router

router = Router()
