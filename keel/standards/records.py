"""Standards named by key in service input."""

from __future__ import annotations

from collections.abc import Iterable

from keel.platform.errors import ValidationFailed
from keel.standards.models import Standard


def standards_by_key(keys: Iterable[str] | None, field: str = "standards") -> list[Standard]:
    """Resolve standard keys; an unknown key is a validation error naming the known ones."""
    keys = list(dict.fromkeys(keys or []))
    found = {s.key: s for s in Standard.objects.filter(key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        known = ", ".join(Standard.objects.order_by("key").values_list("key", flat=True))
        raise ValidationFailed(
            f"Unknown standard(s): {', '.join(missing)}. Known: {known or 'none loaded'}.",
            {field: [f"Unknown standard {k!r}." for k in missing]},
        )
    return [found[k] for k in keys]
