"""Where evidence files live: a Django storage (the ``evidence`` entry of ``STORAGES``).

The default is the file system under ``KEEL_EVIDENCE_ROOT`` (``KEEL_HOME/evidence``); a
deployment can switch to object storage with ``KEEL_EVIDENCE_STORAGE`` (any Django storage
backend class). Files are never served from a public URL: the download view streams them
after checking the reader's permission.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property


class EvidenceFileSystemStorage(FileSystemStorage):
    """The file system under ``KEEL_EVIDENCE_ROOT``, never overwriting a file, with no URL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", None)
        kwargs["allow_overwrite"] = False
        super().__init__(**kwargs)

    @cached_property
    def base_location(self) -> Any:
        return self._value_or_setting(self._location, settings.KEEL_EVIDENCE_ROOT)  # type: ignore[attr-defined]

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)  # type: ignore[arg-type]
        if setting == "KEEL_EVIDENCE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("Evidence files have no public URL: download them through Keel.")


def evidence_storage() -> Storage:
    """The storage evidence files go to (the callable the model field names)."""
    return storages["evidence"]
