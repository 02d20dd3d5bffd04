"""Write-side services of the evidence register: one transaction each, each records its trail entry.

Files go through the ``evidence`` storage (Django's storage API). A file is written inside the
service's transaction and deleted again when the transaction fails, so there is never a
version row without its file nor a file left behind by a failed change. Nothing is overwritten:
each version gets a new name, and the storage refuses to replace an existing file. Evidence is
never deleted: :func:`withdraw_evidence` withdraws it, its versions and files stay.

The package splits them by concern; import them from here (``keel.evidence.services``):

- :mod:`.files` — input checks, limits, the storage, digests and writing a version's file;
- :mod:`.common` — the evidence row: its reference, trail snapshot, lock and edit check;
- :mod:`.register` — creating, changing and withdrawing evidence, adding versions;
- :mod:`.links` — links to controls and requirements (and the references they are typed as);
- :mod:`.verification` — re-reading every stored file against its recorded SHA-256.
"""

from .common import (
    EVIDENCE_FIELDS,
    next_ref_id,
)
from .files import (
    CHUNK,
    CONTENT_TYPE,
    SAFE_CONTENT_TYPES,
    Digest,
    NewVersion,
    _prepare,
    clean_content_type,
    clean_url,
    digest,
    download_content_type,
    human_size,
    max_bytes,
    safe_filename,
    storage,
)
from .links import (
    link_control,
    link_requirement,
    unlink_control,
    unlink_requirement,
)
from .register import (
    add_version,
    create_evidence,
    update_evidence,
    withdraw_evidence,
)
from .verification import (
    FileProblem,
    VerifyReport,
    verify_evidence_files,
)

__all__ = [
    "CHUNK",
    "CONTENT_TYPE",
    "EVIDENCE_FIELDS",
    "SAFE_CONTENT_TYPES",
    "Digest",
    "FileProblem",
    "NewVersion",
    "VerifyReport",
    "_prepare",
    "add_version",
    "clean_content_type",
    "clean_url",
    "create_evidence",
    "digest",
    "download_content_type",
    "human_size",
    "link_control",
    "link_requirement",
    "max_bytes",
    "next_ref_id",
    "safe_filename",
    "storage",
    "unlink_control",
    "unlink_requirement",
    "update_evidence",
    "verify_evidence_files",
    "withdraw_evidence",
]
