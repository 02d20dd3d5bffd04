"""API router of the standards library (filled in by the API work)."""

from ninja import Router

router = Router()
